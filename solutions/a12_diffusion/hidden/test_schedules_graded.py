"""Graded: linear and cosine beta schedules, alpha_bar and the SNR against diffusers'
DDPMScheduler built with the same settings (part "schedules", 9 points)."""

import math

import pytest
import torch
from diffusers import DDPMScheduler

from autograder.testing import StudentError, assert_close, part, points


@part("schedules")
@points(3)
def test_linear_betas_match_diffusers(student):
    """linear_betas(T, beta_start, beta_end) is DDPMScheduler's "linear" schedule, float64, for
    several T and end points."""
    for num, start, end in ((1000, 1e-4, 0.02), (100, 1e-3, 0.2), (37, 5e-4, 0.05)):
        got = student.noise_schedule.linear_betas(num, start, end)
        want = DDPMScheduler(num, beta_start=start, beta_end=end, beta_schedule="linear").betas
        assert got.dtype == torch.float64, "the schedule should be float64"
        assert_close(got, want.double(), rtol=1e-6, atol=1e-9, name=f"linear betas, T={num}")
        assert_close(got[[0, -1]], torch.tensor([start, end], dtype=torch.float64), rtol=1e-12,
                     name=f"the first and last beta, T={num}")


@part("schedules")
@points(3)
def test_cosine_betas_match_diffusers(student):
    """cosine_betas(T) is DDPMScheduler's "squaredcos_cap_v2" schedule (s = 0.008, capped at
    0.999); other s and caps follow the formula."""
    for num in (1000, 100, 10):
        got = student.noise_schedule.cosine_betas(num)
        want = DDPMScheduler(num, beta_schedule="squaredcos_cap_v2").betas
        assert got.dtype == torch.float64, "the schedule should be float64"
        assert_close(got, want.double(), rtol=1e-6, atol=1e-9, name=f"cosine betas, T={num}")
    u = torch.arange(51, dtype=torch.float64) / 50
    abar = torch.cos((u + 0.02) / 1.02 * math.pi / 2) ** 2
    want = (1 - abar[1:] / abar[:-1]).clamp(max=0.5)
    got = student.noise_schedule.cosine_betas(50, s=0.02, max_beta=0.5)
    assert_close(got, want, rtol=1e-10, name="cosine betas with s=0.02, max_beta=0.5")


@part("schedules")
@points(2)
def test_alphas_cumprod_and_snr(student, rng, device):
    """alphas_cumprod matches DDPMScheduler.alphas_cumprod and keeps the betas' dtype and device;
    signal_to_noise is abar / (1 - abar)."""
    for kind in ("linear", "squaredcos_cap_v2"):
        sch = DDPMScheduler(200, beta_schedule=kind)
        got = student.noise_schedule.alphas_cumprod(sch.betas.double().to(device))
        assert got.device.type == device and got.dtype == torch.float64, (
            "alphas_cumprod should keep the betas' device and dtype")
        assert_close(got, sch.alphas_cumprod.double(), rtol=2e-5, atol=1e-9,
                     name=f"alpha_bar of the {kind} schedule")
    betas = torch.as_tensor(rng.uniform(0.001, 0.3, 25), device=device)
    want = torch.cumprod(1 - betas, 0)
    assert_close(student.noise_schedule.alphas_cumprod(betas), want, rtol=1e-12,
                 name="alpha_bar of random betas")
    assert_close(student.noise_schedule.signal_to_noise(want), want / (1 - want), rtol=1e-12,
                 name="the SNR")


@part("schedules")
@points(1)
def test_schedule_arguments_rejected(student):
    """linear_betas and cosine_betas raise ValueError for fewer than 2 steps; linear_betas for
    betas outside 0 < beta_start <= beta_end < 1."""
    bad = [("linear_betas", (1,)), ("linear_betas", (10, 0.0, 0.02)),
           ("linear_betas", (10, 0.03, 0.02)), ("linear_betas", (10, 1e-4, 1.0)),
           ("cosine_betas", (1,))]
    for name, args in bad:
        with pytest.raises(StudentError) as raised:
            getattr(student.noise_schedule, name)(*args)
        assert raised.value.type_name == "ValueError", f"{name}{args} should raise ValueError"
