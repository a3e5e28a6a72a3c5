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
    ### BEGIN SOLUTION
    if height <= width:
        return size, int(size * width / height)
    return int(size * height / width), size
    ### END SOLUTION


def center_crop(img: torch.Tensor, size: int) -> torch.Tensor:
    """The central size x size window of img (..., H, W), top = int(round((H - size) / 2)) and
    left = int(round((W - size) / 2)). Raises ValueError when H or W is smaller than size."""
    ### BEGIN SOLUTION
    height, width = img.shape[-2:]
    if height < size or width < size:
        raise ValueError(f"cannot crop {size}x{size} from a {height}x{width} image")
    top, left = int(round((height - size) / 2)), int(round((width - size) / 2))
    return img[..., top:top + size, left:left + size]
    ### END SOLUTION


def imagenet_preprocess(img: torch.Tensor, *, resize_size: int = 256, crop_size: int = 224,
                        mean: tuple[float, ...] = IMAGENET_MEAN,
                        std: tuple[float, ...] = IMAGENET_STD) -> torch.Tensor:
    """Steps 1-4 of the module docstring: (3, H, W) or (N, 3, H, W), uint8 or float, to float32
    (3, crop, crop) or (N, 3, crop, crop). The input is not modified."""
    ### BEGIN SOLUTION
    batched = img.ndim == 4
    x = img if batched else img[None]
    x = x.to(torch.float32) / 255.0 if x.dtype == torch.uint8 else x.to(torch.float32)
    size = resized_size(x.shape[-2], x.shape[-1], resize_size)
    x = F.interpolate(x, size=size, mode="bilinear", align_corners=False, antialias=True)
    x = center_crop(x, crop_size)
    m = torch.tensor(mean, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    s = torch.tensor(std, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    x = (x - m) / s
    return x if batched else x[0]
    ### END SOLUTION
