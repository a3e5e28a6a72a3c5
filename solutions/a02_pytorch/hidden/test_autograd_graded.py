"""Graded: the custom autograd Function and its module (part "autograd", 20 points)."""

import numpy as np
import torch

from autograder.testing import assert_close, part, points
from dnn.gradcheck import numeric_jacobian_vector


def randn(rng, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def swish_np(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return x / (1 + np.exp(-beta * x))


def torch_grads(x, beta, upstream):
    """(y, dx, dbeta) of sum(upstream * x * sigmoid(beta x)) by torch's own autograd."""
    x, beta = x.clone().requires_grad_(True), beta.clone().requires_grad_(True)
    y = x * torch.sigmoid(beta * x)
    dx, dbeta = torch.autograd.grad(y, (x, beta), upstream)
    return y.detach(), dx, dbeta


@part("autograd")
@points(3)
def test_forward(student, rng):
    """swish(x, beta) = x * sigmoid(beta x), for a scalar beta and one beta per feature."""
    x = randn(rng, 6, 4) * 3
    for beta in (torch.tensor(0.7, dtype=torch.float64), randn(rng, 4)):
        got = student.swish.swish(x, beta)
        assert_close(got, x * torch.sigmoid(beta * x), rtol=1e-10, atol=1e-12, name="swish(x)")
    x32 = x.float()
    got = student.swish.swish(x32, torch.ones(4))
    assert got.dtype == torch.float32, "float32 inputs must give a float32 output"


@part("autograd")
@points(4)
def test_backward_matches_autograd(student, rng):
    """SwishFunction.backward gives torch autograd's dL/dx and dL/dbeta (beta per feature)."""
    x, beta, up = randn(rng, 5, 3) * 2, randn(rng, 3), randn(rng, 5, 3)
    y, dx, dbeta = student.swish.swish_with_grads(x, beta, up)
    y_ref, dx_ref, dbeta_ref = torch_grads(x, beta, up)
    assert_close(y, y_ref, rtol=1e-10, atol=1e-12, name="y")
    assert_close(dx, dx_ref, rtol=1e-9, atol=1e-12, name="dL/dx")
    assert dbeta.shape == beta.shape, "dL/dbeta must have beta's shape (sum over broadcast axes)"
    assert_close(dbeta, dbeta_ref, rtol=1e-9, atol=1e-12, name="dL/dbeta")


@part("autograd")
@points(4)
def test_backward_numeric_float64(student, rng):
    """In float64 the gradients agree with central differences, for beta of shape (1, D)."""
    x, beta, up = randn(rng, 4, 3) * 2, randn(rng, 1, 3), randn(rng, 4, 3)
    _, dx, dbeta = student.swish.swish_with_grads(x, beta, up)
    xn, bn, un = x.numpy(), beta.numpy(), up.numpy()
    dx_num = numeric_jacobian_vector(lambda z: swish_np(z, bn), xn, un)
    dbeta_num = numeric_jacobian_vector(lambda b: swish_np(xn, b), bn, un)
    assert dbeta.shape == (1, 3), "dL/dbeta must have beta's shape (1, D)"
    assert_close(dx, dx_num, rtol=1e-6, atol=1e-8, name="dL/dx vs numeric")
    assert_close(dbeta, dbeta_num, rtol=1e-6, atol=1e-8, name="dL/dbeta vs numeric")


@part("autograd")
@points(3)
def test_single_beta_and_3d_input(student, rng):
    """One beta of shape (1,) with a (B, T, D) input: dL/dbeta has shape (1,) and sums the
    contributions of every element (0-d tensors cannot be sent to the sandbox, hence (1,))."""
    x, up = randn(rng, 2, 3, 4), randn(rng, 2, 3, 4)
    beta = torch.tensor([float(rng.uniform(0.5, 2.0))], dtype=torch.float64)
    _, dx, dbeta = student.swish.swish_with_grads(x, beta, up)
    _, dx_ref, dbeta_ref = torch_grads(x, beta, up)
    assert dbeta.shape == (1,), "dL/dbeta must have beta's shape (1,)"
    assert_close(dx, dx_ref, rtol=1e-9, atol=1e-12, name="dL/dx")
    assert_close(dbeta, dbeta_ref, rtol=1e-9, atol=1e-12, name="dL/dbeta")


@part("autograd")
@points(3)
def test_backward_returns_exact_shapes_and_none(student, rng):
    """SwishFunction.backward itself (called directly, before autograd could reshape anything)
    returns dL/dx of x's shape and dL/dbeta summed to beta's shape, and None for an input whose
    ctx.needs_input_grad entry is False."""
    x, beta, up = randn(rng, 5, 3) * 2, randn(rng, 3), randn(rng, 5, 3)
    _, dx_ref, dbeta_ref = torch_grads(x, beta, up)
    probes = student.lib("dnn.probes")
    fn = student.swish.SwishFunction
    dx, dbeta = probes.raw_backward(fn, [x, beta], [up], [True, True])
    assert isinstance(dbeta, torch.Tensor) and tuple(dbeta.shape) == (3,), (
        "backward must return dL/dbeta with beta's shape (3,), summed over the batch")
    assert_close(dbeta, dbeta_ref, rtol=1e-9, atol=1e-12, name="dL/dbeta")
    assert_close(dx, dx_ref, rtol=1e-9, atol=1e-12, name="dL/dx")
    dx, dbeta = probes.raw_backward(fn, [x, beta], [up], [True, False])
    assert dbeta is None, "dL/dbeta must be None when beta does not require grad"
    assert_close(dx, dx_ref, rtol=1e-9, atol=1e-12, name="dL/dx when only x requires grad")
    dx, dbeta = probes.raw_backward(fn, [x, beta], [up], [False, True])
    assert dx is None, "dL/dx must be None when x does not require grad"
    assert_close(dbeta, dbeta_ref, rtol=1e-9, atol=1e-12, name="dL/dbeta when only beta does")


@part("autograd")
@points(3)
def test_swish_module(student, rng):
    """Swish(D, beta_init) holds a learnable beta Parameter of shape (D,) initialised to
    beta_init; its forward uses SwishFunction, so parameter gradients sum over the batch."""
    layer = student.swish.Swish(4, beta_init=0.7)
    init = layer.state_dict()
    assert set(init) == {"beta"}, "Swish's only parameter is beta"
    assert_close(init["beta"], torch.full((4,), 0.7), rtol=1e-6, name="initial beta")
    beta = randn(rng, 4)
    layer.double()
    layer.load_state_dict({"beta": beta})
    x, up = randn(rng, 6, 4), randn(rng, 6, 4)
    grads = student.lib("dnn.autograd").gradients(layer, [x], up)
    _, dx_ref, dbeta_ref = torch_grads(x, beta, up)
    assert "beta" in grads, "beta must be a Parameter that receives a gradient"
    assert_close(grads["input0"], dx_ref, rtol=1e-9, atol=1e-12, name="dL/dx")
    assert_close(grads["beta"], dbeta_ref, rtol=1e-9, atol=1e-12, name="dL/dbeta")
