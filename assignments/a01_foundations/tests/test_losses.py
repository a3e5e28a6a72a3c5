"""Losses against torch.nn.functional and numeric gradients, including extreme logits."""

import numpy as np
import torch
import torch.nn.functional as F
from losses import bce_with_logits, mse, softmax_cross_entropy

from dnn.gradcheck import check_gradient


def test_mse_matches_torch_and_numeric_gradient() -> None:
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    loss, grad = mse(pred, target)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, F.mse_loss(torch.from_numpy(pred), torch.from_numpy(target)))
    check_gradient(lambda p: mse(p, target)[0], pred, grad, tol=1e-6)


def test_cross_entropy_matches_torch_and_numeric_gradient() -> None:
    rng = np.random.default_rng(1)
    logits, labels = 2 * rng.standard_normal((7, 5)), rng.integers(0, 5, size=7)
    loss, grad = softmax_cross_entropy(logits, labels)
    assert isinstance(loss, float)
    want = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels)).item()
    np.testing.assert_allclose(loss, want, rtol=1e-12)
    check_gradient(lambda z: softmax_cross_entropy(z, labels)[0], logits, grad, tol=1e-6)


def test_bce_with_logits_matches_torch_and_numeric_gradient() -> None:
    rng = np.random.default_rng(2)
    logits, targets = 3 * rng.standard_normal((6, 2)), rng.random((6, 2))
    loss, grad = bce_with_logits(logits, targets)
    assert isinstance(loss, float)
    want = F.binary_cross_entropy_with_logits(torch.from_numpy(logits), torch.from_numpy(targets))
    np.testing.assert_allclose(loss, want.item(), rtol=1e-12)
    check_gradient(lambda z: bce_with_logits(z, targets)[0], logits, grad, tol=1e-6)


def test_losses_are_stable_for_huge_logits() -> None:
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    labels = np.array([2, 1])
    t_logits = torch.from_numpy(logits)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ce, ce_grad = softmax_cross_entropy(logits, labels)
        bce, bce_grad = bce_with_logits(logits, np.ones_like(logits))
    np.testing.assert_allclose(ce, F.cross_entropy(t_logits, torch.from_numpy(labels)).item())
    np.testing.assert_allclose(ce_grad, [[0.5, 0.0, -0.5], [0.0, 0.0, 0.0]], atol=1e-12)
    want = F.binary_cross_entropy_with_logits(t_logits, torch.ones_like(t_logits)).item()
    np.testing.assert_allclose(bce, want)
    assert np.all(np.isfinite(bce_grad))
