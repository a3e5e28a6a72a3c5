"""Graded: the autoencoder architecture, corruption, loss and training; a linear autoencoder
recovers scikit-learn's PCA subspace; a denoising one beats its input noise (part
"autoencoders", 12 points)."""

import numpy as np
import pytest
import torch
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.data import load_digits


def shapes(model) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


@part("autoencoders")
@points(2)
def test_architecture_by_parameter_shapes(student):
    """Autoencoder has the handout's layers (by parameter shapes), accepts every latent size from
    1 to in_dim - 1 and rejects latent >= in_dim or latent <= 0."""
    deep = student.autoencoders.Autoencoder(10, 3, hidden=7)
    want = {"encoder.0.weight": (7, 10), "encoder.0.bias": (7,), "encoder.2.weight": (3, 7),
            "encoder.2.bias": (3,), "decoder.0.weight": (7, 3), "decoder.0.bias": (7,),
            "decoder.2.weight": (10, 7), "decoder.2.bias": (10,)}
    assert shapes(deep) == want, "the deep autoencoder's parameters differ from the handout's"
    lin = student.autoencoders.Autoencoder(10, 3)
    assert shapes(lin) == {"encoder.0.weight": (3, 10), "encoder.0.bias": (3,),
                           "decoder.0.weight": (10, 3), "decoder.0.bias": (10,)}, \
        "the linear autoencoder should be one Linear on each side"
    for bad in (10, 12, 0):
        with pytest.raises(StudentError, match="ValueError"):
            student.autoencoders.Autoencoder(10, bad)
    for edge in (1, 9):  # the smallest and the largest undercomplete latent
        net = student.autoencoders.Autoencoder(10, edge)
        assert shapes(net)["encoder.0.weight"] == (edge, 10), (
            f"Autoencoder(10, {edge}) should be a valid undercomplete autoencoder")


@part("autoencoders")
@points(2)
def test_forward_and_loss(student, rng, device):
    """forward is decoder(encoder(x)) with ReLU between layers; reconstruction_loss is the mean
    squared error over all entries."""
    ref = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2),
                              torch.nn.Linear(2, 5), torch.nn.ReLU(),
                              torch.nn.Linear(5, 6)).double().to(device)
    model = student.autoencoders.Autoencoder(6, 2, hidden=5)
    names = ["encoder.0", "encoder.2", "decoder.0", "decoder.2"]
    sd = {f"{n}.{p}": getattr(ref[i], p) for n, i in zip(names, (0, 2, 3, 5), strict=True)
          for p in ("weight", "bias")}
    model.load_state_dict({k: v.detach() for k, v in sd.items()})
    model.double()
    model.to(device)
    x = torch.as_tensor(rng.normal(size=(9, 6)), device=device)
    assert_close(model(x), ref(x).detach(), rtol=1e-10, atol=1e-12, name="reconstruction")
    a = torch.as_tensor(rng.normal(size=(4, 7)), device=device)
    b = torch.as_tensor(rng.normal(size=(4, 7)), device=device)
    got = student.autoencoders.reconstruction_loss(a, b)
    assert_close(got, torch.nn.functional.mse_loss(a, b), rtol=1e-10, name="loss")


@part("autoencoders")
@points(1)
def test_corrupt_uses_the_seeded_generator(student, rng, device):
    """corrupt adds std * eps from torch.Generator().manual_seed(seed), keeps dtype and device,
    does not modify x, and draws the same noise on a repeated call."""
    x = torch.as_tensor(rng.normal(size=(5, 8)), device=device)
    seed = int(rng.integers(1000))
    eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed), dtype=x.dtype)
    call = watch_call(student.autoencoders.corrupt, x, 0.3, seed)
    assert not call.changed, "corrupt modified x in place"
    assert_close(call.result, x + 0.3 * eps.to(device), rtol=1e-12, atol=1e-12, name="x~")
    again = student.autoencoders.corrupt(x, 0.3, seed)
    assert_close(again, call.result, rtol=0, atol=0, name="a repeated call")
    other = student.autoencoders.corrupt(x, 0.3, seed + 1)
    assert not torch.allclose(other, call.result), "another seed should draw other noise"


