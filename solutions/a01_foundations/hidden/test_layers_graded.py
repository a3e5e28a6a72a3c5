"""Graded: initialisers, Linear and Sequential (part "layers", 25 points)."""

import numpy as np
import torch

from autograder.testing import assert_close, part, points

FAN_IN, FAN_OUT = 400, 300


def check_init(W: object, init: object, std: float, bound: float | None, name: str) -> None:
    """Shape, zero mean, the standard deviation, the uniform bound and the seeding of `init`."""
    assert isinstance(W, np.ndarray) and W.shape == (FAN_IN, FAN_OUT), (
        f"{name}(fan_in, fan_out) must return an array of shape (fan_in, fan_out)"
    )
    assert abs(W.mean()) < 0.02 * std, f"{name}: the weights should have mean 0"
    assert abs(W.std() / std - 1) < 0.03, f"{name}: the standard deviation is off by more than 3%"
    if bound is not None:
        top = np.abs(W).max()
        assert 0.98 * bound < top <= bound, f"{name}: the weights should fill (-a, a)"
    again, other = init(FAN_IN, FAN_OUT, seed=7), init(FAN_IN, FAN_OUT, seed=8)
    assert np.array_equal(again, init(FAN_IN, FAN_OUT, seed=7)), f"{name}: same seed, same weights"
    assert not np.allclose(again, other), f"{name}: different seeds should give different weights"


@part("layers")
@points(3)
def test_he_initializers(student):
    """he_normal and he_uniform: shape (fan_in, fan_out), Var(W) = 2 / fan_in, seeded."""
    init = student.initializers
    std = np.sqrt(2 / FAN_IN)
    check_init(init.he_normal(FAN_IN, FAN_OUT, seed=0), init.he_normal, std, None, "he_normal")
    bound = np.sqrt(6 / FAN_IN)
    check_init(init.he_uniform(FAN_IN, FAN_OUT, seed=0), init.he_uniform, std, bound, "he_uniform")


@part("layers")
@points(3)
def test_xavier_initializers(student):
    """xavier_normal and xavier_uniform: Var(W) = 2 / (fan_in + fan_out), seeded."""
    init = student.initializers
    std = np.sqrt(2 / (FAN_IN + FAN_OUT))
    check_init(
        init.xavier_normal(FAN_IN, FAN_OUT, seed=0), init.xavier_normal, std, None, "xavier_normal"
    )
    bound = np.sqrt(6 / (FAN_IN + FAN_OUT))
    check_init(
        init.xavier_uniform(FAN_IN, FAN_OUT, seed=0),
        init.xavier_uniform,
        std,
        bound,
        "xavier_uniform",
    )


def linear_with(student, W: np.ndarray, b: np.ndarray):
    lin = student.layers.Linear(W.shape[0], W.shape[1], seed=0)
    lin.W = W
    lin.b = b
    return lin


def torch_linear(x: np.ndarray, W: np.ndarray, b: np.ndarray, dy: np.ndarray):
    """Output and gradients (dx, dW, db) of x @ W + b with upstream dy, by torch autograd."""
    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    y = tx @ tW + tb
    y.backward(torch.from_numpy(dy))
    return y.detach().numpy(), tx.grad.numpy(), tW.grad.numpy(), tb.grad.numpy()


@part("layers")
@points(2)
def test_initializers_leave_the_global_rng_alone(student):
    """Each initialiser draws from its own np.random.default_rng(seed), as its docstring says:
    it neither seeds nor draws from the global np.random (whose stream is unchanged after it)."""
    global_random = student.lib("dnn.gradcheck").np.random  # the sandbox's global np.random
    want = np.random.RandomState(123).random_sample(4)
    for name in ("he_normal", "he_uniform", "xavier_normal", "xavier_uniform"):
        global_random.seed(123)
        first = getattr(student.initializers, name)(30, 20, seed=5)
        again = getattr(student.initializers, name)(30, 20, seed=5)
        assert np.array_equal(first, again), f"{name}: same seed, same weights"
        assert np.array_equal(global_random.random_sample(4), want), (
            f"{name} seeded or drew from the global np.random instead of default_rng(seed)")


