"""Autoencoders: layer shapes, seeded corruption, the loss and a linear autoencoder vs PCA."""

import numpy as np
import pytest
import torch
from autoencoders import Autoencoder, corrupt, decoder_basis, reconstruction_loss, train_autoencoder

from dnn.data import load_digits


def test_shapes_and_forward() -> None:
    deep = Autoencoder(10, 3, hidden=6)
    shapes = {k: tuple(v.shape) for k, v in deep.state_dict().items()}
    assert shapes["encoder.0.weight"] == (6, 10) and shapes["encoder.2.weight"] == (3, 6)
    assert shapes["decoder.0.weight"] == (6, 3) and shapes["decoder.2.weight"] == (10, 6)
    assert len(Autoencoder(10, 3).encoder) == 1
    assert deep(torch.randn(4, 10)).shape == (4, 10)
    with pytest.raises(ValueError):
        Autoencoder(5, 5)


def test_corrupt_and_loss() -> None:
    x = torch.rand(3, 4, dtype=torch.float64)
    eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(7), dtype=x.dtype)
    torch.testing.assert_close(corrupt(x, 0.5, 7), x + 0.5 * eps)
    a, b = torch.randn(3, 4), torch.randn(3, 4)
    torch.testing.assert_close(reconstruction_loss(a, b), torch.nn.functional.mse_loss(a, b))


def test_linear_autoencoder_finds_the_pca_subspace() -> None:
    raw = load_digits(seed=0)["train"].x
    x = torch.tensor(raw - raw.mean(0), dtype=torch.float32)
    torch.manual_seed(0)
    model = Autoencoder(64, 3)
    losses = train_autoencoder(model, x, epochs=40, lr=1e-2, batch_size=128, seed=0)
    assert len(losses) == 40 and losses[-1] < losses[0]
    q = decoder_basis(model).double().numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(3), atol=1e-4)
    _, _, vt = np.linalg.svd(raw - raw.mean(0), full_matrices=False)
    cosines = np.linalg.svd(q.T @ vt[:3].T, compute_uv=False)  # cosines of the principal angles
    assert cosines.min() > 0.97