def replay_training(model, x, *, epochs, lr, batch_size, noise_std, seed):
    """The handout's recipe, written out: Adam, one generator for the orders, seed + step."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    history, step = [], 0
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g).to(x.device)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = x[order[start:start + batch_size]]
            eps = torch.randn(batch.shape, generator=torch.Generator().manual_seed(seed + step),
                              dtype=x.dtype).to(x.device)
            loss = ((model(batch + noise_std * eps) - batch) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
            step += 1
        history.append(total / len(x))
    return history


@part("autoencoders")
@points(1)
def test_training_recipe(student, rng, device):
    """train_autoencoder follows the handout's recipe (Adam, the seeded order of every epoch,
    the noise seeds seed + step, the last partial batch, the per-epoch mean loss): losses and
    final weights match a replay from the student's own initial weights."""
    model = student.autoencoders.Autoencoder(6, 2, hidden=5)
    model.double()
    model.to(device)
    init = model.state_dict()
    x = torch.as_tensor(rng.normal(size=(21, 6)), device=device)
    kw = {"epochs": 3, "lr": 0.01, "batch_size": 8, "noise_std": 0.2, "seed": 5}
    got = student.autoencoders.train_autoencoder(model, x, **kw)
    ref = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2),
                              torch.nn.Linear(2, 5), torch.nn.ReLU(), torch.nn.Linear(5, 6))
    ref = ref.double().to(device)
    names = ["encoder.0", "encoder.2", "decoder.0", "decoder.2"]
    with torch.no_grad():
        for n, i in zip(names, (0, 2, 3, 5), strict=True):
            ref[i].weight.copy_(init[f"{n}.weight"])
            ref[i].bias.copy_(init[f"{n}.bias"])
    want = replay_training(ref, x, **kw)
    assert_close(torch.tensor(got), torch.tensor(want), rtol=1e-6, atol=1e-9,
                 name="per-epoch losses")
    final = model.state_dict()
    assert_close(final["decoder.2.weight"], ref[5].weight.detach(), rtol=1e-6, atol=1e-9,
                 name="final decoder weight")


def centred_digits(device):
    train = load_digits(seed=0)["train"].x
    return torch.as_tensor(train - train.mean(0), dtype=torch.float32, device=device), train


@part("autoencoders")
@points(3)
def test_linear_autoencoder_recovers_pca_subspace(student, device):
    """A linear autoencoder trained on centred digits spans the top-4 PCA subspace of
    scikit-learn: every principal angle between decoder_basis and PCA's components is small."""
    x, raw = centred_digits(device)
    torch_seed = 0
    model = student.autoencoders.Autoencoder(64, 4)
    model.to(device)
    student.autoencoders.train_autoencoder(model, x, epochs=60, lr=1e-2, batch_size=128,
                                           seed=torch_seed)
    basis = student.autoencoders.decoder_basis(model).double().cpu().numpy()
    assert basis.shape == (64, 4), "decoder_basis should be (D, K)"
    assert np.allclose(basis.T @ basis, np.eye(4), atol=1e-4), "the basis is not orthonormal"
    pca = PCA(n_components=4).fit(raw)
    angles = np.degrees(subspace_angles(basis, pca.components_.T))
    assert angles.max() < 10.0, f"the largest principal angle is {angles.max():.1f} degrees"


@part("autoencoders")
@points(2)
def test_denoising_autoencoder_beats_its_noise(student, device):
    """A denoising autoencoder (hidden 64, latent 16, noise 0.25) trained on digits
    reconstructs held-out noisy digits with a mean squared error well below the noise's."""
    splits = load_digits(seed=0)
    x = torch.as_tensor(splits["train"].x, dtype=torch.float32, device=device)
    test = torch.as_tensor(splits["test"].x, dtype=torch.float32, device=device)
    model = student.autoencoders.Autoencoder(64, 16, hidden=64)
    model.to(device)
    hist = student.autoencoders.train_autoencoder(model, x, epochs=40, lr=3e-3, batch_size=64,
                                                  noise_std=0.25, seed=1)
    assert len(hist) == 40, "train_autoencoder should return one loss per epoch"
    noise = torch.randn(test.shape, generator=torch.Generator().manual_seed(99)).to(device)
    noisy = test + 0.25 * noise
    with_noise = ((noisy - test) ** 2).mean().item()
    denoised = ((model(noisy) - test) ** 2).mean().item()
    assert denoised < 0.5 * with_noise, \
        f"held-out MSE {denoised:.4f} is not below half the input noise's MSE"
