"""Graded: ReLU, Sigmoid, Tanh, GELU and Softmax (part "activations", 15 points)."""

import numpy as np
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, part, points
from dnn.gradcheck import numeric_jacobian_vector


def check_against_torch(layer, torch_fn, x: np.ndarray, dy: np.ndarray, name: str) -> None:
    """forward(x) and backward(dy) of a student layer against torch and its autograd."""
    t = torch.from_numpy(x).requires_grad_()
    y = torch_fn(t)
    y.backward(torch.from_numpy(dy))
    assert_close(
        layer.forward(x), y.detach().numpy(), rtol=1e-9, atol=1e-12, name=f"{name}.forward"
    )
    assert_close(layer.backward(dy), t.grad.numpy(), rtol=1e-9, atol=1e-12, name=f"{name}.backward")


@part("activations")
@points(2)
def test_relu(student, rng):
    """ReLU forward is max(x, 0); backward passes dy where x > 0 and 0 elsewhere (also 0 at
    x = 0 exactly, where the handout sets the derivative to 0)."""
    x, dy = rng.standard_normal((6, 7)), rng.standard_normal((6, 7))
    x[0, :3] = 0.0
    check_against_torch(student.activations.ReLU(), torch.relu, x, dy, "ReLU")


@part("activations")
@points(3)
def test_sigmoid(student, rng):
    """Sigmoid forward and backward (dy * y * (1 - y)), including inputs of magnitude 800."""
    x, dy = 4 * rng.standard_normal((5, 6)), rng.standard_normal((5, 6))
    x[0, :2] = [800.0, -800.0]
    check_against_torch(student.activations.Sigmoid(), torch.sigmoid, x, dy, "Sigmoid")


@part("activations")
@points(2)
def test_tanh(student, rng):
    """Tanh forward and backward (dy * (1 - y^2))."""
    x, dy = 2 * rng.standard_normal((5, 6)), rng.standard_normal((5, 6))
    check_against_torch(student.activations.Tanh(), torch.tanh, x, dy, "Tanh")


@part("activations")
@points(4)
def test_gelu_exact(student, rng):
    """GELU is the exact x * Phi(x) (erf form, not the tanh approximation), forward and backward."""
    x, dy = 2 * rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    check_against_torch(
        student.activations.GELU(), lambda t: F.gelu(t, approximate="none"), x, dy, "GELU"
    )


@part("activations")
@points(2)
def test_softmax_forward(student, rng):
    """Softmax normalises along the LAST axis of a 3-D input and does not overflow for large x."""
    x = 400 * rng.standard_normal((3, 4, 5))
    want = torch.softmax(torch.from_numpy(x), dim=-1).numpy()
    assert_close(
        student.activations.Softmax().forward(x),
        want,
        rtol=1e-9,
        atol=1e-12,
        name="Softmax.forward",
    )


@part("activations")
@points(2)
def test_softmax_backward(student, rng):
    """Softmax.backward is y * (dy - sum(dy * y)) with the sum along the last axis."""
    x, dy = rng.standard_normal((3, 4, 5)), rng.standard_normal((3, 4, 5))

    def softmax(z: np.ndarray) -> np.ndarray:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    layer = student.activations.Softmax()
    layer.forward(x)
    assert_close(
        layer.backward(dy),
        numeric_jacobian_vector(softmax, x, dy),
        rtol=1e-5,
        atol=1e-8,
        name="Softmax.backward",
    )
