"""Non-maximum suppression: keep the best box of every cluster of overlapping boxes.

Greedy NMS (as torchvision.ops.nms): visit boxes by decreasing score; keep a box unless it
overlaps an already kept box with IoU > iou_threshold (strictly greater: a box at exactly the
threshold survives). Equal scores are visited in index order (a stable sort). Class-aware
("batched") NMS runs the same per class: boxes of different classes never suppress each other.
"""

import torch
from boxes import box_iou
from torch import Tensor


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Indices (K,) int64 of the boxes kept, by decreasing score (ties: lower index first).

    Args:
        boxes: (N, 4) xyxy. scores: (N,). iou_threshold: suppress IoU > this.

    Returns an empty int64 tensor for N = 0. Does not modify its arguments.
    """
    ### BEGIN SOLUTION
    order = torch.sort(scores, descending=True, stable=True).indices
    iou = box_iou(boxes[order], boxes[order])  # (N, N), rows and columns in visiting order
    suppressed = torch.zeros(len(order), dtype=torch.bool, device=boxes.device)
    keep = []
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= iou[i] > iou_threshold
    return order[torch.tensor(keep, dtype=torch.int64, device=boxes.device)]
    ### END SOLUTION


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """NMS within each category of ``idxs`` (N,) int64: indices (K,) int64 of the boxes kept
    over all categories, by decreasing score (ties: lower index first).

    Equivalent to running ``nms`` on each category's boxes and merging the survivors.
    """
    ### BEGIN SOLUTION
    kept = [torch.zeros(0, dtype=torch.int64, device=boxes.device)]
    for category in torch.unique(idxs):
        members = torch.nonzero(idxs == category).flatten()
        kept.append(members[nms(boxes[members], scores[members], iou_threshold)])
    keep = torch.cat(kept)
    keep = keep.sort().values  # index order first, so the stable sort breaks ties by index
    return keep[torch.sort(scores[keep], descending=True, stable=True).indices]
    ### END SOLUTION
