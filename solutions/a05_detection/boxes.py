"""Boxes: format conversions, areas and the IoU family (IoU, GIoU, DIoU, CIoU).

A box is a row of 4 numbers. Formats, as torchvision.ops.box_convert names them:
``"xyxy"`` (x1, y1, x2, y2) corners; ``"xywh"`` (x1, y1, w, h) corner and size; ``"cxcywh"``
(cx, cy, w, h) centre and size. Coordinates are continuous: a box [0, 0, 10, 10] is 10 wide and
has area 100 (no "+1"). Pairwise functions take boxes1 (N, 4) and boxes2 (M, 4), both xyxy, and
return (N, M). None of them modifies its arguments; all work in the inputs' dtype and device.
"""

import math

import torch
from torch import Tensor

FORMATS = ("xyxy", "xywh", "cxcywh")


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Convert (N, 4) boxes from ``in_fmt`` to ``out_fmt`` (each one of ``FORMATS``).

        xywh -> xyxy:   (x1, y1, x1 + w, y1 + h)
        cxcywh -> xyxy: (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        and the inverses. The same format in and out returns an equal copy.

    Raises:
        ValueError: a format not in ``FORMATS``.
    """
    ### BEGIN SOLUTION
    for fmt in (in_fmt, out_fmt):
        if fmt not in FORMATS:
            raise ValueError(f"unknown box format {fmt!r}; expected one of {FORMATS}")
    a, b, c, d = boxes.unbind(-1)
    if in_fmt == "xywh":
        a, b, c, d = a, b, a + c, b + d
    elif in_fmt == "cxcywh":
        a, b, c, d = a - c / 2, b - d / 2, a + c / 2, b + d / 2
    # (a, b, c, d) is now xyxy
    if out_fmt == "xywh":
        return torch.stack((a, b, c - a, d - b), dim=-1)
    if out_fmt == "cxcywh":
        return torch.stack(((a + c) / 2, (b + d) / 2, c - a, d - b), dim=-1)
    return torch.stack((a, b, c, d), dim=-1)
    ### END SOLUTION


def box_area(boxes: Tensor) -> Tensor:
    """Areas (x2 - x1) (y2 - y1) of (N, 4) xyxy boxes: (N,). A degenerate box (x2 == x1) has 0."""
    ### BEGIN SOLUTION
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    ### END SOLUTION


def box_inter_union(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor]:
    """Pairwise intersection and union areas: (N, M) each.

        inter_ij = max(0, min(x2_i, x2_j) - max(x1_i, x1_j))
                 * max(0, min(y2_i, y2_j) - max(y1_i, y1_j))
        union_ij = area_i + area_j - inter_ij

    Disjoint boxes have intersection 0 (the clamp is applied to the width and to the height
    separately, before multiplying: two negative overlaps must not make a positive area).
    """
    ### BEGIN SOLUTION
    lt = torch.maximum(boxes1[:, None, :2], boxes2[None, :, :2])  # (N, M, 2)
    rb = torch.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(boxes1)[:, None] + box_area(boxes2)[None, :] - inter
    return inter, union
    ### END SOLUTION


def box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Pairwise IoU = inter / union: (N, M), in [0, 1]. Empty inputs give an (N, 0) or (0, M)
    result. Where the union is 0 (two degenerate boxes) the IoU is 0."""
    ### BEGIN SOLUTION
    inter, union = box_inter_union(boxes1, boxes2)
    return torch.where(union > 0, inter / union.where(union > 0, torch.ones_like(union)),
                       torch.zeros_like(union))
    ### END SOLUTION


def _enclosing_wh(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Width and height of the smallest box enclosing each pair: (N, M, 2)."""
    lt = torch.minimum(boxes1[:, None, :2], boxes2[None, :, :2])
    rb = torch.maximum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    return (rb - lt).clamp(min=0)


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """GIoU (Rezatofighi et al. 2019): IoU - (|C| - union) / |C|, with C the smallest box
    enclosing both: (N, M), in [-1, 1]. Unlike the IoU it keeps decreasing as disjoint boxes
    move apart."""
    ### BEGIN SOLUTION
    inter, union = box_inter_union(boxes1, boxes2)
    iou = inter / union
    wh = _enclosing_wh(boxes1, boxes2)
    enclosing = wh[..., 0] * wh[..., 1]
    return iou - (enclosing - union) / enclosing
    ### END SOLUTION


def distance_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """DIoU (Zheng et al. 2020): IoU - rho^2 / (c^2 + eps): (N, M).

    rho is the distance between the two boxes' centres, c the diagonal of the smallest box
    enclosing both (c^2 = w_C^2 + h_C^2).
    """
    ### BEGIN SOLUTION
    iou = box_iou(boxes1, boxes2)
    wh = _enclosing_wh(boxes1, boxes2)
    diagonal2 = wh[..., 0] ** 2 + wh[..., 1] ** 2 + eps
    c1 = (boxes1[:, :2] + boxes1[:, 2:]) / 2  # (N, 2) centres
    c2 = (boxes2[:, :2] + boxes2[:, 2:]) / 2
    rho2 = ((c1[:, None, :] - c2[None, :, :]) ** 2).sum(-1)
    return iou - rho2 / diagonal2
    ### END SOLUTION


def complete_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """CIoU (Zheng et al. 2020): DIoU - alpha v: (N, M), with the aspect-ratio term

        v = 4 / pi^2 (atan(w_1 / h_1) - atan(w_2 / h_2))^2,   alpha = v / (1 - IoU + v + eps)

    (boxes1 plays the prediction, boxes2 the ground truth; alpha is treated as a constant, as
    torchvision does, so no gradient flows through it).
    """
    ### BEGIN SOLUTION
    iou = box_iou(boxes1, boxes2)
    diou = distance_box_iou(boxes1, boxes2, eps)
    w1, h1 = boxes1[:, 2] - boxes1[:, 0], boxes1[:, 3] - boxes1[:, 1]
    w2, h2 = boxes2[:, 2] - boxes2[:, 0], boxes2[:, 3] - boxes2[:, 1]
    v = (4 / math.pi**2) * (torch.atan(w1 / h1)[:, None] - torch.atan(w2 / h2)[None, :]) ** 2
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v
    ### END SOLUTION
