"""The ImageNet preprocessing of torchvision's pretrained weights, written out.

A model pretrained on ImageNet expects its inputs prepared exactly as in training, which for
torchvision's classification weights (``weights.transforms()``, an ``ImageClassification``) is:

1. **resize** so that the shorter side is ``resize_size`` (256, or 232 for ResNet-50's V2
   weights), the longer side ``int(resize_size * long / short)`` (truncated, as torchvision does),
   bilinear with antialiasing (``F.interpolate(..., mode="bilinear", align_corners=False,
   antialias=True)``);
2. **center crop** to crop_size x crop_size (224): top = int(round((H - crop) / 2)), left likewise;
3. **scale** to [0, 1] (uint8 images are divided by 255; float images are taken as in [0, 1]);
4. **normalise** each channel: (x - mean) / std with ImageNet's statistics.

Images are tensors (3, H, W) or batches (N, 3, H, W); the result is float32.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def resized_size(height: int, width: int, size: int) -> tuple[int, int]:
    """(new_height, new_width) with the shorter side ``size`` and the longer one
    int(size * long / short); a square image becomes (size, size)."""
    raise NotImplementedError('implement resized_size in preprocess.py')


def center_crop(img: torch.Tensor, size: int) -> torch.Tensor:
    """The central size x size window of img (..., H, W), top = int(round((H - size) / 2)) and
    left = int(round((W - size) / 2)). Raises ValueError when H or W is smaller than size."""
    raise NotImplementedError('implement center_crop in preprocess.py')


def imagenet_preprocess(img: torch.Tensor, *, resize_size: int = 256, crop_size: int = 224,
                        mean: tuple[float, ...] = IMAGENET_MEAN,
                        std: tuple[float, ...] = IMAGENET_STD) -> torch.Tensor:
    """Steps 1-4 of the module docstring: (3, H, W) or (N, 3, H, W), uint8 or float, to float32
    (3, crop, crop) or (N, 3, crop, crop). The input is not modified."""
    raise NotImplementedError('implement imagenet_preprocess in preprocess.py')
