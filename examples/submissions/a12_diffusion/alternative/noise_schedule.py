"""Noise schedules (alternative submission, written from the handout)."""

import math

import torch
from torch import Tensor


def linear_betas(num_steps: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> Tensor:
    """(T,) float64 evenly spaced betas, both ends included."""
    if num_steps < 2 or not (0 < beta_start <= beta_end < 1):
        raise ValueError("bad schedule arguments")
    step = (beta_end - beta_start) / (num_steps - 1)
    return torch.tensor([beta_start + i * step for i in range(num_steps)], dtype=torch.float64)


def cosine_betas(num_steps: int, s: float = 0.008, max_beta: float = 0.999) -> Tensor:
    """(T,) float64 cosine schedule."""
    if num_steps < 2:
        raise ValueError("need two steps")

    def f(u: float) -> float:
        return math.cos((u + s) / (1 + s) * math.pi / 2) ** 2

    vals = [min(1 - f((i + 1) / num_steps) / f(i / num_steps), max_beta) for i in range(num_steps)]
    return torch.tensor(vals, dtype=torch.float64)


def alphas_cumprod(betas: Tensor) -> Tensor:
    """(T,) cumulative product of 1 - beta."""
    return torch.exp(torch.cumsum(torch.log1p(-betas), 0))


def signal_to_noise(alphas_bar: Tensor) -> Tensor:
    """(T,) abar / (1 - abar)."""
    return 1 / (1 / alphas_bar - 1)


def gather(values: Tensor, t: Tensor, like: Tensor) -> Tensor:
    """values[t] broadcast against like."""
    out = values.to(like.device, like.dtype)[t.to(like.device).long()]
    return out.reshape(-1, *([1] * (like.dim() - 1)))
