"""Schedules, q(x_t | x_0) and the posterior on small inputs worked by hand."""

import math

import pytest
import torch
from forward_process import posterior_mean, posterior_variance, previous_alphas_cumprod, q_sample
from noise_schedule import alphas_cumprod, cosine_betas, linear_betas, signal_to_noise


def test_linear_betas_end_points_and_spacing() -> None:
    betas = linear_betas(5, 0.1, 0.5)
    torch.testing.assert_close(betas, torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5], dtype=torch.float64))
    with pytest.raises(ValueError):
        linear_betas(1)


def test_cosine_betas_first_step_and_decreasing_alpha_bar() -> None:
    betas = cosine_betas(4)
    f = [math.cos((u / 4 + 0.008) / 1.008 * math.pi / 2) ** 2 for u in range(5)]
    assert betas.dtype == torch.float64 and betas.shape == (4,)
    assert float(betas[0]) == pytest.approx(1 - f[1] / f[0])
    assert float(betas[-1]) == pytest.approx(0.999)           # capped: alpha_bar(1) = 0
    abar = alphas_cumprod(cosine_betas(100))
    assert bool((abar[1:] < abar[:-1]).all())
    assert bool((signal_to_noise(abar)[1:] < signal_to_noise(abar)[:-1]).all())


def test_alphas_cumprod_by_hand() -> None:
    abar = alphas_cumprod(torch.tensor([0.5, 0.5, 0.2], dtype=torch.float64))
    torch.testing.assert_close(abar, torch.tensor([0.5, 0.25, 0.2], dtype=torch.float64))
    torch.testing.assert_close(previous_alphas_cumprod(abar),
                               torch.tensor([1.0, 0.5, 0.25], dtype=torch.float64))


def test_q_sample_by_hand() -> None:
    abar = torch.tensor([0.64, 0.36], dtype=torch.float64)
    x0 = torch.ones(2, 1, 2, dtype=torch.float64)
    noise = torch.full((2, 1, 2), 2.0, dtype=torch.float64)
    xt = q_sample(x0, torch.tensor([0, 1]), noise, abar)
    torch.testing.assert_close(xt[0], torch.full((1, 2), 0.8 + 0.6 * 2, dtype=torch.float64))
    torch.testing.assert_close(xt[1], torch.full((1, 2), 0.6 + 0.8 * 2, dtype=torch.float64))


def test_posterior_at_t0_and_variances_ordered() -> None:
    abar = alphas_cumprod(linear_betas(50, 1e-3, 0.2))
    x0, xt = torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    zero = torch.zeros(4, dtype=torch.long)
    torch.testing.assert_close(posterior_mean(x0, xt, zero, abar), x0)
    t = torch.arange(1, 50)
    small, large = posterior_variance(t, abar), posterior_variance(t, abar, "fixed_large")
    assert bool((small < large).all()) and float(posterior_variance(zero, abar).abs().max()) == 0
    with pytest.raises(ValueError):
        posterior_variance(t, abar, "learned")
