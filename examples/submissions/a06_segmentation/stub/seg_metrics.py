"""Segmentation metrics from a confusion matrix.

``confusion_matrix(pred, target, K)`` is the (K, K) int64 count matrix N with N[i, j] = the
number of pixels of true class i predicted as j (rows true, columns predicted, as scikit-learn's
``confusion_matrix(target, pred, labels=range(K))``). Pixels whose *target* is ``ignore_index``
are left out (whatever their prediction). From N, with TP_c = N[c, c]:

    pixel accuracy = sum_c TP_c / sum N                      (nan for an empty matrix)
    IoU_c = TP_c / (sum_j N[c, j] + sum_i N[i, c] - TP_c)      (nan when the class appears
                                                               neither in target nor in pred)
    mIoU = mean of IoU_c over the classes whose IoU is not nan (nan if all are)

A class that is predicted but never true has IoU 0 (it counts in the mean); a class that is
neither true nor predicted is skipped. ``SegmentationMeter`` sums confusion matrices over
batches. No function modifies its arguments.
"""

import math

import torch
from torch import Tensor


def confusion_matrix(pred: Tensor, target: Tensor, num_classes: int,
                     ignore_index: int | None = None) -> Tensor:
    """(K, K) int64 confusion matrix of integer tensors ``pred`` and ``target`` of the same
    shape (any shape), on their device.

    Raises ValueError if the shapes differ, or a prediction or a (not ignored) target lies
    outside 0..K-1.
    """
    raise NotImplementedError('implement confusion_matrix in seg_metrics.py')


def pixel_accuracy(cm: Tensor) -> float:
    """Fraction of counted pixels on the diagonal of the confusion matrix (nan if empty)."""
    raise NotImplementedError('implement pixel_accuracy in seg_metrics.py')


def per_class_iou(cm: Tensor) -> Tensor:
    """(K,) float64 IoU of every class, nan for a class neither true nor predicted."""
    raise NotImplementedError('implement per_class_iou in seg_metrics.py')


def mean_iou(cm: Tensor) -> float:
    """Mean of the per-class IoUs that are not nan (nan if every class is absent)."""
    raise NotImplementedError('implement mean_iou in seg_metrics.py')


class SegmentationMeter:
    """Accumulates a confusion matrix over batches: ``update(pred, target)`` adds one batch
    (any shapes, as ``confusion_matrix``), ``compute()`` returns {"pixel_accuracy": float,
    "iou": (K,) float64 tensor, "miou": float} of everything seen since the last ``reset()``.
    ``cm`` is the running (K, K) int64 matrix (on the CPU)."""

    def __init__(self, num_classes: int, ignore_index: int | None = None) -> None:
        raise NotImplementedError('implement SegmentationMeter.__init__ in seg_metrics.py')

    def update(self, pred: Tensor, target: Tensor) -> None:
        """Add the confusion matrix of one batch."""
        raise NotImplementedError('implement SegmentationMeter.update in seg_metrics.py')

    def reset(self) -> None:
        """Forget everything seen."""
        raise NotImplementedError('implement SegmentationMeter.reset in seg_metrics.py')

    def compute(self) -> dict[str, object]:
        """Pixel accuracy, per-class IoU and mIoU of the accumulated matrix."""
        raise NotImplementedError('implement SegmentationMeter.compute in seg_metrics.py')
