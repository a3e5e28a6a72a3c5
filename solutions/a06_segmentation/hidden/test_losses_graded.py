"""Graded: pixel-wise cross-entropy, soft Dice and Jaccard, focal loss (part "losses")."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torchvision.ops import sigmoid_focal_loss

from autograder.testing import StudentError, assert_close, part, points, watch_call

TOL = {"rtol": 1e-10, "atol": 1e-12}


def batch(rng, device, b=2, c=4, h=5, w=6, ignore=None):
    logits = torch.as_tensor(rng.standard_normal((b, c, h, w)) * 2, device=device)
    target = torch.as_tensor(rng.integers(0, c, (b, h, w)), device=device)
    if ignore is not None:
        target[torch.as_tensor(rng.random((b, h, w)) < 0.3, device=device)] = ignore
    return logits, target


def soft_overlap_np(logits, target, smooth, ignore, jaccard):
    """The handout's soft Dice / Jaccard loss, in numpy float64, one class at a time."""
    x = logits.cpu().numpy()
    y = target.cpu().numpy()
    p = np.exp(x - x.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    valid = np.ones(y.shape, bool) if ignore is None else y != ignore
    scores = []
    for c in range(x.shape[1]):
        pc = p[:, c][valid]
        tc = (y[valid] == c).astype(float)
        inter, ps, ts = (pc * tc).sum(), pc.sum(), tc.sum()
        if jaccard:
            scores.append((inter + smooth) / (ps + ts - inter + smooth))
        else:
            scores.append((2 * inter + smooth) / (ps + ts + smooth))
    return 1 - float(np.mean(scores))


def _cross_entropy_matches_torch(student, rng, device):
    """pixel_cross_entropy matches F.cross_entropy with class weights and ignore_index, for the
    reductions "mean", "sum" and "none" (0 at ignored pixels), and without weights."""
    logits, target = batch(rng, device, ignore=7)
    weight = torch.as_tensor(rng.uniform(0.2, 3.0, 4), device=device)
    for reduction in ("mean", "sum", "none"):
        got = student.seg_losses.pixel_cross_entropy(logits, target, weight, 7, reduction)
        want = F.cross_entropy(logits, target, weight=weight, ignore_index=7, reduction=reduction)
        assert_close(got, want, **TOL, name=f"weighted loss, reduction {reduction!r}")
    logits, target = batch(rng, device, c=5, h=3, w=4)  # more classes than rows or columns
    assert_close(student.seg_losses.pixel_cross_entropy(logits, target), F.cross_entropy(
        logits, target), **TOL, name="unweighted mean loss (default ignore_index -100)")


def _cross_entropy_edges(student, rng, device):
    """pixel_cross_entropy: an all-ignored batch gives nan for "mean" and 0 for "sum"; an unknown
    reduction raises ValueError; the arguments are not modified."""
    logits, target = batch(rng, device, c=3)
    ignored = torch.full_like(target, -1)
    mean = student.seg_losses.pixel_cross_entropy(logits, ignored, None, -1, "mean")
    assert math.isnan(float(mean)), "the mean over no valid pixel is 0 / 0 = nan"
    total = student.seg_losses.pixel_cross_entropy(logits, ignored, None, -1, "sum")
    assert float(total) == 0.0, "the sum over no valid pixel should be 0"
    with pytest.raises(StudentError) as raised:
        student.seg_losses.pixel_cross_entropy(logits, target, None, -100, "average")
    assert raised.value.type_name == "ValueError", "an unknown reduction should raise ValueError"
    weight = torch.as_tensor(rng.uniform(0.5, 2.0, 3), device=device)
    call = watch_call(student.seg_losses.pixel_cross_entropy, logits, target, weight, 1, "none")
    assert call.changed == [], f"pixel_cross_entropy modified {call.changed}"


def _soft_dice_matches_formula(student, rng, device):
    """soft_dice_loss matches the handout's formula (sums over the batch and pixels per class,
    mean over classes) for smoothing 1, 0.1 and 0, with and without ignore_index."""
    for smooth, ignore in ((1.0, None), (0.1, 255), (0.0, 255)):
        logits, target = batch(rng, device, ignore=ignore)
        got = student.seg_losses.soft_dice_loss(logits, target, smooth, ignore)
        assert_close(got, soft_overlap_np(logits, target, smooth, ignore, False), **TOL,
                     name=f"Dice loss (smooth {smooth}, ignore {ignore})")


def _soft_dice_absent_and_perfect(student, device):
    """Soft Dice on a confident, correct prediction: about 0 with smoothing 1 even though class
    2 is absent, but 1/3 with smoothing 0 (the absent class scores 0 and counts in the mean);
    the arguments are not modified."""
    target = torch.tensor([[[0, 1], [1, 0]]], device=device)
    logits = torch.full((1, 3, 2, 2), -40.0, dtype=torch.float64, device=device)
    logits.scatter_(1, target[:, None], 40.0)
    call = watch_call(student.seg_losses.soft_dice_loss, logits, target, 1.0, None)
    assert abs(float(call.result)) < 1e-9, "a perfect prediction with smoothing 1 should lose 0"
    assert call.changed == [], f"soft_dice_loss modified {call.changed}"
    got = float(student.seg_losses.soft_dice_loss(logits, target, 0.0, None))
    assert abs(got - 1 / 3) < 1e-9, (
        "with smoothing 0 an absent class has Dice 0 and still counts in the mean over classes")


def _soft_jaccard_matches_formula(student, rng, device):
    """soft_jaccard_loss matches the handout's formula for smoothing 1 and 0.5, with and
    without ignore_index."""
    for smooth, ignore in ((1.0, None), (0.5, -1)):
        logits, target = batch(rng, device, c=3, ignore=ignore)
        got = student.seg_losses.soft_jaccard_loss(logits, target, smooth, ignore)
        assert_close(got, soft_overlap_np(logits, target, smooth, ignore, True), **TOL,
                     name=f"Jaccard loss (smooth {smooth}, ignore {ignore})")


@part("losses")
@points(3)
def test_focal_loss_matches_torchvision(student, rng, device):
    """sigmoid_focal_loss matches torchvision.ops.sigmoid_focal_loss for several alpha (also
    alpha < 0: no weighting, and alpha = 0: negatives only) and gamma (also 0: weighted BCE),
    all reductions; an unknown reduction raises ValueError."""
    x = torch.as_tensor(rng.standard_normal((3, 2, 4, 5)) * 3, device=device)
    t = torch.as_tensor((rng.random((3, 2, 4, 5)) < 0.3).astype(float), device=device)
    for alpha, gamma in ((0.25, 2.0), (0.6, 0.0), (-1.0, 1.5), (0.0, 2.0)):
        for reduction in ("none", "mean", "sum"):
            got = student.seg_losses.sigmoid_focal_loss(x, t, alpha, gamma, reduction)
            want = sigmoid_focal_loss(x, t, alpha, gamma, reduction)
            assert_close(got, want, **TOL,
                         name=f"focal loss (alpha {alpha}, gamma {gamma}, {reduction})")
    with pytest.raises(StudentError) as raised:
        student.seg_losses.sigmoid_focal_loss(x, t, 0.25, 2.0, "avg")
    assert raised.value.type_name == "ValueError", "an unknown reduction should raise ValueError"


@part("losses")
@points(8)
def test_cross_entropy(student, rng, device):
    """pixel_cross_entropy matches F.cross_entropy with class weights and ignore_index, for the
    reductions "mean", "sum" and "none" (0 at ignored pixels), and without weights.
    pixel_cross_entropy: an all-ignored batch gives nan for "mean" and 0 for "sum"; an unknown
    reduction raises ValueError; the arguments are not modified."""
    _cross_entropy_matches_torch(student, rng, device)
    _cross_entropy_edges(student, rng, device)


@part("losses")
@points(9)
def test_soft_dice_and_jaccard(student, rng, device):
    """soft_dice_loss matches the handout's formula (sums over the batch and pixels per class,
    mean over classes) for smoothing 1, 0.1 and 0, with and without ignore_index. Soft Dice on a
    confident, correct prediction: about 0 with smoothing 1 even though class 2 is absent, but
    1/3 with smoothing 0 (the absent class scores 0 and counts in the mean); the arguments are
    not modified. soft_jaccard_loss matches the handout's formula for smoothing 1 and 0.5, with
    and without ignore_index."""
    _soft_dice_matches_formula(student, rng, device)
    _soft_dice_absent_and_perfect(student, device)
    _soft_jaccard_matches_formula(student, rng, device)
