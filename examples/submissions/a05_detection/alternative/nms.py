"""NMS: the shrinking-queue formulation, and batched NMS by offsetting classes apart."""

import torch
from torch import Tensor

from boxes import box_iou


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Indices of kept boxes by decreasing score, ties by lower index; IoU > threshold suppresses."""
    queue = torch.sort(-scores, stable=True).indices  # ascending negatives: descending, stable
    keep = []
    while queue.numel() > 0:
        best = queue[0]
        keep.append(int(best))
        rest = queue[1:]
        overlap = box_iou(boxes[best].unsqueeze(0), boxes[rest]).squeeze(0)
        queue = rest[overlap <= iou_threshold]
    return torch.as_tensor(keep, dtype=torch.int64, device=boxes.device)


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """NMS per category: each category is moved far away from the others, then one NMS."""
    if boxes.numel() == 0:
        return torch.zeros(0, dtype=torch.int64, device=boxes.device)
    span = boxes.max() - boxes.min() + 1
    rank = torch.unique(idxs, return_inverse=True)[1].to(boxes.dtype)
    shifted = boxes - boxes.min() + (rank * span).unsqueeze(1)
    return nms(shifted, scores, iou_threshold)
