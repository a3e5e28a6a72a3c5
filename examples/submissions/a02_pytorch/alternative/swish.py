"""A custom autograd Function with a hand-written backward pass, and the module around it.

Swish (also SiLU when beta = 1): y = x * sigmoid(beta * x), with a learnable slope beta.
With s = sigmoid(beta x):

    dy/dx    = s + beta x s (1 - s)
    dy/dbeta = x^2 s (1 - s)

beta broadcasts against x (a scalar, or one value per feature), so its gradient is the upstream
product summed back to beta's shape (as tensor_ops.unbroadcast does). Autograd would sum a
gradient of x's shape down to beta's by itself, but a backward should return exact shapes.
"""

from typing import Any

import torch
import torch.nn.functional as F
from tensor_ops import unbroadcast
from torch import nn


def _sigmoid_pair(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(sigmoid(z), 1 - sigmoid(z)) = (exp(logsigmoid(z)), exp(logsigmoid(-z))).

    Both come from the stable log-sigmoid, so 1 - s keeps its relative precision where s is
    close to 1 (no cancellation in 1 - s)."""
    return torch.exp(F.logsigmoid(z)), torch.exp(F.logsigmoid(-z))


class SwishFunction(torch.autograd.Function):
    """y = x * sigmoid(beta * x) with an explicit backward (autograd does not trace forward)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
        """Compute y and save what backward needs with ``ctx.save_for_backward``.

        Args:
            x: (*S) input.
            beta: a shape that broadcasts to S, e.g. () or (S[-1],).

        Returns:
            y: (*S).
        """
        s, s_comp = _sigmoid_pair(beta * x)
        y = x * s
        # keep the sigmoid and its complement: backward needs no exp of its own
        ctx.save_for_backward(x, beta, s, s_comp)
        return y

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        """Vector-Jacobian products for x and beta.

        dL/dx    = grad_out * (s + beta x s (1 - s))                 shape of x
        dL/dbeta = grad_out * x^2 s (1 - s), summed to beta's shape  shape of beta

        Return None for an input whose ``ctx.needs_input_grad`` entry is False.

        Args:
            grad_out: (*S), dL/dy.

        Returns:
            (dL/dx, dL/dbeta).
        """
        x, beta, s, s_comp = ctx.saved_tensors
        need_x, need_beta = ctx.needs_input_grad[:2]
        # x s (1 - s) appears in both: dy/dx = s + beta (x s (1-s)), dy/dbeta = x (x s (1-s))
        xss = x * s * s_comp
        grad_x = grad_out * torch.addcmul(s, beta, xss) if need_x else None
        grad_beta = unbroadcast(grad_out * x * xss, tuple(beta.shape)) if need_beta else None
        return grad_x, grad_beta


def swish(x: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    """y = x * sigmoid(beta * x) through ``SwishFunction.apply``, so gradients use its backward."""
    return SwishFunction.apply(x, beta)


def swish_with_grads(
    x: torch.Tensor, beta: torch.Tensor, upstream: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(y, dL/dx, dL/dbeta) for L = sum(y * upstream), through SwishFunction (tests use it)."""
    x = x.detach().clone().requires_grad_(True)
    beta = beta.detach().clone().requires_grad_(True)
    y = SwishFunction.apply(x, beta)
    grad_x, grad_beta = torch.autograd.grad(y, (x, beta), upstream)
    return y.detach(), grad_x, grad_beta


class Swish(nn.Module):
    """Swish with one learnable slope per feature: ``self.beta`` of shape (num_features,)."""

    def __init__(self, num_features: int, beta_init: float = 1.0) -> None:
        super().__init__()
        self.beta = nn.Parameter(torch.full((num_features,), float(beta_init)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply ``swish`` with ``self.beta`` broadcast over the last axis.

        Args:
            x: (N, num_features).

        Returns:
            (N, num_features).
        """
        return SwishFunction.apply(x, self.beta)
