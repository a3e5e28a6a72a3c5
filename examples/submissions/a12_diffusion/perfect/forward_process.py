"""The forward process q(x_t | x_0) and the posterior q(x_{t-1} | x_t, x_0).

With alpha_bar the schedule (T,) and t (B,) int64 steps in 0..T-1 (one per example):

    x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps,                      eps ~ N(0, I)

The posterior of one step back is Gaussian, q(x_{t-1} | x_t, x_0) = N(mu_t, sigma_t^2 I), with
abar_{t-1} = 1 at t = 0 and beta_t = 1 - abar_t / abar_{t-1}:

    mu_t = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0
           + sqrt(1 - beta_t) (1 - abar_{t-1}) / (1 - abar_t) x_t

DDPM samples x_{t-1} with either variance (Ho et al. 2020, section 3.2):

    "fixed_small":  sigma_t^2 = (1 - abar_{t-1}) / (1 - abar_t) beta_t
                    (the true posterior's; 0 at t = 0)
    "fixed_large":  sigma_t^2 = beta_t
"""

import torch
from noise_schedule import gather
from torch import Tensor

VARIANCE_TYPES = ("fixed_small", "fixed_large")


def previous_alphas_cumprod(alphas_bar: Tensor) -> Tensor:
    """(T,) abar_{t-1}: alphas_bar shifted right by one with abar_{-1} = 1."""
    return torch.cat([torch.ones_like(alphas_bar[:1]), alphas_bar[:-1]])


def q_sample(x0: Tensor, t: Tensor, noise: Tensor, alphas_bar: Tensor) -> Tensor:
    """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) noise for x0, noise (B, ...), t (B,)."""
    abar = gather(alphas_bar, t, x0)
    return abar.sqrt() * x0 + (1 - abar).sqrt() * noise


def posterior_mean(x0: Tensor, xt: Tensor, t: Tensor, alphas_bar: Tensor) -> Tensor:
    """mu_t(x_t, x_0) of q(x_{t-1} | x_t, x_0) (B, ...), with abar_{t-1} = 1 at t = 0."""
    abar = gather(alphas_bar, t, xt)
    abar_prev = gather(previous_alphas_cumprod(alphas_bar), t, xt)
    beta = 1 - abar / abar_prev
    coef_x0 = abar_prev.sqrt() * beta / (1 - abar)
    coef_xt = (1 - beta).sqrt() * (1 - abar_prev) / (1 - abar)
    return coef_x0 * x0 + coef_xt * xt


def posterior_variance(t: Tensor, alphas_bar: Tensor, variance_type: str = "fixed_small") -> Tensor:
    """(B,) sigma_t^2 of one DDPM step back, "fixed_small" or "fixed_large" (module docstring),
    in alphas_bar's dtype on t's device.

    Raises:
        ValueError: for any other variance_type.
    """
    if variance_type not in VARIANCE_TYPES:
        raise ValueError(f"variance_type must be one of {VARIANCE_TYPES}")
    t = t.long()
    abar = alphas_bar.to(t.device)[t]
    abar_prev = previous_alphas_cumprod(alphas_bar).to(t.device)[t]
    beta = 1 - abar / abar_prev
    if variance_type == "fixed_large":
        return beta
    return (1 - abar_prev) / (1 - abar) * beta
