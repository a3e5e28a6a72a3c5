"""Box coding (BoxCoder's parametrisation) through centre-size boxes."""

import math

import torch
from torch import Tensor

DEFAULT_CLIP = math.log(1000.0 / 16)


def _cxcywh(boxes: Tensor) -> Tensor:
    size = boxes[:, 2:] - boxes[:, :2]
    return torch.cat([boxes[:, :2] + size / 2, size], dim=1)


def encode(boxes: Tensor, anchors: Tensor,
           weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)) -> Tensor:
    """(N, 4) codes of boxes relative to anchors."""
    w = torch.tensor(weights, dtype=boxes.dtype, device=boxes.device)
    g, a = _cxcywh(boxes), _cxcywh(anchors)
    offsets = (g[:, :2] - a[:, :2]) / a[:, 2:]
    scales = torch.log(g[:, 2:]) - torch.log(a[:, 2:])
    return torch.cat([offsets, scales], dim=1) * w


def decode(codes: Tensor, anchors: Tensor,
           weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
           clip: float = DEFAULT_CLIP) -> Tensor:
    """(N, 4) xyxy boxes from codes relative to anchors, log-scales clamped at clip."""
    w = torch.tensor(weights, dtype=codes.dtype, device=codes.device)
    a = _cxcywh(anchors.to(codes.dtype))
    t = codes / w
    centre = t[:, :2] * a[:, 2:] + a[:, :2]
    size = a[:, 2:] * torch.exp(torch.minimum(t[:, 2:], torch.full_like(t[:, 2:], clip)))
    return torch.cat([centre - 0.5 * size, centre + 0.5 * size], dim=1)
