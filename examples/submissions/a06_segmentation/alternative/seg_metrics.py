"""Segmentation metrics (alternative submission: index_put accumulation, numpy-free)."""

import torch
from torch import Tensor


def confusion_matrix(pred: Tensor, target: Tensor, num_classes: int,
                     ignore_index: int | None = None) -> Tensor:
    """Rows true, columns predicted."""
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError("shape mismatch")
    t = target.flatten().to(torch.int64)
    p = pred.flatten().to(torch.int64)
    if ignore_index is not None:
        sel = t.ne(ignore_index)
        t, p = t[sel], p[sel]
    if bool(((t < 0) | (t >= num_classes) | (p < 0) | (p >= num_classes)).any()):
        raise ValueError("label out of range")
    cm = torch.zeros((num_classes, num_classes), dtype=torch.int64, device=pred.device)
    cm.index_put_((t, p), torch.ones_like(t), accumulate=True)
    return cm


def pixel_accuracy(cm: Tensor) -> float:
    """Diagonal share."""
    n = int(cm.sum())
    if n == 0:
        return float("nan")
    return float(torch.trace(cm)) / n


def per_class_iou(cm: Tensor) -> Tensor:
    """IoU per class, nan when absent."""
    m = cm.to(torch.float64)
    tp = torch.diag(m)
    fp = m.sum(dim=0) - tp
    fn = m.sum(dim=1) - tp
    denom = tp + fp + fn
    return tp / denom   # 0 / 0 = nan for a class nowhere


def mean_iou(cm: Tensor) -> float:
    """nanmean of the IoUs."""
    iou = per_class_iou(cm)
    if bool(torch.isnan(iou).all()):
        return float("nan")
    return float(torch.nanmean(iou))


class SegmentationMeter:
    """Running confusion matrix."""

    def __init__(self, num_classes: int, ignore_index: int | None = None) -> None:
        self.k = num_classes
        self.ignore = ignore_index
        self.reset()

    def update(self, pred: Tensor, target: Tensor) -> None:
        """Add a batch."""
        self.cm += confusion_matrix(pred, target, self.k, self.ignore).to("cpu")

    def reset(self) -> None:
        """Start over."""
        self.cm = torch.zeros(self.k, self.k, dtype=torch.int64)

    def compute(self) -> dict[str, object]:
        """Scores so far."""
        return dict(pixel_accuracy=pixel_accuracy(self.cm), iou=per_class_iou(self.cm),
                    miou=mean_iou(self.cm))
