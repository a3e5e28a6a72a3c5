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
    steps = _steps(t, xt)
    x0 = predict_x0(model_output, xt, steps, alphas_bar, prediction_type)
    if clip_sample is not None:
        x0 = x0.clamp(-clip_sample, clip_sample)
    mean = posterior_mean(x0, xt, steps, alphas_bar)
    if t == 0:
        return mean, x0
    var = posterior_variance(steps, alphas_bar, variance_type).to(xt.dtype)
    return mean + var.sqrt().reshape(-1, *([1] * (xt.dim() - 1))) * noise, x0


def ddim_timesteps(num_train_steps: int, num_inference_steps: int) -> Tensor:
    """(n,) int64, descending: t_i = i * (T // n) for i = n-1 .. 0 (diffusers' "leading").

    Raises:
        ValueError: unless 1 <= num_inference_steps <= num_train_steps.
    """
    if not 1 <= num_inference_steps <= num_train_steps:
        raise ValueError("num_inference_steps must be in 1 .. num_train_steps")
    ratio = num_train_steps // num_inference_steps
    return torch.arange(num_inference_steps - 1, -1, -1, dtype=torch.long) * ratio


def ddim_step(model_output: Tensor, t: int, t_prev: int, xt: Tensor, alphas_bar: Tensor, *,
              eta: float = 0.0, noise: Tensor | None = None, prediction_type: str = "epsilon",
              clip_sample: float | None = None) -> tuple[Tensor, Tensor]:
    """One DDIM step from x_t (B, ...) to x_{t_prev} (t_prev < 0: to x_0): (x_{t_prev}, x0_hat).

    Raises:
        ValueError: when eta > 0 and noise is None.
    """
    if eta > 0 and noise is None:
        raise ValueError("a DDIM step with eta > 0 needs noise")
    steps = _steps(t, xt)
    x0 = predict_x0(model_output, xt, steps, alphas_bar, prediction_type)
    eps = predict_eps(model_output, xt, steps, alphas_bar, prediction_type)
    if clip_sample is not None:
        x0 = x0.clamp(-clip_sample, clip_sample)
    abar = alphas_bar[t].item()
    abar_prev = alphas_bar[t_prev].item() if t_prev >= 0 else 1.0
    sigma = eta * ((1 - abar_prev) / (1 - abar) * (1 - abar / abar_prev)) ** 0.5
    out = abar_prev ** 0.5 * x0 + (1 - abar_prev - sigma ** 2) ** 0.5 * eps
    if eta > 0 and noise is not None:
        out = out + sigma * noise
    return out, x0


def ddpm_sample(model: nn.Module, x_T: Tensor, alphas_bar: Tensor, *, seed: int = 0,
                prediction_type: str = "epsilon",
                variance_type: str = "fixed_small") -> Tensor:
    """Run ddpm_step from t = T-1 down to 0 starting at x_T (B, ...); return x_0."""
    gen = torch.Generator(device=x_T.device).manual_seed(seed)
    x = x_T
    with torch.no_grad():
        for t in range(len(alphas_bar) - 1, -1, -1):
            out = model(x, _steps(t, x))
            z = (torch.randn(x.shape, generator=gen, device=x.device, dtype=x.dtype)
                 if t > 0 else torch.zeros_like(x))
            x, _ = ddpm_step(out, t, x, alphas_bar, z, prediction_type=prediction_type,
                             variance_type=variance_type)
    return x


def ddim_sample(model: nn.Module, x_T: Tensor, alphas_bar: Tensor, num_steps: int, *,
                eta: float = 0.0, seed: int = 0, prediction_type: str = "epsilon") -> Tensor:
    """Run ddim_step over ddim_timesteps(T, num_steps), each t to t - T // num_steps; return
    x_0."""
    gen = torch.Generator(device=x_T.device).manual_seed(seed)
    stride = len(alphas_bar) // num_steps
    x = x_T
    with torch.no_grad():
        for t in ddim_timesteps(len(alphas_bar), num_steps).tolist():
            out = model(x, _steps(t, x))
            z = (torch.randn(x.shape, generator=gen, device=x.device, dtype=x.dtype)
                 if eta > 0 else None)
            x, _ = ddim_step(out, t, t - stride, x, alphas_bar, eta=eta, noise=z,
                             prediction_type=prediction_type)
    return x
