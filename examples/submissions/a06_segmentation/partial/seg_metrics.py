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
    if pred.shape != target.shape:
        raise ValueError(f"pred and target shapes differ: {tuple(pred.shape)} and "
                         f"{tuple(target.shape)}")
    pred, target = pred.reshape(-1).long(), target.reshape(-1).long()
    if ignore_index is not None:
        keep = target != ignore_index
        pred, target = pred[keep], target[keep]
    for name, values in (("pred", pred), ("target", target)):
        if values.numel() and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name} has values outside 0..{num_classes - 1}")
    counts = torch.bincount(target * num_classes + pred, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def pixel_accuracy(cm: Tensor) -> float:
    """Fraction of counted pixels on the diagonal of the confusion matrix (nan if empty)."""
    total = cm.sum().item()
    return math.nan if total == 0 else cm.diagonal().sum().item() / total


def per_class_iou(cm: Tensor) -> Tensor:
    """(K,) float64 IoU of every class, nan for a class neither true nor predicted."""
    cm = cm.double()
    tp = cm.diagonal()
    union = cm.sum(0) + cm.sum(1) - tp
    return torch.where(union > 0, tp / union.clamp(min=1), torch.full_like(tp, math.nan))


def mean_iou(cm: Tensor) -> float:
    """Mean of the per-class IoUs that are not nan (nan if every class is absent)."""
    iou = per_class_iou(cm)
    present = ~torch.isnan(iou)
    return iou.nan_to_num(0.0).mean().item()


class SegmentationMeter:
    """Accumulates a confusion matrix over batches: ``update(pred, target)`` adds one batch
    (any shapes, as ``confusion_matrix``), ``compute()`` returns {"pixel_accuracy": float,
    "iou": (K,) float64 tensor, "miou": float} of everything seen since the last ``reset()``.
    ``cm`` is the running (K, K) int64 matrix (on the CPU)."""

    def __init__(self, num_classes: int, ignore_index: int | None = None) -> None:
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.cm = torch.zeros((num_classes, num_classes), dtype=torch.int64)

    def update(self, pred: Tensor, target: Tensor) -> None:
        """Add the confusion matrix of one batch."""
        self.cm = self.cm + confusion_matrix(pred, target, self.num_classes,
                                             self.ignore_index).cpu()

    def reset(self) -> None:
        """Forget everything seen."""
        self.cm = torch.zeros((self.num_classes, self.num_classes), dtype=torch.int64)

    def compute(self) -> dict[str, object]:
        """Pixel accuracy, per-class IoU and mIoU of the accumulated matrix."""
        return {"pixel_accuracy": pixel_accuracy(self.cm), "iou": per_class_iou(self.cm),
                "miou": mean_iou(self.cm)}
