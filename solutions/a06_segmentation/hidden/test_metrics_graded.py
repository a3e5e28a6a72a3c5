"""Graded: confusion matrix, pixel accuracy, per-class IoU, mIoU, the meter (part "metrics")."""

import math

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix as sk_confusion

from autograder.testing import StudentError, assert_close, part, points, watch_call


def labels(rng, device, shape, k):
    return torch.as_tensor(rng.integers(0, k, shape), device=device)


def iou_np(cm):
    """Per-class IoU from a confusion matrix, nan where the class is nowhere."""
    cm = np.asarray(cm, dtype=float)
    out = []
    for c in range(len(cm)):
        union = cm[c].sum() + cm[:, c].sum() - cm[c, c]
        out.append(cm[c, c] / union if union else math.nan)
    return np.array(out)


def _confusion_matrix_matches_sklearn(student, rng, device):
    """confusion_matrix (rows true, columns predicted) matches scikit-learn's on 2-D and 3-D
    label maps, with an ignore label (dropped whatever the prediction) and without, and a class
    that never occurs; int64; the arguments are not modified."""
    for shape, k, ignore in (((3, 7, 5), 4, 255), ((9, 4), 6, None), ((2, 3, 4), 5, -1)):
        pred, target = labels(rng, device, shape, k), labels(rng, device, shape, k - 1)
        if ignore is not None:
            target[torch.as_tensor(rng.random(shape) < 0.25, device=device)] = ignore
        call = watch_call(student.seg_metrics.confusion_matrix, pred, target, k, ignore)
        t, p = target.cpu().numpy().ravel(), pred.cpu().numpy().ravel()
        keep = t != ignore if ignore is not None else np.ones(t.shape, bool)
        want = sk_confusion(t[keep], p[keep], labels=list(range(k)))
        got = call.result
        assert got.dtype == torch.int64, "the confusion matrix should be int64"
        assert np.array_equal(got.cpu().numpy(), want), (
            f"confusion matrix of a {shape} map with {k} classes (ignore {ignore}) is wrong")
        assert call.changed == [], f"confusion_matrix modified {call.changed}"


def _confusion_matrix_errors(student, device):
    """confusion_matrix raises ValueError for a shape mismatch and for predictions or targets
    outside 0..K-1, but not for an ignored target."""
    p = torch.tensor([[0, 1], [2, 1]], device=device)
    for pred, target in ((p, p.reshape(4)), (p, p + 1), (p * 2, p)):
        with pytest.raises(StudentError) as raised:
            student.seg_metrics.confusion_matrix(pred, target, 3, None)
        assert raised.value.type_name == "ValueError", "bad labels or shapes should raise"
    ok = student.seg_metrics.confusion_matrix(p, torch.tensor([[0, 9], [9, 1]], device=device),
                                              3, 9)
    assert int(ok.sum()) == 2, "pixels whose target is the ignore label should be left out"


def _scores_match_formulas(student, rng):
    """pixel_accuracy, per_class_iou (float64) and mean_iou match the handout's formulas on
    random confusion matrices."""
    for k in (2, 5):
        cm = torch.as_tensor(rng.integers(0, 20, (k, k)))
        cmn = cm.numpy()
        assert_close(student.seg_metrics.pixel_accuracy(cm), np.trace(cmn) / cmn.sum(),
                     rtol=1e-12, name="pixel accuracy")
        iou = student.seg_metrics.per_class_iou(cm)
        assert iou.dtype == torch.float64, "per_class_iou should be float64"
        assert_close(iou, iou_np(cmn), rtol=1e-12, name="per-class IoU")
        assert_close(student.seg_metrics.mean_iou(cm), np.nanmean(iou_np(cmn)), rtol=1e-12,
                     name="mIoU")


