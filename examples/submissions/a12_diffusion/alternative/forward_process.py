"""Forward process and posterior (alternative submission)."""

import torch
from noise_schedule import gather
from torch import Tensor


def previous_alphas_cumprod(alphas_bar: Tensor) -> Tensor:
    """abar_{t-1} with 1 in front."""
    out = torch.ones_like(alphas_bar)
    out[1:] = alphas_bar[:-1]
    return out


def q_sample(x0: Tensor, t: Tensor, noise: Tensor, alphas_bar: Tensor) -> Tensor:
    """Closed-form x_t."""
    a = gather(alphas_bar, t, x0)
    return torch.sqrt(a) * x0 + torch.sqrt(1 - a) * noise


def posterior_mean(x0: Tensor, xt: Tensor, t: Tensor, alphas_bar: Tensor) -> Tensor:
    """Mean of q(x_{t-1} | x_t, x_0)."""
    a_t = gather(alphas_bar, t, xt)
    a_p = gather(previous_alphas_cumprod(alphas_bar), t, xt)
    alpha = a_t / a_p
    num = torch.sqrt(a_p) * (1 - alpha) * x0 + torch.sqrt(alpha) * (1 - a_p) * xt
    return num / (1 - a_t)


def posterior_variance(t: Tensor, alphas_bar: Tensor, variance_type: str = "fixed_small") -> Tensor:
    """sigma_t^2, fixed_small or fixed_large."""
    prev = previous_alphas_cumprod(alphas_bar)
    idx = t.long().cpu()
    beta = 1 - alphas_bar[idx] / prev[idx]
    if variance_type == "fixed_large":
        out = beta
    elif variance_type == "fixed_small":
        out = beta * (1 - prev[idx]) / (1 - alphas_bar[idx])
    else:
        raise ValueError(variance_type)
    return out.to(t.device)
