"""Inverted dropout's statistics and modes, and the L2 penalty's value and gradient."""

import numpy as np
from optim import SGD
from regularization import Dropout, l2_penalty

from dnn.gradcheck import check_gradient


def test_dropout_drops_with_probability_p_and_rescales() -> None:
    x = np.ones((200, 500))
    y = Dropout(0.3, seed=0).forward(x)
    dropped = y == 0
    assert np.allclose(y[~dropped], 1 / 0.7), "kept entries must be scaled by 1 / (1 - p)"
    assert abs(dropped.mean() - 0.3) < 0.01
    assert abs(y.mean() - 1) < 0.01


def test_dropout_backward_uses_the_forward_mask() -> None:
    rng = np.random.default_rng(0)
    x, dy = rng.standard_normal((50, 40)), rng.standard_normal((50, 40))
    layer = Dropout(0.5, seed=3)
    scale = layer.forward(x) / x  # 0 or 2 per entry
    np.testing.assert_allclose(layer.backward(dy), dy * scale)


def test_dropout_is_the_identity_in_eval_mode() -> None:
    x = np.random.default_rng(1).standard_normal((8, 6))
    layer = Dropout(0.5, seed=0)
    layer.eval()
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)


def test_dropout_backward_in_eval_mode_after_training() -> None:
    x = np.random.default_rng(5).standard_normal((8, 6))
    layer = Dropout(0.5, seed=0)
    layer.forward(x)  # training mode: a mask is drawn
    layer.eval()
    layer.forward(x)
    np.testing.assert_array_equal(layer.backward(x), x, err_msg="a stale training mask was used")


def test_dropout_is_seeded() -> None:
    x = np.ones((10, 10))
    np.testing.assert_array_equal(Dropout(0.5, seed=4).forward(x), Dropout(0.5, seed=4).forward(x))


def test_l2_penalty_value_and_gradient() -> None:
    rng = np.random.default_rng(2)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
    value, grads = l2_penalty(params, 0.1)
    assert isinstance(value, float)
    np.testing.assert_allclose(value, 0.05 * sum(np.sum(p**2) for p in params), rtol=1e-12)
    check_gradient(lambda w: l2_penalty([w, params[1]], 0.1)[0], params[0], grads[0])
    check_gradient(lambda b: l2_penalty([params[0], b], 0.1)[0], params[1], grads[1])


def test_l2_penalty_gradient_is_sgd_weight_decay() -> None:
    rng = np.random.default_rng(3)
    params, grads = [rng.standard_normal((4, 3))], [rng.standard_normal((4, 3))]
    _, penalty_grads = l2_penalty(params, 0.01)
    with_penalty = SGD(0.1).step(params, [g + d for g, d in zip(grads, penalty_grads, strict=True)])
    with_decay = SGD(0.1, weight_decay=0.01).step(params, grads)
    np.testing.assert_allclose(with_penalty[0], with_decay[0], rtol=1e-12)
