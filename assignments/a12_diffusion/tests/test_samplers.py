"""DDPM and DDIM steps: the DDIM step with eta = 1 to t - 1 is the DDPM step."""

import pytest
import torch
from forward_process import q_sample
from noise_schedule import alphas_cumprod, linear_betas
from samplers import ddim_sample, ddim_step, ddim_timesteps, ddpm_sample, ddpm_step

ABAR = alphas_cumprod(linear_betas(100, 1e-3, 0.2))


def test_ddim_timesteps_leading() -> None:
    assert ddim_timesteps(1000, 4).tolist() == [750, 500, 250, 0]
    with pytest.raises(ValueError):
        ddim_timesteps(10, 11)


def test_ddim_with_eta_one_is_the_ddpm_step() -> None:
    out, xt, z = (torch.randn(5, 2, dtype=torch.float64) for _ in range(3))
    for t in (99, 40, 1):
        ddpm, _ = ddpm_step(out, t, xt, ABAR, z)
        ddim, _ = ddim_step(out, t, t - 1, xt, ABAR, eta=1.0, noise=z)
        torch.testing.assert_close(ddim, ddpm)


def test_exact_noise_jumps_to_x0() -> None:
    x0, noise = torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    xt = q_sample(x0, torch.full((4,), 70), noise, ABAR)
    x_prev, x0_hat = ddim_step(noise, 70, -1, xt, ABAR)
    torch.testing.assert_close(x_prev, x0)
    torch.testing.assert_close(x0_hat, x0)
    with pytest.raises(ValueError):
        ddim_step(noise, 70, 60, xt, ABAR, eta=0.5)


class Zero(torch.nn.Module):
    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)


def test_sampling_loops_are_seeded() -> None:
    x_T = torch.randn(8, 2, dtype=torch.float64)
    a, b = ddpm_sample(Zero(), x_T, ABAR, seed=3), ddpm_sample(Zero(), x_T, ABAR, seed=3)
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, ddpm_sample(Zero(), x_T, ABAR, seed=4))
    # a zero-noise model with eta = 0 only rescales: x_0 = x_T / sqrt(abar_{T-1})
    torch.testing.assert_close(ddim_sample(Zero(), x_T, ABAR, 10), x_T / ABAR[90].sqrt())
