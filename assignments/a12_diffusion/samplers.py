"""Samplers: the ancestral DDPM step and the DDIM step, and loops that run them.

DDPM (Ho et al. 2020) steps back from t to t - 1 with the model's estimate x0_hat of x_0:

    x_{t-1} = mu_t(x_t, x0_hat) + sigma_t z,        z ~ N(0, I), and no noise at t = 0

(mu_t and sigma_t^2 as in forward_process). DDIM (Song et al. 2021) jumps from t to any earlier
t' (abar_{t'} = 1 when t' < 0) with eps_hat, the model's estimate of the noise:

    sigma = eta sqrt((1 - abar_t') / (1 - abar_t) (1 - abar_t / abar_t'))
    x_t' = sqrt(abar_t') x0_hat + sqrt(1 - abar_t' - sigma^2) eps_hat + sigma z

eta = 0 is deterministic; eta = 1 is DDPM's fixed_small variance. With ``clip_sample`` = c,
x0_hat is clamped to [-c, c] before it is used (eps_hat is not recomputed), as diffusers does.

The loops call ``model(x, t)`` with x (B, ...) and t (B,) int64 on x's device, under no_grad,
and draw every z as ``torch.randn(x.shape, generator=g, device=x.device, dtype=x.dtype)`` from one
``g = torch.Generator(device=x.device).manual_seed(seed)``, one draw per step that adds noise
(DDPM: every t > 0; DDIM: every step when eta > 0), in the order of the steps.
"""

import torch
from forward_process import posterior_mean, posterior_variance
from parameterization import predict_eps, predict_x0
from torch import Tensor, nn


def _steps(t: int, like: Tensor) -> Tensor:
    return torch.full((like.shape[0],), t, dtype=torch.long, device=like.device)


def ddpm_step(model_output: Tensor, t: int, xt: Tensor, alphas_bar: Tensor, noise: Tensor, *,
              prediction_type: str = "epsilon", variance_type: str = "fixed_small",
              clip_sample: float | None = None) -> tuple[Tensor, Tensor]:
    """One ancestral step from x_t (B, ...) to x_{t-1}: returns (x_{t-1}, x0_hat).

    ``noise`` (B, ...) is z; it is not used at t = 0.
    """
    raise NotImplementedError('implement ddpm_step in samplers.py')


def ddim_timesteps(num_train_steps: int, num_inference_steps: int) -> Tensor:
    """(n,) int64, descending: t_i = i * (T // n) for i = n-1 .. 0 (diffusers' "leading").

    Raises:
        ValueError: unless 1 <= num_inference_steps <= num_train_steps.
    """
    raise NotImplementedError('implement ddim_timesteps in samplers.py')


def ddim_step(model_output: Tensor, t: int, t_prev: int, xt: Tensor, alphas_bar: Tensor, *,
              eta: float = 0.0, noise: Tensor | None = None, prediction_type: str = "epsilon",
              clip_sample: float | None = None) -> tuple[Tensor, Tensor]:
    """One DDIM step from x_t (B, ...) to x_{t_prev} (t_prev < 0: to x_0): (x_{t_prev}, x0_hat).

    Raises:
        ValueError: when eta > 0 and noise is None.
    """
    raise NotImplementedError('implement ddim_step in samplers.py')


def ddpm_sample(model: nn.Module, x_T: Tensor, alphas_bar: Tensor, *, seed: int = 0,
                prediction_type: str = "epsilon",
                variance_type: str = "fixed_small") -> Tensor:
    """Run ddpm_step from t = T-1 down to 0 starting at x_T (B, ...); return x_0."""
    raise NotImplementedError('implement ddpm_sample in samplers.py')


def ddim_sample(model: nn.Module, x_T: Tensor, alphas_bar: Tensor, num_steps: int, *,
                eta: float = 0.0, seed: int = 0, prediction_type: str = "epsilon") -> Tensor:
    """Run ddim_step over ddim_timesteps(T, num_steps), each t to t - T // num_steps; return
    x_0."""
    raise NotImplementedError('implement ddim_sample in samplers.py')
