"""ImageNet preprocessing (independent write-up)."""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def resized_size(height: int, width: int, size: int) -> tuple[int, int]:
    short, long = min(height, width), max(height, width)
    other = math.floor(size * long / short)
    return (size, other) if height <= width else (other, size)


def center_crop(img: torch.Tensor, size: int) -> torch.Tensor:
    h, w = int(img.shape[-2]), int(img.shape[-1])
    if size > min(h, w):
        raise ValueError("image smaller than the crop")
    top = int(round(0.5 * (h - size)))
    left = int(round(0.5 * (w - size)))
    return img.narrow(-2, top, size).narrow(-1, left, size)


def imagenet_preprocess(img: torch.Tensor, *, resize_size: int = 256, crop_size: int = 224,
                        mean: tuple[float, ...] = IMAGENET_MEAN,
                        std: tuple[float, ...] = IMAGENET_STD) -> torch.Tensor:
    single = img.dim() == 3
    x = img.unsqueeze(0) if single else img
    if x.dtype == torch.uint8:
        x = x.float().div(255)
    else:
        x = x.float()
    h, w = resized_size(x.shape[-2], x.shape[-1], resize_size)
    x = F.interpolate(x, size=(h, w), mode="bilinear", antialias=True, align_corners=False)
    x = center_crop(x, crop_size)
    m = x.new_tensor(mean)[None, :, None, None]
    s = x.new_tensor(std)[None, :, None, None]
    x = (x - m) / s
    return x.squeeze(0) if single else x
