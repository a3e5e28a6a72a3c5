"""Spike function with surrogate gradients (alternative submission)."""

import torch
from torch import Tensor, nn


def heaviside(x: Tensor) -> Tensor:
    return torch.heaviside(x, torch.zeros((), dtype=x.dtype, device=x.device)).to(x.dtype)


class SuperSpike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, alpha: float) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(x)
        ctx.alpha = float(alpha)
        return heaviside(x)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        (x,) = ctx.saved_tensors
        denominator = 1.0 + ctx.alpha * torch.abs(x)
        return grad_output * denominator.reciprocal().square(), None


class Triangle(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, alpha: float) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(x)
        ctx.alpha = float(alpha)
        return heaviside(x)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        (x,) = ctx.saved_tensors
        slope = torch.clamp(1.0 - torch.abs(x), min=0.0) * ctx.alpha
        return grad_output * slope, None


_METHODS = {"super": SuperSpike, "triangle": Triangle}


def spike_fn(x: Tensor, method: str = "super", alpha: float = 100.0) -> Tensor:
    if method == "heaviside":
        return heaviside(x)
    if method not in _METHODS:
        raise ValueError(f"no surrogate called {method}")
    return _METHODS[method].apply(x, alpha)


class SpikeLayer(nn.Module):
    def __init__(self, method: str = "super", alpha: float = 100.0, v_th: float = 0.0) -> None:
        super().__init__()
        self.method, self.alpha, self.v_th = method, alpha, v_th

    def forward(self, x: Tensor) -> Tensor:
        return spike_fn(x - self.v_th, method=self.method, alpha=self.alpha)
