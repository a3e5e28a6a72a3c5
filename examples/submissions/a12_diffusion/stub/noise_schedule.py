"""Noise schedules of a diffusion model: beta_t, alpha_t = 1 - beta_t and their products.

The forward process adds a little Gaussian noise at each of T steps,
q(x_t | x_{t-1}) = N(sqrt(alpha_t) x_{t-1}, beta_t I), so that in closed form

    alpha_bar_t = prod_{s<=t} alpha_s,
    q(x_t | x_0) = N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I).

Steps are numbered t = 0 .. T-1 (as diffusers numbers them); every schedule here is a float64
tensor of shape (T,) on the CPU.

- linear (Ho et al. 2020): beta_t evenly spaced from beta_start to beta_end, both included.
- cosine (Nichol & Dhariwal 2021): alpha_bar(u) = cos^2((u + s) / (1 + s) * pi / 2) for u in
  [0, 1], and beta_t = min(1 - alpha_bar((t + 1) / T) / alpha_bar(t / T), max_beta).
"""

import math

import torch
from torch import Tensor


def linear_betas(num_steps: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> Tensor:
    """(T,) float64: beta_t = beta_start + t (beta_end - beta_start) / (T - 1).

    Raises:
        ValueError: when num_steps < 2 or not 0 < beta_start <= beta_end < 1.
    """
    raise NotImplementedError('implement linear_betas in noise_schedule.py')


def cosine_betas(num_steps: int, s: float = 0.008, max_beta: float = 0.999) -> Tensor:
    """(T,) float64: the cosine schedule's beta_t = min(1 - abar((t+1)/T) / abar(t/T), max_beta)
    with abar(u) = cos^2((u + s) / (1 + s) * pi / 2).

    Raises:
        ValueError: when num_steps < 2.
    """
    raise NotImplementedError('implement cosine_betas in noise_schedule.py')


def alphas_cumprod(betas: Tensor) -> Tensor:
    """(T,) alpha_bar_t = prod_{s<=t} (1 - beta_s), in the dtype and on the device of betas."""
    raise NotImplementedError('implement alphas_cumprod in noise_schedule.py')


def signal_to_noise(alphas_bar: Tensor) -> Tensor:
    """(T,) SNR(t) = alpha_bar_t / (1 - alpha_bar_t): decreasing in t for any valid schedule."""
    raise NotImplementedError('implement signal_to_noise in noise_schedule.py')


def gather(values: Tensor, t: Tensor, like: Tensor) -> Tensor:
    """values[t] (values (T,), t (B,) int64) shaped (B, 1, ..., 1) to broadcast against ``like``
    (B, ...), in like's dtype and on its device. Given: used by the other modules."""
    out = values.to(like.device, like.dtype)[t.to(like.device).long()]
    return out.reshape(-1, *([1] * (like.dim() - 1)))
