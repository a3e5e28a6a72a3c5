"""The spike nonlinearity with surrogate gradients, as torch.autograd Functions.

Forward, every surrogate is the Heaviside step z = H(x), H(x) = 1 for x > 0 and 0 for x <= 0
(x = v - v_th). Its true derivative is 0 almost everywhere, so backward returns a surrogate
dz/dx instead (Neftci, Mostafa & Zenke 2019):

    SuperSpike (Zenke & Ganguli 2018):  dz/dx = 1 / (alpha |x| + 1)^2
        (the derivative of the fast sigmoid x / (1 + alpha |x|))
    Triangle (Esser et al. 2016, Bellec et al. 2020, norse's convention):
                                         dz/dx = alpha max(0, 1 - |x|)
"""

import torch
from torch import Tensor, nn


def heaviside(x: Tensor) -> Tensor:
    """H(x): 1.0 where x > 0, else 0.0 (so H(0) = 0), in x's dtype and shape."""
    return (x > 0).to(x.dtype)


class SuperSpike(torch.autograd.Function):
    """z = H(x) forward; backward dL/dx = dL/dz / (alpha |x| + 1)^2; no gradient for alpha."""

    @staticmethod
    def forward(ctx, x: Tensor, alpha: float) -> Tensor:  # type: ignore[override]
        """Save x (and alpha) for backward; return H(x)."""
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return heaviside(x)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        """(dL/dx, None) with dL/dx = grad_output / (alpha |x| + 1)^2."""
        (x,) = ctx.saved_tensors
        return grad_output / (ctx.alpha * x.abs() + 1.0) ** 2, None


class Triangle(torch.autograd.Function):
    """z = H(x) forward; backward dL/dx = dL/dz * alpha * max(0, 1 - |x|)."""

    @staticmethod
    def forward(ctx, x: Tensor, alpha: float) -> Tensor:  # type: ignore[override]
        """Save x (and alpha) for backward; return H(x)."""
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return heaviside(x)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        """(dL/dx, None) with dL/dx = grad_output * alpha * relu(1 - |x|)."""
        (x,) = ctx.saved_tensors
        return grad_output * ctx.alpha * torch.relu(1.0 - x.abs()), None


def spike_fn(x: Tensor, method: str = "super", alpha: float = 100.0) -> Tensor:
    """The spike of x = v - v_th with the surrogate ``method`` (norse's ``threshold``).

    Args:
        method: "heaviside" (plain H: no gradient flows), "super" (SuperSpike) or "triangle";
            anything else raises ValueError.

    Returns:
        H(x), shape of x, with the surrogate's backward.
    """
    if method == "heaviside":
        return heaviside(x)
    if method == "super":
        return SuperSpike.apply(x, alpha)
    if method == "triangle":
        return Triangle.apply(x, alpha)
    raise ValueError(f"unknown surrogate {method!r}")


class SpikeLayer(nn.Module):
    """``spike_fn`` as a module (no parameters): forward(x) = spike_fn(x - v_th, method, alpha)."""

    def __init__(self, method: str = "super", alpha: float = 100.0, v_th: float = 0.0) -> None:
        super().__init__()
        self.method, self.alpha, self.v_th = method, alpha, v_th

    def forward(self, x: Tensor) -> Tensor:
        """(...) -> (...) spikes of x above v_th."""
        return spike_fn(x - self.v_th, self.method, self.alpha)
