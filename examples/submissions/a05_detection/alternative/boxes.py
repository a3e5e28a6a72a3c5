"""Boxes: conversions as linear maps, areas and the IoU family, written from the handout."""

import math

import torch
from torch import Tensor

FORMATS = ("xyxy", "xywh", "cxcywh")

# Each format is a linear function of the corners: fmt = xyxy @ _TO[fmt].
_TO = {
    "xyxy": torch.eye(4, dtype=torch.float64),
    "xywh": torch.tensor([[1, 0, -1, 0], [0, 1, 0, -1], [0, 0, 1, 0], [0, 0, 0, 1]],
                         dtype=torch.float64),
    "cxcywh": torch.tensor([[0.5, 0, -1, 0], [0, 0.5, 0, -1], [0.5, 0, 1, 0], [0, 0.5, 0, 1]],
                           dtype=torch.float64),
}


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Convert (N, 4) boxes between "xyxy", "xywh" and "cxcywh"; ValueError for others."""
    if in_fmt not in _TO or out_fmt not in _TO:
        raise ValueError(f"unsupported box format: {in_fmt!r} -> {out_fmt!r}")
    if in_fmt == out_fmt:
        return boxes.clone()
    matrix = torch.linalg.inv(_TO[in_fmt]) @ _TO[out_fmt]
    return boxes @ matrix.to(dtype=boxes.dtype, device=boxes.device)


def box_area(boxes: Tensor) -> Tensor:
    """(N,) areas of xyxy boxes, continuous coordinates."""
    return (boxes[:, 2:] - boxes[:, :2]).prod(dim=1)


def box_inter_union(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor]:
    """Pairwise intersection and union areas, (N, M) each."""
    x1 = torch.max(boxes1[:, 0].unsqueeze(1), boxes2[:, 0].unsqueeze(0))
    y1 = torch.max(boxes1[:, 1].unsqueeze(1), boxes2[:, 1].unsqueeze(0))
    x2 = torch.min(boxes1[:, 2].unsqueeze(1), boxes2[:, 2].unsqueeze(0))
    y2 = torch.min(boxes1[:, 3].unsqueeze(1), boxes2[:, 3].unsqueeze(0))
    inter = torch.relu(x2 - x1) * torch.relu(y2 - y1)
    union = box_area(boxes1).unsqueeze(1) + box_area(boxes2).unsqueeze(0) - inter
    return inter, union


def box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Pairwise IoU (N, M); 0 where the union is 0."""
    inter, union = box_inter_union(boxes1, boxes2)
    return torch.nan_to_num(inter / union, nan=0.0)


def _hull(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor]:
    """Width and height (N, M) of the smallest box enclosing each pair."""
    w = (torch.max(boxes1[:, 2].unsqueeze(1), boxes2[:, 2].unsqueeze(0))
         - torch.min(boxes1[:, 0].unsqueeze(1), boxes2[:, 0].unsqueeze(0)))
    h = (torch.max(boxes1[:, 3].unsqueeze(1), boxes2[:, 3].unsqueeze(0))
         - torch.min(boxes1[:, 1].unsqueeze(1), boxes2[:, 1].unsqueeze(0)))
    return w, h


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """GIoU = IoU - (|C| - union) / |C|."""
    inter, union = box_inter_union(boxes1, boxes2)
    w, h = _hull(boxes1, boxes2)
    hull = w * h
    return inter / union - 1.0 + union / hull


def distance_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """DIoU = IoU - rho^2 / (c^2 + eps)."""
    w, h = _hull(boxes1, boxes2)
    dx = ((boxes1[:, 0] + boxes1[:, 2]).unsqueeze(1) - (boxes2[:, 0] + boxes2[:, 2]).unsqueeze(0)) / 2
    dy = ((boxes1[:, 1] + boxes1[:, 3]).unsqueeze(1) - (boxes2[:, 1] + boxes2[:, 3]).unsqueeze(0)) / 2
    return box_iou(boxes1, boxes2) - (dx * dx + dy * dy) / (w * w + h * h + eps)


def complete_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """CIoU = DIoU - alpha v, alpha held constant."""
    iou = box_iou(boxes1, boxes2)
    a1 = torch.atan2(boxes1[:, 2] - boxes1[:, 0], boxes1[:, 3] - boxes1[:, 1])
    a2 = torch.atan2(boxes2[:, 2] - boxes2[:, 0], boxes2[:, 3] - boxes2[:, 1])
    v = 4.0 / (math.pi * math.pi) * (a1.unsqueeze(1) - a2.unsqueeze(0)).square()
    alpha = (v / (1 - iou + v + eps)).detach()
    return distance_box_iou(boxes1, boxes2, eps) - alpha * v
