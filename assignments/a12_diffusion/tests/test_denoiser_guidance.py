"""The step embedding, the denoiser, a short training run and classifier-free guidance."""

import torch
from denoiser import Denoiser, timestep_embedding, train_denoiser
from guidance import GuidedModel, drop_labels, guided_noise
from noise_schedule import alphas_cumprod, linear_betas

from dnn.diff_data import two_moons

torch.set_num_threads(1)


def test_embedding_at_zero_and_shape() -> None:
    emb = timestep_embedding(torch.tensor([0, 3]), 8)
    assert emb.shape == (2, 8)
    torch.testing.assert_close(emb[0], torch.tensor([1.0] * 4 + [0.0] * 4))
    torch.testing.assert_close(emb[1, 0], torch.cos(torch.tensor(3.0)))


def test_denoiser_shapes_and_training_lowers_the_loss() -> None:
    torch.manual_seed(0)
    net = Denoiser(hidden=32, emb_dim=16)
    assert net(torch.randn(5, 2), torch.arange(5)).shape == (5, 2)
    abar = alphas_cumprod(linear_betas(100, 1e-3, 0.2)).float()
    losses = train_denoiser(net, two_moons(500), abar, steps=200, batch_size=64, lr=5e-3)
    assert len(losses) == 200
    assert sum(losses[-40:]) < 0.9 * sum(losses[:40])


def test_guidance_pieces() -> None:
    c, u = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0])
    torch.testing.assert_close(guided_noise(c, u, 2.0), torch.tensor([3.0, -2.0]))
    y = torch.arange(1000) % 3
    assert bool((drop_labels(y, 0.0, 3, seed=0) == y).all())
    dropped = (drop_labels(y, 0.5, 3, seed=0) == 3).float().mean()
    assert 0.4 < float(dropped) < 0.6
    torch.manual_seed(0)
    net = Denoiser(hidden=16, emb_dim=8, num_classes=3)
    x, t, labels = torch.randn(4, 2), torch.arange(4), torch.tensor([0, 1, 2, 0])
    torch.testing.assert_close(GuidedModel(net, labels, 0.0)(x, t), net(x, t, labels))
