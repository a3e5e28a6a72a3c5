"""Box coding: boxes as offsets from anchors, the regression targets of Faster R-CNN and SSD.

For an anchor with centre (x_a, y_a) and size (w_a, h_a), a box with centre (x, y) and size
(w, h), and weights (w_x, w_y, w_w, w_h) (torchvision's BoxCoder; Faster R-CNN's second stage
uses (10, 10, 5, 5)):

    t_x = w_x (x - x_a) / w_a     t_y = w_y (y - y_a) / h_a
    t_w = w_w log(w / w_a)        t_h = w_h log(h / h_a)

Decoding inverts it; before the exponential, t_w / w_w and t_h / w_h are clamped from above at
``clip`` (default log(1000 / 16)), so a wild prediction gives a large box, not an overflow.
Boxes and anchors are (N, 4) xyxy, codes (N, 4); centres are x1 + 0.5 w.
"""

import math

import torch
from torch import Tensor

DEFAULT_CLIP = math.log(1000.0 / 16)


def _centre_size(boxes: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(cx, cy, w, h) of (N, 4) xyxy boxes, each (N,)."""
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    return boxes[:, 0] + 0.5 * w, boxes[:, 1] + 0.5 * h, w, h


def encode(boxes: Tensor, anchors: Tensor,
           weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)) -> Tensor:
    """Codes (N, 4) = (t_x, t_y, t_w, t_h) of ``boxes`` (N, 4) relative to ``anchors`` (N, 4)."""
    raise NotImplementedError('implement encode in box_coding.py')


def decode(codes: Tensor, anchors: Tensor,
           weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
           clip: float = DEFAULT_CLIP) -> Tensor:
    """Boxes (N, 4) xyxy from ``codes`` (N, 4) relative to ``anchors`` (N, 4):

        x = t_x / w_x w_a + x_a,   w = exp(min(t_w / w_w, clip)) w_a   (same for y, h)
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    """
    raise NotImplementedError('implement decode in box_coding.py')