def _absent_classes_and_empty(student):
    """A class neither true nor predicted has IoU nan and is left out of mIoU; a class predicted
    but never true has IoU 0 and counts; a class of one pixel predicted right has IoU 1; an empty
    matrix gives nan accuracy and mIoU."""
    cm = torch.tensor([[3, 0, 1], [0, 0, 0], [0, 0, 4]])
    iou = student.seg_metrics.per_class_iou(cm).numpy()
    assert math.isnan(iou[1]), "a class that is nowhere should have IoU nan"
    assert_close(student.seg_metrics.mean_iou(cm), (0.75 + 0.8) / 2, rtol=1e-12,
                 name="mIoU with an absent class")
    cm2 = torch.tensor([[2, 2], [0, 0]])
    assert_close(student.seg_metrics.per_class_iou(cm2), [0.5, 0.0], rtol=1e-12,
                 name="IoU of a class predicted but never true")
    assert_close(student.seg_metrics.mean_iou(cm2), 0.25, rtol=1e-12,
                 name="mIoU counting a class predicted but never true")
    single = torch.tensor([[1, 0], [0, 5]])  # class 0: one pixel, predicted right
    assert_close(student.seg_metrics.per_class_iou(single), [1.0, 1.0], rtol=1e-12,
                 name="IoU of a class of one pixel")
    empty = torch.zeros((3, 3), dtype=torch.int64)
    assert math.isnan(student.seg_metrics.pixel_accuracy(empty)), "empty matrix: accuracy nan"
    assert math.isnan(student.seg_metrics.mean_iou(empty)), "empty matrix: mIoU nan"


@part("metrics")
@points(3)
def test_meter_accumulates(student, rng, device):
    """SegmentationMeter over three batches of different shapes equals the scores of all pixels
    at once (repeated update calls add up), reset forgets, and update does not modify its
    arguments."""
    meter = student.seg_metrics.SegmentationMeter(4, 255)
    ts, ps = [], []
    for shape in ((2, 5, 5), (1, 3, 4), (3, 2, 2)):
        p, t = labels(rng, device, shape, 4), labels(rng, device, shape, 4)
        t[torch.as_tensor(rng.random(shape) < 0.2, device=device)] = 255
        call = watch_call(meter.update, p, t)
        assert call.changed == [], f"update modified {call.changed}"
        ts.append(t.cpu().numpy().ravel())
        ps.append(p.cpu().numpy().ravel())
    t, p = np.concatenate(ts), np.concatenate(ps)
    keep = t != 255
    cm = sk_confusion(t[keep], p[keep], labels=list(range(4)))
    out = meter.compute()
    assert np.array_equal(np.asarray(meter.cm.cpu()), cm), "the running confusion matrix is wrong"
    assert_close(out["pixel_accuracy"], np.trace(cm) / cm.sum(), rtol=1e-12, name="accuracy")
    assert_close(out["iou"], iou_np(cm), rtol=1e-12, name="per-class IoU")
    assert_close(out["miou"], np.nanmean(iou_np(cm)), rtol=1e-12, name="mIoU")
    meter.reset()
    meter.update(torch.tensor([1, 1], device=device), torch.tensor([1, 0], device=device))
    assert_close(meter.compute()["miou"], 0.25, rtol=1e-12, name="mIoU after reset")


@part("metrics")
@points(6)
def test_confusion_matrix(student, rng, device):
    """confusion_matrix (rows true, columns predicted) matches scikit-learn's on 2-D and 3-D
    label maps, with an ignore label (dropped whatever the prediction) and without, and a class
    that never occurs; int64; the arguments are not modified. confusion_matrix raises ValueError
    for a shape mismatch and for predictions or targets outside 0..K-1, but not for an ignored
    target."""
    _confusion_matrix_matches_sklearn(student, rng, device)
    _confusion_matrix_errors(student, device)


@part("metrics")
@points(6)
def test_accuracy_and_iou(student, rng):
    """pixel_accuracy, per_class_iou (float64) and mean_iou match the handout's formulas on
    random confusion matrices. A class neither true nor predicted has IoU nan and is left out of
    mIoU; a class predicted but never true has IoU 0 and counts; an empty matrix gives nan
    accuracy and mIoU."""
    _scores_match_formulas(student, rng)
    _absent_classes_and_empty(student)
