"""Activations against torch (forward and autograd) and numeric vector-Jacobian products."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from activations import GELU, ReLU, Sigmoid, Softmax, Tanh
from layers import Module

from dnn.gradcheck import numeric_jacobian_vector, relative_error

# layer class -> the same function in torch
ORACLES = {
    ReLU: torch.relu,
    Sigmoid: torch.sigmoid,
    Tanh: torch.tanh,
    GELU: lambda t: F.gelu(t, approximate="none"),
    Softmax: lambda t: torch.softmax(t, dim=-1),
}


@pytest.mark.parametrize("cls", list(ORACLES), ids=lambda c: c.__name__)
def test_forward_matches_torch(cls: type[Module]) -> None:
    x = 3 * np.random.default_rng(0).standard_normal((4, 2, 5))  # softmax must use axis -1
    want = ORACLES[cls](torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(cls().forward(x), want, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("cls", list(ORACLES), ids=lambda c: c.__name__)
def test_backward_matches_torch_autograd(cls: type[Module]) -> None:
    rng = np.random.default_rng(1)
    x, dy = 3 * rng.standard_normal((4, 2, 5)), rng.standard_normal((4, 2, 5))
    t = torch.from_numpy(x).requires_grad_()
    ORACLES[cls](t).backward(torch.from_numpy(dy))
    layer = cls()
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(dy), t.grad.numpy(), rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("cls", list(ORACLES), ids=lambda c: c.__name__)
def test_backward_matches_numeric_gradient(cls: type[Module]) -> None:
    rng = np.random.default_rng(2)
    x, dy = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    layer = cls()
    numeric = numeric_jacobian_vector(layer.forward, x, dy)
    layer.forward(x)
    assert relative_error(layer.backward(dy), numeric) < 1e-6


def test_sigmoid_and_softmax_do_not_overflow() -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(Sigmoid().forward(np.array([-1000.0, 0.0, 1000.0])), [0, 0.5, 1])
        np.testing.assert_allclose(Softmax().forward(np.array([[1000.0, 0.0]])), [[1.0, 0.0]])
