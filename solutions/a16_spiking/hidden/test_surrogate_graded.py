"""Graded: the spike function and its surrogate gradients against norse and numeric derivatives
(part "surrogate", 15 points)."""

import numpy as np
import pytest
import torch
from norse.torch.functional.threshold import threshold

from autograder.testing import StudentError, assert_close, part, points

TOL = {"rtol": 1e-10, "atol": 1e-12}


def t64(values, device: str) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values), dtype=torch.float64, device=device)


def norse_grad(x: torch.Tensor, up: torch.Tensor, method: str, alpha: float):
    leaf = x.clone().requires_grad_(True)
    z = threshold(leaf, method, alpha)
    (z * up).sum().backward()
    return z.detach(), leaf.grad


def student_grad(student, x, up, method, alpha, v_th=0.0):
    layer = student.surrogate.SpikeLayer(method, alpha, v_th)
    return student.lib("dnn.autograd").gradients(layer, [x], [up]).get("input0")


@part("surrogate")
@points(2)
def test_heaviside(student, device):
    """heaviside is 1 above 0 and 0 at and below 0 (also -0.0), in the input's dtype and shape."""
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor([[-2.0, -0.0, 0.0], [1e-12, 3.0, -1e-12]], dtype=dtype, device=device)
        got = student.surrogate.heaviside(x)
        assert got.dtype == dtype, "heaviside keeps the input's dtype"
        assert_close(got, [[0, 0, 0], [1, 1, 0]], name="H(x)")


@part("surrogate")
@points(4)
def test_superspike_matches_norse(student, rng, device):
    """SpikeLayer("super", alpha=1) is norse's SuperSpike: z = H(x) forward, dL/dz / (|x| + 1)^2
    backward; the threshold v_th shifts both."""
    x, up = t64(rng.normal(0, 2, (7, 6)), device), t64(rng.normal(size=(7, 6)), device)
    z_ref, g_ref = norse_grad(x, up, "super", 1.0)
    assert_close(student.surrogate.SpikeLayer("super", 1.0)(x), z_ref, name="forward spikes")
    assert_close(student_grad(student, x, up, "super", 1.0), g_ref, **TOL, name="dL/dx")
    z_ref, g_ref = norse_grad(x - 0.4, up, "super", 1.0)
    assert_close(student_grad(student, x, up, "super", 1.0, v_th=0.4), g_ref, **TOL,
                 name="dL/dx with v_th = 0.4")


@part("surrogate")
@points(4)
def test_superspike_is_fast_sigmoid_derivative(student, rng, device):
    """For alpha = 2, 10 and 100 the SuperSpike gradient equals the numeric derivative (float64
    central differences) of the fast sigmoid x / (1 + alpha |x|) (norse ignores alpha here)."""
    for alpha in (2.0, 10.0, 100.0):
        x = rng.normal(0, 3 / alpha, 40)
        x = x[np.abs(x) > 1e-4]
        up = rng.normal(size=x.shape)
        h = 1e-7

        def fast_sigmoid(v, a=alpha):
            return v / (1 + a * np.abs(v))

        want = up * (fast_sigmoid(x + h) - fast_sigmoid(x - h)) / (2 * h)
        got = student_grad(student, t64(x, device), t64(up, device), "super", alpha)
        assert_close(got, want, rtol=1e-5, atol=1e-8, name=f"dL/dx for alpha = {alpha}")


@part("surrogate")
@points(3)
def test_triangle_matches_norse(student, rng, device):
    """SpikeLayer("triangle", alpha) matches norse's Triangle surrogate: alpha max(0, 1 - |x|)."""
    for alpha in (0.3, 2.0):
        x, up = t64(rng.normal(0, 1, 50), device), t64(rng.normal(size=50), device)
        z_ref, g_ref = norse_grad(x, up, "triangle", alpha)
        assert_close(student.surrogate.spike_fn(x, "triangle", alpha), z_ref, name="spikes")
        assert_close(student_grad(student, x, up, "triangle", alpha), g_ref, **TOL,
                     name=f"dL/dx (alpha {alpha})")


@part("surrogate")
@points(2)
def test_spike_fn_methods(student, rng, device):
    """spike_fn("heaviside") is the plain step; the default method is SuperSpike with alpha 100;
    an unknown method raises ValueError."""
    x, up = t64(rng.normal(0, 0.05, 30), device), t64(rng.normal(size=30), device)
    assert_close(student.surrogate.spike_fn(x, "heaviside"), (x > 0).double(), name="heaviside")
    layer = student.surrogate.SpikeLayer()
    got = student.lib("dnn.autograd").gradients(layer, [x], [up]).get("input0")
    assert_close(got, up / (100 * x.abs() + 1) ** 2, **TOL, name="default surrogate gradient")
    with pytest.raises(StudentError) as raised:
        student.surrogate.spike_fn(x, "sigmoid")
    assert raised.value.type_name == "ValueError", "an unknown method should raise ValueError"
