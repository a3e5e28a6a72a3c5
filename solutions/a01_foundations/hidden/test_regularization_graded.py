"""Graded: inverted dropout and the L2 penalty (part "regularization", 6 of its 10 points;
the weight-decay optimiser tests are in test_optim_graded.py)."""

import numpy as np

from autograder.testing import assert_close, part, points


@part("regularization")
@points(2)
def test_dropout_training_statistics(student, rng):
    """Dropout(p) in training zeroes a fraction p of the entries and scales the rest by 1/(1-p)."""
    p = 0.3
    x = rng.standard_normal((200, 500))
    y = student.regularization.Dropout(p, seed=1).forward(x)
    assert isinstance(y, np.ndarray) and y.shape == x.shape, "forward must keep the shape of x"
    scale = y / x
    dropped = np.isclose(scale, 0.0)
    assert np.allclose(scale[~dropped], 1 / (1 - p)), "kept entries must be scaled by 1 / (1 - p)"
    assert abs(dropped.mean() - p) < 0.01, "each entry must be dropped with probability p"


@part("regularization")
@points(1)
def test_dropout_backward_uses_forward_mask(student, rng):
    """Dropout.backward multiplies dy by the same scaled mask the last forward used."""
    x, dy = rng.standard_normal((60, 50)), rng.standard_normal((60, 50))
    layer = student.regularization.Dropout(0.5, seed=2)
    mask = layer.forward(x) / x
    assert_close(layer.backward(dy), dy * mask, rtol=1e-12, atol=1e-15, name="Dropout.backward")


@part("regularization")
@points(1)
def test_dropout_eval_mode(student, rng):
    """After eval(), Dropout is the identity (forward and backward, also right after a training
    forward); after train() it drops."""
    x = rng.standard_normal((30, 40))
    layer = student.regularization.Dropout(0.5, seed=3)
    layer.eval()
    assert_close(layer.forward(x), x, rtol=0.0, name="Dropout.forward in eval mode")
    assert_close(layer.backward(x), x, rtol=0.0, name="Dropout.backward in eval mode")
    layer.train()
    assert np.any(layer.forward(x) == 0), "in training mode Dropout must drop entries again"
    layer.eval()
    layer.forward(x)
    assert_close(layer.backward(x), x, rtol=0.0,
                 name="Dropout.backward in eval mode after a training forward (no stale mask)")


@part("regularization")
@points(1)
def test_dropout_masks_come_from_its_seeded_generator(student, rng):
    """Two Dropout layers with the same seed draw the same masks call after call (each from its
    own generator, not the global np.random), and each call draws a fresh mask."""
    x = rng.standard_normal((20, 30))
    a = student.regularization.Dropout(0.4, seed=9)
    b = student.regularization.Dropout(0.4, seed=9)
    first_a, first_b = a.forward(x), b.forward(x)
    second_a, second_b = a.forward(x), b.forward(x)
    assert np.array_equal(first_a, first_b) and np.array_equal(second_a, second_b), (
        "two Dropout layers with the same seed must give the same masks on every call")
    assert not np.array_equal(first_a, second_a), "every training forward draws a new mask"


@part("regularization")
@points(1)
def test_l2_penalty(student, rng):
    """l2_penalty returns (lam / 2) * the sum of squares of all parameters, and lam * p."""
    params = [rng.standard_normal((4, 3)), rng.standard_normal(3)]
    value, grads = student.regularization.l2_penalty(params, 0.2)
    assert_close(
        value, 0.1 * sum(np.sum(p**2) for p in params), rtol=1e-10, name="l2_penalty's value"
    )
    assert isinstance(grads, list | tuple) and len(grads) == 2, "one gradient per parameter"
    for k, (g, p) in enumerate(zip(grads, params, strict=True)):
        assert_close(g, 0.2 * p, rtol=1e-10, name=f"l2_penalty's gradient {k}")
