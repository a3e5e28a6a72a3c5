"""Graded: MSE, softmax cross-entropy and BCE with logits (part "losses", 15 points)."""

import numpy as np
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, part, points


def torch_loss(fn, inputs: np.ndarray, *args: torch.Tensor) -> tuple[float, np.ndarray]:
    """(loss, dloss/dinputs) of a torch functional loss, in float64."""
    t = torch.from_numpy(inputs).requires_grad_()
    loss = fn(t, *args)
    loss.backward()
    return loss.item(), t.grad.numpy()


def check_loss(got: object, want: tuple[float, np.ndarray], name: str) -> None:
    assert isinstance(got, tuple | list) and len(got) == 2, f"{name} must return (loss, gradient)"
    assert_close(got[0], want[0], rtol=1e-10, atol=1e-12, name=f"{name}'s loss")
    assert_close(got[1], want[1], rtol=1e-9, atol=1e-12, name=f"{name}'s gradient")


@part("losses")
@points(3)
def test_mse(student, rng):
    """mse is the mean of (pred - target)^2 over ALL elements; gradient 2 (pred - target) / size."""
    pred, target = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    want = torch_loss(F.mse_loss, pred, torch.from_numpy(target))
    check_loss(student.losses.mse(pred, target), want, "mse")


@part("losses")
@points(3)
def test_cross_entropy_value(student, rng):
    """softmax_cross_entropy's loss is the batch mean of -log softmax(z)[label]."""
    logits, labels = 3 * rng.standard_normal((9, 6)), rng.integers(0, 6, size=9)
    want, _ = torch_loss(F.cross_entropy, logits, torch.from_numpy(labels))
    loss, _ = student.losses.softmax_cross_entropy(logits, labels)
    assert_close(loss, want, rtol=1e-10, name="softmax_cross_entropy's loss")


@part("losses")
@points(3)
def test_cross_entropy_gradient(student, rng):
    """softmax_cross_entropy's gradient is (softmax(z) - onehot(labels)) / N."""
    logits, labels = 3 * rng.standard_normal((9, 6)), rng.integers(0, 6, size=9)
    _, want = torch_loss(F.cross_entropy, logits, torch.from_numpy(labels))
    _, grad = student.losses.softmax_cross_entropy(logits, labels)
    assert_close(grad, want, rtol=1e-9, atol=1e-12, name="softmax_cross_entropy's gradient")


@part("losses")
@points(2)
def test_cross_entropy_stable(student, rng):
    """softmax_cross_entropy stays finite and exact for logits of size 1e4 (log-sum-exp trick)."""
    logits, labels = 1e4 * rng.standard_normal((8, 5)), rng.integers(0, 5, size=8)
    want = torch_loss(F.cross_entropy, logits, torch.from_numpy(labels))
    check_loss(student.losses.softmax_cross_entropy(logits, labels), want, "softmax_cross_entropy")


@part("losses")
@points(2)
def test_bce_with_logits(student, rng):
    """bce_with_logits is the mean over all elements, with gradient (sigmoid(x) - t) / size."""
    logits, targets = 3 * rng.standard_normal((7, 3)), rng.random((7, 3))
    want = torch_loss(F.binary_cross_entropy_with_logits, logits, torch.from_numpy(targets))
    check_loss(student.losses.bce_with_logits(logits, targets), want, "bce_with_logits")


@part("losses")
@points(2)
def test_bce_with_logits_stable(student, rng):
    """bce_with_logits stays finite and exact for logits of +-1e4 (the stable form)."""
    logits = 1e4 * np.sign(rng.standard_normal((6, 4)))
    targets = rng.random((6, 4))
    want = torch_loss(F.binary_cross_entropy_with_logits, logits, torch.from_numpy(targets))
    check_loss(student.losses.bce_with_logits(logits, targets), want, "bce_with_logits")
