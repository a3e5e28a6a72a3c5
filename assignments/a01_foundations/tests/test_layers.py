"""Initialisers, Linear and Sequential against analytic values and numeric gradients."""

import initializers
import numpy as np
import pytest
from activations import Tanh
from layers import Linear, Sequential

from dnn.gradcheck import check_gradient, numeric_jacobian_vector, relative_error

FAN_IN, FAN_OUT = 400, 300

# name -> (expected std, uniform bound or None)
INIT_STATS = {
    "he_normal": (np.sqrt(2 / FAN_IN), None),
    "he_uniform": (np.sqrt(2 / FAN_IN), np.sqrt(6 / FAN_IN)),
    "xavier_normal": (np.sqrt(2 / (FAN_IN + FAN_OUT)), None),
    "xavier_uniform": (np.sqrt(2 / (FAN_IN + FAN_OUT)), np.sqrt(6 / (FAN_IN + FAN_OUT))),
}


@pytest.mark.parametrize("name", sorted(INIT_STATS))
def test_initializer_statistics(name: str) -> None:
    std, bound = INIT_STATS[name]
    W = getattr(initializers, name)(FAN_IN, FAN_OUT, seed=0)
    assert W.shape == (FAN_IN, FAN_OUT) and W.dtype == np.float64
    assert abs(W.mean()) < 0.02 * std
    assert abs(W.std() / std - 1) < 0.02
    if bound is not None:
        assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound


@pytest.mark.parametrize("name", sorted(INIT_STATS))
def test_initializer_is_seeded(name: str) -> None:
    init = getattr(initializers, name)
    np.testing.assert_array_equal(init(5, 3, seed=1), init(5, 3, seed=1))
    assert not np.allclose(init(5, 3, seed=1), init(5, 3, seed=2))


@pytest.mark.parametrize("name", sorted(INIT_STATS))
def test_initializer_leaves_the_global_rng_alone(name: str) -> None:
    np.random.seed(123)
    getattr(initializers, name)(5, 4, seed=3)
    np.testing.assert_array_equal(np.random.random_sample(4),
                                  np.random.RandomState(123).random_sample(4),
                                  err_msg="draw from np.random.default_rng(seed), not np.random")


def test_linear_stores_the_gradients_of_the_last_backward() -> None:
    rng = np.random.default_rng(4)
    lin = Linear(3, 2, seed=0)
    for n in (4, 6):
        x, dy = rng.standard_normal((n, 3)), rng.standard_normal((n, 2))
        lin.forward(x)
        lin.backward(dy)
    np.testing.assert_allclose(lin.dW, x.T @ dy, rtol=1e-12, err_msg="dW accumulated")
    np.testing.assert_allclose(lin.db, dy.sum(axis=0), rtol=1e-12, err_msg="db accumulated")


def test_linear_forward_is_affine() -> None:
    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    lin = Linear(3, 4, seed=0)
    assert lin.W.shape == (3, 4) and lin.b.shape == (4,)
    lin.W, lin.b = W, b
    np.testing.assert_allclose(lin.forward(x), x @ W + b, rtol=1e-12)


def test_linear_backward_matches_numeric_gradients() -> None:
    rng = np.random.default_rng(1)
    x, dy = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    lin = Linear(4, 3, seed=0)
    lin.b = rng.standard_normal(3)
    W0, b0 = lin.W.copy(), lin.b.copy()
    lin.forward(x)
    dx = lin.backward(dy)
    dW, db = lin.dW.copy(), lin.db.copy()

    def with_params(W: np.ndarray, b: np.ndarray) -> np.ndarray:
        lin.W, lin.b = W, b
        return lin.forward(x)

    assert relative_error(dx, numeric_jacobian_vector(lin.forward, x, dy)) < 1e-7
    assert relative_error(dW, numeric_jacobian_vector(lambda W: with_params(W, b0), W0, dy)) < 1e-7
    assert relative_error(db, numeric_jacobian_vector(lambda b: with_params(W0, b), b0, dy)) < 1e-7


def test_sequential_backpropagates_through_every_layer() -> None:
    rng = np.random.default_rng(2)
    net = Sequential(Linear(4, 6, seed=1), Tanh(), Linear(6, 3, seed=2, init="xavier"))
    x, upstream = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    params = [p.copy() for p in net.params()]
    net.forward(x)
    dx = net.backward(upstream)
    grads = [g.copy() for g in net.grads()]

    def loss(z: np.ndarray) -> float:
        return float(np.sum(net.forward(z) * upstream))

    check_gradient(loss, x, dx)
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):

        def loss_of_param(value: np.ndarray, i: int = i) -> float:
            net.set_params([value if j == i else q for j, q in enumerate(params)])
            return loss(x)

        check_gradient(loss_of_param, p, g)
