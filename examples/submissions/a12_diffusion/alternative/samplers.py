"""DDPM and DDIM (alternative submission)."""

import torch
from parameterization import predict_eps, predict_x0
from torch import Tensor, nn


def _abar(alphas_bar: Tensor, t: int) -> float:
    return float(alphas_bar[t]) if t >= 0 else 1.0


def ddpm_step(model_output: Tensor, t: int, xt: Tensor, alphas_bar: Tensor, noise: Tensor, *,
              prediction_type: str = "epsilon", variance_type: str = "fixed_small",
              clip_sample: float | None = None) -> tuple[Tensor, Tensor]:
    """One ancestral step."""
    steps = torch.full((xt.shape[0],), t, device=xt.device, dtype=torch.long)
    x0 = predict_x0(model_output, xt, steps, alphas_bar, prediction_type)
    if clip_sample is not None:
        x0 = torch.clamp(x0, -clip_sample, clip_sample)
    a_t, a_p = _abar(alphas_bar, t), _abar(alphas_bar, t - 1)
    beta = 1 - a_t / a_p
    mean = (a_p ** 0.5 * beta * x0 + (1 - beta) ** 0.5 * (1 - a_p) * xt) / (1 - a_t)
    if t <= 0:
        return mean, x0
    var = beta if variance_type == "fixed_large" else beta * (1 - a_p) / (1 - a_t)
    if variance_type not in ("fixed_small", "fixed_large"):
        raise ValueError(variance_type)
    return mean + var ** 0.5 * noise, x0


def ddim_timesteps(num_train_steps: int, num_inference_steps: int) -> Tensor:
    """Leading spacing, descending."""
    if num_inference_steps < 1 or num_inference_steps > num_train_steps:
        raise ValueError("bad number of steps")
    k = num_train_steps // num_inference_steps
    return torch.tensor([i * k for i in reversed(range(num_inference_steps))], dtype=torch.int64)


def ddim_step(model_output: Tensor, t: int, t_prev: int, xt: Tensor, alphas_bar: Tensor, *,
              eta: float = 0.0, noise: Tensor | None = None, prediction_type: str = "epsilon",
              clip_sample: float | None = None) -> tuple[Tensor, Tensor]:
    """One DDIM step."""
    if eta > 0 and noise is None:
        raise ValueError("noise needed")
    steps = torch.full((xt.shape[0],), t, device=xt.device, dtype=torch.long)
    eps = predict_eps(model_output, xt, steps, alphas_bar, prediction_type)
    x0 = predict_x0(model_output, xt, steps, alphas_bar, prediction_type)
    if clip_sample is not None:
        x0 = torch.clamp(x0, -clip_sample, clip_sample)
    a_t, a_p = _abar(alphas_bar, t), _abar(alphas_bar, t_prev)
    var = eta ** 2 * (1 - a_p) / (1 - a_t) * (1 - a_t / a_p)
    x = a_p ** 0.5 * x0 + (1 - a_p - var) ** 0.5 * eps
    if eta > 0:
        x = x + var ** 0.5 * noise
    return x, x0


@torch.no_grad()
def ddpm_sample(model: nn.Module, x_T: Tensor, alphas_bar: Tensor, *, seed: int = 0,
                prediction_type: str = "epsilon",
                variance_type: str = "fixed_small") -> Tensor:
    """Full ancestral sampling."""
    g = torch.Generator(device=x_T.device)
    g.manual_seed(seed)
    x = x_T.clone()
    for t in reversed(range(alphas_bar.shape[0])):
        ts = torch.full((x.shape[0],), t, device=x.device, dtype=torch.long)
        out = model(x, ts)
        z = torch.randn(x.shape, generator=g, device=x.device, dtype=x.dtype) if t else out
        x, _ = ddpm_step(out, t, x, alphas_bar, z, prediction_type=prediction_type,
                         variance_type=variance_type)
    return x


@torch.no_grad()
def ddim_sample(model: nn.Module, x_T: Tensor, alphas_bar: Tensor, num_steps: int, *,
                eta: float = 0.0, seed: int = 0, prediction_type: str = "epsilon") -> Tensor:
    """DDIM sampling."""
    g = torch.Generator(device=x_T.device)
    g.manual_seed(seed)
    total = alphas_bar.shape[0]
    x = x_T.clone()
    for t in ddim_timesteps(total, num_steps):
        t = int(t)
        out = model(x, torch.full((x.shape[0],), t, device=x.device, dtype=torch.long))
        z = None
        if eta > 0:
            z = torch.randn(x.shape, generator=g, device=x.device, dtype=x.dtype)
        x, _ = ddim_step(out, t, t - total // num_steps, x, alphas_bar, eta=eta, noise=z,
                         prediction_type=prediction_type)
    return x
