"""Graded: label dropout, guided noise (1 + w) eps_c - w eps_u, the guided model and sampler
against a DDIM loop of diffusers on a fixed toy model, and the class accuracy of samples of a
trained conditional denoiser rising with w (part "guidance", 13 points)."""

import pytest
import torch
from diffusers import DDIMScheduler
from shared_toys import draw, toys

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.diff_data import blobs, nearest_centre


@part("guidance")
@points(2)
def test_guided_noise(student, rng, device):
    """guided_noise is (1 + w) eps_c - w eps_u (w = 0 gives eps_c) and modifies nothing."""
    c, u = draw(rng, (4, 3), device), draw(rng, (4, 3), device)
    for w in (0.0, 1.0, 3.5):
        call = watch_call(student.guidance.guided_noise, c, u, w)
        assert not call.changed, f"guided_noise modified {call.changed} in place"
        assert_close(call.result, (1 + w) * c - w * u, rtol=1e-12, name=f"w={w}")


@part("guidance")
@points(3)
def test_drop_labels(student, rng, device):
    """drop_labels replaces a p_uncond fraction of the labels by null_label and keeps the rest,
    is repeatable for a seed, differs across seeds, leaves y alone, handles p = 0 and 1 and
    rejects p outside [0, 1]."""
    y = torch.as_tensor(rng.integers(0, 4, 20000), device=device)
    call = watch_call(student.guidance.drop_labels, y, 0.3, 4, 11)
    assert not call.changed, "drop_labels modified y in place"
    out = call.result
    dropped = out == 4
    assert 0.28 < float(dropped.double().mean()) < 0.32, "about p_uncond should be dropped"
    assert bool((out[~dropped] == y[~dropped]).all()), "kept labels should be unchanged"
    again = student.guidance.drop_labels(y, 0.3, 4, 11)
    assert bool((again == out).all()), "the same seed should drop the same labels"
    other = student.guidance.drop_labels(y, 0.3, 4, 12)
    assert not bool((other == out).all()), "another seed should drop other labels"
    assert bool((student.guidance.drop_labels(y, 0.0, 4, 1) == y).all()), "p = 0 keeps all"
    assert bool((student.guidance.drop_labels(y, 1.0, 4, 1) == 4).all()), "p = 1 drops all"
    with pytest.raises(StudentError) as raised:
        student.guidance.drop_labels(y, 1.5, 4, 1)
    assert raised.value.type_name == "ValueError", "p_uncond = 1.5 should raise ValueError"


@part("guidance")
@points(3)
def test_guided_model(student, rng, device):
    """GuidedModel(inner, y, w)(x, t) mixes inner(x, t, y) and inner(x, t, inner.num_classes)
    as (1 + w) eps_c - w eps_u."""
    mine, theirs = toys(student, device, int(rng.integers(100)))
    x = draw(rng, (9, 2), device)
    t = torch.as_tensor(rng.integers(0, 100, 9), device=device)
    y = torch.as_tensor(rng.integers(0, 3, 9), device=device)
    null = torch.full((9,), 3, device=device)
    for w in (0.0, 2.0):
        got = student.guidance.GuidedModel(theirs, y, w)(x, t)
        with torch.no_grad():
            want = (1 + w) * mine(x, t, y) - w * mine(x, t, null)
        assert_close(got, want, rtol=1e-10, atol=1e-12, name=f"the guided output, w={w}")


@part("guidance")
@points(2)
def test_guided_sample_matches_ddim(student, rng, device):
    """guided_sample is deterministic DDIM (eta = 0) of the guided model, as diffusers' DDIM
    loop with the guided noise."""
    mine, theirs = toys(student, device, int(rng.integers(100)))
    sch = DDIMScheduler(100, beta_start=1e-3, beta_end=0.2, clip_sample=False)
    sch.alphas_cumprod = torch.cumprod(1 - sch.betas.double(), 0)
    sch.set_timesteps(10)
    x_T, y = draw(rng, (12, 2), device), torch.arange(12, device=device) % 3
    null, x, w = torch.full((12,), 3, device=device), x_T, 1.5
    with torch.no_grad():
        for t in sch.timesteps:
            steps = torch.full((12,), int(t), device=device)
            eps = (1 + w) * mine(x, steps, y) - w * mine(x, steps, null)
            x = sch.step(eps, t, x, eta=0.0).prev_sample
    got = student.guidance.guided_sample(theirs, x_T, y, sch.alphas_cumprod, w, num_steps=10)
    assert_close(got, x, rtol=1e-7, atol=1e-9, name="the guided DDIM sample")


@part("guidance")
@points(3)
def test_guidance_raises_class_accuracy(student, device):
    """A conditional Denoiser (hidden 128, 3 classes) trained on overlapping blobs with
    p_uncond 0.2 (500 steps, batch 256, lr 1e-2): the nearest-centre accuracy of guided samples
    (25 DDIM steps) is at least 0.7 at w = 0 and rises by at least 0.06, to 0.93 or more, at
    w = 3."""
    x, y = blobs(3000, seed=0)
    student.lib("dnn.autograd").torch.manual_seed(0)
    net = student.denoiser.Denoiser(hidden=128, num_classes=3)
    net.to(device)
    abar = torch.cumprod(1 - torch.linspace(1e-3, 0.2, 100, dtype=torch.float64), 0).float()
    student.denoiser.train_denoiser(net, x.to(device), abar, steps=500, batch_size=256, lr=1e-2,
                                    seed=0, labels=y.to(device), p_uncond=0.2)
    want = torch.arange(900) % 3
    x_T = torch.randn(900, 2, generator=torch.Generator().manual_seed(5)).to(device)
    acc = {}
    for w in (0.0, 3.0):
        s = student.guidance.guided_sample(net, x_T, want.to(device), abar, w, num_steps=25)
        acc[w] = float((nearest_centre(s.cpu()) == want).double().mean())
    assert acc[0.0] >= 0.7, f"the w = 0 samples are of their class {acc[0.0]:.2f} of the time"
    assert acc[3.0] >= max(acc[0.0] + 0.06, 0.93), (
        f"guidance should raise the class accuracy: {acc[0.0]:.2f} at w=0, {acc[3.0]:.2f} at w=3")
