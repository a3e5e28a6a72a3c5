"""The custom Function passes torch.autograd.gradcheck in float64; the module wraps it."""

import torch
from swish import Swish, SwishFunction, swish


def test_forward_is_x_sigmoid_beta_x() -> None:
    x, beta = torch.randn(4, 3), torch.tensor([0.5, 1.0, 2.0])
    torch.testing.assert_close(swish(x, beta), x * torch.sigmoid(beta * x))


def test_gradcheck_float64() -> None:
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    beta = torch.randn(3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(SwishFunction.apply, (x, beta))
    scalar = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(SwishFunction.apply, (x, scalar))


def test_module_has_a_learnable_beta() -> None:
    layer = Swish(3)
    x = torch.randn(5, 3)
    layer(x).sum().backward()
    assert layer.beta.grad is not None and layer.beta.grad.shape == (3,)


def test_backward_returns_beta_shaped_gradient() -> None:
    # grad_fn.apply calls SwishFunction.backward directly: autograd would otherwise sum a
    # gradient of x's shape down to beta's shape and hide the mistake
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    beta = torch.randn(3, dtype=torch.float64, requires_grad=True)
    y = SwishFunction.apply(x, beta)
    grad_x, grad_beta = y.grad_fn.apply(torch.ones_like(y))
    assert grad_x.shape == x.shape and grad_beta.shape == beta.shape
