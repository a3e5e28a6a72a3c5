"""Graded: the sinusoidal step embedding against diffusers, the denoiser's contract, the
training loop's contract, and samples of a trained denoiser on two moons closer to held-out
data (MMD and sliced Wasserstein) than a Gaussian fitted to the data (part "training",
13 points)."""

import pytest
import torch
from diffusers.models.embeddings import get_timestep_embedding

from autograder.testing import StudentError, assert_close, part, points
from dnn.diff_data import gaussian_baseline, mmd_rbf, sliced_wasserstein, two_moons

RECIPE = {"steps": 600, "batch_size": 256, "lr": 1e-2}


def abar(device, num=100):
    """The linear schedule of 100 steps (beta 1e-3 .. 0.2) as float32 alpha_bar."""
    return torch.cumprod(1 - torch.linspace(1e-3, 0.2, num, dtype=torch.float64), 0).float()


def seed_sandbox(student, seed):
    student.lib("dnn.autograd").torch.manual_seed(seed)  # the sandbox's global torch RNG


@part("training")
@points(2)
def test_timestep_embedding_matches_diffusers(student, rng, device):
    """timestep_embedding(t, dim, max_period) equals diffusers' get_timestep_embedding with
    flip_sin_to_cos=True, downscale_freq_shift=0, for several dims and periods; odd dims raise
    ValueError."""
    t = torch.as_tensor(rng.integers(0, 1000, 9), device=device)
    for dim, period in ((32, 10000.0), (8, 10000.0), (16, 100.0)):
        got = student.denoiser.timestep_embedding(t, dim, period)
        want = get_timestep_embedding(t, dim, flip_sin_to_cos=True, downscale_freq_shift=0,
                                      max_period=period)
        assert got.device.type == device, "the embedding should be on t's device"
        assert_close(got, want, rtol=1e-4, atol=1e-4, name=f"the embedding, dim={dim}")
    with pytest.raises(StudentError) as raised:
        student.denoiser.timestep_embedding(t, 7)
    assert raised.value.type_name == "ValueError", "an odd dimension should raise ValueError"


@part("training")
@points(3)
def test_denoiser_contract(student, rng, device):
    """Denoiser maps (x (B, dim), t (B,)) to (B, dim) and depends on t; a conditional one
    depends on y, and y=None is the "no label" index num_classes."""
    seed_sandbox(student, 0)
    for dim in (2, 3):
        net = student.denoiser.Denoiser(dim=dim, hidden=32, emb_dim=16)
        net.to(device)
        x = torch.as_tensor(rng.standard_normal((5, dim)), dtype=torch.float32, device=device)
        t = torch.as_tensor(rng.integers(0, 100, 5), device=device)
        out = net(x, t)
        assert tuple(out.shape) == (5, dim), f"the output for dim={dim} should be (B, dim)"
        assert float((net(x, t + 1) - out).abs().max()) > 1e-6, "the output should depend on t"
    net = student.denoiser.Denoiser(hidden=32, emb_dim=16, num_classes=3)
    net.to(device)
    x = torch.as_tensor(rng.standard_normal((6, 2)), dtype=torch.float32, device=device)
    t = torch.as_tensor(rng.integers(0, 100, 6), device=device)
    none = net(x, t)
    null = net(x, t, torch.full((6,), 3, device=device))
    assert_close(none, null, rtol=1e-6, atol=1e-7, name="y=None against y=num_classes")
    y = torch.arange(6, device=device) % 3
    assert float((net(x, t, y) - none).abs().max()) > 1e-6, "the output should depend on y"


@part("training")
@points(3)
def test_train_denoiser_contract(student, rng, device):
    """train_denoiser returns one float loss per step, changes the weights, repeats itself for
    the same seed from the same weights, differs for another seed, and lowers the loss (also
    for a conditional model with labels)."""
    data = two_moons(500, seed=int(rng.integers(100))).to(device)
    seed_sandbox(student, 1)
    nets = [student.denoiser.Denoiser(hidden=32, emb_dim=16) for _ in range(3)]
    start = nets[0].state_dict()
    for net in nets:
        net.load_state_dict(start)
        net.to(device)
    runs = [student.denoiser.train_denoiser(net, data, abar(device), steps=s, batch_size=64,
                                            lr=5e-3, seed=seed)
            for net, s, seed in zip(nets, (20, 20, 300), (4, 4, 5), strict=True)]
    assert len(runs[0]) == 20 and all(isinstance(v, float) for v in runs[0]), (
        "train_denoiser should return one float loss per step")
    assert_close(torch.tensor(runs[1]), torch.tensor(runs[0]), rtol=1e-5, atol=1e-6,
                 name="the losses of a repeated run")
    assert torch.tensor(runs[2][:20]).sub(torch.tensor(runs[0])).abs().max() > 1e-6, (
        "another seed should draw other batches")
    changed = max(float((nets[0].state_dict()[k].cpu() - v.cpu()).abs().max())
                  for k, v in start.items())
    assert changed > 0, "training should change the weights"
    assert sum(runs[2][-50:]) < 0.9 * sum(runs[2][:50]), "the loss should go down"
    x, y = data[:300], torch.arange(300, device=device) % 2
    cond = student.denoiser.Denoiser(hidden=32, emb_dim=16, num_classes=2)
    cond.to(device)
    losses = student.denoiser.train_denoiser(cond, x, abar(device), steps=15, batch_size=32,
                                             seed=0, labels=y, p_uncond=0.5)
    assert len(losses) == 15, "a conditional run should return one loss per step"


@part("training")
@points(5)
def test_moons_samples_beat_a_gaussian(student, device):
    """A Denoiser (hidden 128) trained with train_denoiser (600 steps, batch 256, lr 1e-2) on
    2000 moons, sampled with ddpm_sample: the MMD to 1000 held-out moons is below 0.6 and the
    sliced Wasserstein distance below 0.6 of a fitted Gaussian's."""
    data = two_moons(2000, seed=0).to(device)
    held = two_moons(1000, seed=7)
    seed_sandbox(student, 0)
    net = student.denoiser.Denoiser(hidden=128)
    net.to(device)
    student.denoiser.train_denoiser(net, data, abar(device), seed=0, **RECIPE)
    x_T = torch.randn(1000, 2, generator=torch.Generator().manual_seed(5)).to(device)
    samples = student.samplers.ddpm_sample(net, x_T, abar(device), seed=1).cpu()
    assert tuple(samples.shape) == (1000, 2), "the samples should be (1000, 2)"
    base = gaussian_baseline(data, 1000, seed=3)
    mmd, mmd_base = mmd_rbf(samples, held), mmd_rbf(base, held)
    sw, sw_base = sliced_wasserstein(samples, held), sliced_wasserstein(base, held)
    assert mmd < 0.6 * mmd_base, f"MMD {mmd:.4f} against a Gaussian's {mmd_base:.4f}"
    assert sw < 0.6 * sw_base, f"sliced W1 {sw:.3f} against a Gaussian's {sw_base:.3f}"
