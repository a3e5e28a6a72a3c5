"""Graded: q(x_t | x_0) against DDPMScheduler.add_noise, and the posterior
q(x_{t-1} | x_t, x_0) mean and both variances against the Gaussian-product formulas and
diffusers' variances (part "forward", 10 points)."""

import pytest
import torch
from diffusers import DDPMScheduler
from shared_toys import draw

from autograder.testing import StudentError, assert_close, part, points, watch_call


def schedule(kind, num=100):
    """A float64 DDPMScheduler (its alpha_bar recomputed in float64) and that alpha_bar."""
    sch = DDPMScheduler(num, beta_start=1e-3, beta_end=0.2, beta_schedule=kind)
    sch.alphas_cumprod = torch.cumprod(1 - sch.betas.double(), 0)
    return sch, sch.alphas_cumprod.clone()


@part("forward")
@points(2)
def test_q_sample_matches_add_noise(student, rng, device):
    """q_sample(x0, t, noise, abar) equals DDPMScheduler.add_noise for 2-D points and image
    batches, one step per example (t = 0 and T-1 included), without modifying its arguments."""
    for kind in ("linear", "squaredcos_cap_v2"):
        sch, abar = schedule(kind)
        for shape in ((6, 2), (5, 3, 4, 4)):
            x0, noise = draw(rng, shape, device), draw(rng, shape, device)
            t = torch.as_tensor(rng.integers(0, 100, shape[0]), device=device)
            t[0], t[-1] = 0, 99
            call = watch_call(student.forward_process.q_sample, x0, t, noise, abar)
            assert not call.changed, f"q_sample modified {call.changed} in place"
            want = sch.add_noise(x0, noise, t)
            assert_close(call.result, want, rtol=1e-10, atol=1e-12,
                         name=f"x_t of shape {shape}, {kind}")


@part("forward")
@points(2)
def test_previous_alphas_cumprod(student, rng, device):
    """previous_alphas_cumprod shifts alpha_bar right by one with 1 in front, same dtype."""
    abar = torch.cumprod(1 - torch.as_tensor(rng.uniform(0.01, 0.2, 12), device=device), 0)
    got = student.forward_process.previous_alphas_cumprod(abar)
    want = torch.cat([torch.ones(1, dtype=abar.dtype, device=device), abar[:-1]])
    assert_close(got, want, rtol=1e-12, name="alpha_bar_{t-1}")


@part("forward")
@points(2)
def test_posterior_mean_formula(student, rng, device):
    """posterior_mean is the mean of q(x_{t-1} | x_t, x_0), computed here as the product of the
    Gaussians q(x_t | x_{t-1}) and q(x_{t-1} | x_0) (precision-weighted), and x_0 at t = 0."""
    for kind in ("linear", "squaredcos_cap_v2"):
        _, abar = schedule(kind)
        abar = abar.to(device)
        x0, xt = draw(rng, (7, 3), device), draw(rng, (7, 3), device)
        t = torch.as_tensor(rng.integers(1, 100, 7), device=device)
        t[0] = 1
        a_t, a_prev = abar[t], abar[t - 1]
        alpha = a_t / a_prev
        prec = alpha / (1 - alpha) + 1 / (1 - a_prev)
        want = ((alpha.sqrt() / (1 - alpha))[:, None] * xt
                + (a_prev.sqrt() / (1 - a_prev))[:, None] * x0)
        want = want / prec[:, None]
        got = student.forward_process.posterior_mean(x0, xt, t, abar)
        assert_close(got, want, rtol=1e-8, atol=1e-10, name=f"the posterior mean, {kind}")
        zero = torch.zeros(7, dtype=torch.long, device=device)
        assert_close(student.forward_process.posterior_mean(x0, xt, zero, abar), x0, rtol=1e-9,
                     atol=1e-12, name="the posterior mean at t = 0")


@part("forward")
@points(3)
def test_posterior_variances(student, rng, device):
    """posterior_variance "fixed_small" is the product-of-Gaussians variance (0 at t = 0) and
    diffusers' fixed_small; "fixed_large" is beta_t, diffusers' fixed_large."""
    for kind in ("linear", "squaredcos_cap_v2"):
        sch, abar = schedule(kind)
        t = torch.as_tensor(rng.integers(1, 100, 9), device=device)
        a_t, a_prev = abar[t.cpu()], abar[t.cpu() - 1]
        alpha = a_t / a_prev
        want_small = 1 / (alpha / (1 - alpha) + 1 / (1 - a_prev))
        got = student.forward_process.posterior_variance(t, abar, "fixed_small")
        assert_close(got, want_small, rtol=1e-9, name=f"fixed_small variance, {kind}")
        for v in ("fixed_small", "fixed_large"):
            want = torch.stack([sch._get_variance(int(s), variance_type=v) for s in t.cpu()])
            got = student.forward_process.posterior_variance(t, abar, v)
            assert_close(got, want, rtol=1e-9, name=f"{v} variance against diffusers, {kind}")
        zero = torch.zeros(3, dtype=torch.long, device=device)
        assert_close(student.forward_process.posterior_variance(zero, abar), torch.zeros(3),
                     atol=1e-15, name="the fixed_small variance at t = 0 (the default type)")


@part("forward")
@points(1)
def test_posterior_variance_rejects_unknown_type(student, device):
    """posterior_variance raises ValueError for a variance type other than the two."""
    _, abar = schedule("linear", 10)
    t = torch.arange(3, device=device)
    for bad in ("learned", "fixed"):
        with pytest.raises(StudentError) as raised:
            student.forward_process.posterior_variance(t, abar, bad)
        assert raised.value.type_name == "ValueError", f"variance_type={bad!r} should raise"
