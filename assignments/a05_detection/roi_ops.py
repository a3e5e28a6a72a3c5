"""Region-of-interest pooling for two-stage detectors: RoI Pool, RoI Align and FPN level mapping.

Inputs follow torchvision.ops: ``features`` (B, C, H, W); ``rois`` (K, 5) rows
(batch_index, x1, y1, x2, y2) in image coordinates, mapped to the feature map by
``spatial_scale`` (1 / stride); outputs (K, C, out_h, out_w).

**RoI Pool** (Fast R-CNN, torchvision's integer grid): the RoI is snapped to feature cells,
x1' = round(x1 s), x2' = round(x2 s) (C's round: halves away from zero), width
w = max(x2' - x1' + 1, 1) cells (the "+1": both end cells are inside), likewise h. Bin (i, j)
covers rows floor(i h / out_h) .. ceil((i + 1) h / out_h) - 1 (offset by y1', clipped to the
map) and the same for columns; its output is the max over the bin, 0 for an empty bin.

**RoI Align** (Mask R-CNN): no snapping. With o = 0.5 if ``aligned`` else 0, the RoI starts at
(x1 s - o, y1 s - o) and is (x2 - x1) s wide (at least 1 when not aligned). Each bin averages
g_h x g_w bilinear samples at the centres of a regular sub-grid, g = ``sampling_ratio`` if > 0,
else ceil(roi_h / out_h) (and ceil(roi_w / out_w)) for each RoI. A sample at (y, x) outside
[-1, H] x [-1, W] is 0; otherwise y and x are clamped to >= 0 and bilinear interpolation uses
cells floor(y) and floor(y) + 1, with both taken as H - 1 (and y = H - 1) when floor(y) >= H - 1.
"""

import math

import torch
from torch import Tensor


def _c_round(x: float) -> int:
    """C's round(): halves away from zero (torch.round rounds halves to even)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def roi_pool(features: Tensor, rois: Tensor, output_size: tuple[int, int],
             spatial_scale: float = 1.0) -> Tensor:
    """Max pool of each RoI into an (out_h, out_w) = ``output_size`` grid: (K, C, out_h, out_w)."""
    raise NotImplementedError('implement roi_pool in roi_ops.py')


def _axis_samples(start: float, size: float, bins: int, grid: int, limit: int
                  ) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """Sample coordinates along one axis of a RoI: (low cell, high cell, weight of low, weight
    of high, valid) for the bins * grid sample points, each a (bins * grid,) tensor."""
    bin_size = size / bins
    idx = torch.arange(bins * grid, dtype=torch.float64)
    coord = start + (idx // grid) * bin_size + ((idx % grid) + 0.5) * bin_size / grid
    valid = (coord >= -1.0) & (coord <= limit)
    coord = coord.clamp(min=0)
    low = coord.floor().long()
    at_edge = low >= limit - 1
    low = torch.where(at_edge, torch.full_like(low, limit - 1), low)
    high = torch.where(at_edge, low, low + 1)
    coord = torch.where(at_edge, low.to(coord.dtype), coord)
    frac = coord - low
    return low, high, 1 - frac, frac, valid


def roi_align(features: Tensor, rois: Tensor, output_size: tuple[int, int],
              spatial_scale: float = 1.0, sampling_ratio: int = -1, aligned: bool = False
              ) -> Tensor:
    """Bilinear RoI Align (see the module docstring): (K, C, out_h, out_w); differentiable in
    ``features``."""
    raise NotImplementedError('implement roi_align in roi_ops.py')


def map_levels(boxes: Tensor, k_min: int, k_max: int, canonical_scale: float = 224.0,
               canonical_level: int = 4, eps: float = 1e-6) -> Tensor:
    """FPN level of each (K, 4) xyxy box (Lin et al. 2017, eq. 1), minus k_min: (K,) int64,

        k = clamp(floor(canonical_level + log2(sqrt(area) / canonical_scale) + eps), k_min, k_max)
    """
    raise NotImplementedError('implement map_levels in roi_ops.py')