@part("layers")
@points(3)
def test_linear_forward(student, rng):
    """Linear.forward computes x @ W + b for a batch."""
    x, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    lin = linear_with(student, W, b)
    assert_close(lin.forward(x), x @ W + b, rtol=1e-10, atol=1e-12, name="Linear.forward")


@part("layers")
@points(3)
def test_linear_backward_input(student, rng):
    """Linear.backward returns dL/dx = dy @ W^T."""
    x, W, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    dy = rng.standard_normal((6, 3))
    lin = linear_with(student, W, b)
    lin.forward(x)
    _, dx, _, _ = torch_linear(x, W, b, dy)
    assert_close(lin.backward(dy), dx, rtol=1e-10, atol=1e-12, name="Linear.backward's dx")


@part("layers")
@points(4)
def test_linear_backward_params(student, rng):
    """Linear.backward stores dL/dW = x^T dy in dW and dL/db = dy summed over the batch in db."""
    x, W, b = rng.standard_normal((7, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    dy = rng.standard_normal((7, 3))
    lin = linear_with(student, W, b)
    lin.forward(x)
    lin.backward(dy)
    _, _, dW, db = torch_linear(x, W, b, dy)
    assert_close(lin.dW, dW, rtol=1e-10, atol=1e-12, name="Linear.dW")
    assert_close(lin.db, db, rtol=1e-10, atol=1e-12, name="Linear.db")


@part("layers")
@points(2)
def test_linear_gradients_are_those_of_the_last_backward(student, rng):
    """After two forward/backward passes on different batches, dW and db are the gradients of
    the second pass alone (stored, not accumulated across calls)."""
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    lin = linear_with(student, W, b)
    for n in (5, 8):
        x, dy = rng.standard_normal((n, 4)), rng.standard_normal((n, 3))
        lin.forward(x)
        dx = lin.backward(dy)
    _, dx_ref, dW, db = torch_linear(x, W, b, dy)
    assert_close(dx, dx_ref, rtol=1e-10, atol=1e-12, name="dx of the second backward")
    assert_close(lin.dW, dW, rtol=1e-10, atol=1e-12, name="Linear.dW after the second backward")
    assert_close(lin.db, db, rtol=1e-10, atol=1e-12, name="Linear.db after the second backward")


@part("layers")
@points(5)
def test_sequential_chain_rule(student, rng):
    """Sequential.forward applies the layers in order; backward runs them in reverse."""
    shapes = [(4, 6), (6, 5), (5, 3)]
    params = [
        a
        for fan_in, fan_out in shapes
        for a in (rng.standard_normal((fan_in, fan_out)), rng.standard_normal(fan_out))
    ]
    x, dy = rng.standard_normal((8, 4)), rng.standard_normal((8, 3))
    net = student.layers.Sequential(
        *(student.layers.Linear(i, o, seed=k) for k, (i, o) in enumerate(shapes))
    )
    net.set_params(params)
    y, dx = net.forward(x), net.backward(dy)

    tx = torch.tensor(x, requires_grad=True)
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    out = tx
    for W, b in zip(tparams[::2], tparams[1::2], strict=True):
        out = out @ W + b
    out.backward(torch.from_numpy(dy))
    assert_close(y, out.detach().numpy(), rtol=1e-10, atol=1e-12, name="Sequential.forward")
    assert_close(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12, name="Sequential.backward's dx")
    for k, (got, want) in enumerate(zip(net.grads(), tparams, strict=True)):
        assert_close(
            got, want.grad.numpy(), rtol=1e-10, atol=1e-12, name=f"Sequential.grads()[{k}]"
        )
