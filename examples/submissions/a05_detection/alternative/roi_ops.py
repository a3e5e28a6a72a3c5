"""RoI Pool with masks, RoI Align as two interpolation matrices (A_y F A_x^T), FPN levels."""

import math

import torch
from torch import Tensor


def _round_half_away(v: float) -> int:
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


def roi_pool(features: Tensor, rois: Tensor, output_size: tuple[int, int],
             spatial_scale: float = 1.0) -> Tensor:
    """Max over the snapped bins of each RoI (torchvision's integer grid, with the +1)."""
    out_h, out_w = output_size
    n_img, channels, height, width = features.shape
    results = []
    for roi in rois.tolist():
        fmap = features[int(roi[0])]
        x0, y0 = _round_half_away(roi[1] * spatial_scale), _round_half_away(roi[2] * spatial_scale)
        w = max(_round_half_away(roi[3] * spatial_scale) - x0 + 1, 1)
        h = max(_round_half_away(roi[4] * spatial_scale) - y0 + 1, 1)
        row_bins = [(min(max(y0 + math.floor(i * h / out_h), 0), height),
                     min(max(y0 + math.ceil((i + 1) * h / out_h), 0), height)) for i in range(out_h)]
        col_bins = [(min(max(x0 + math.floor(j * w / out_w), 0), width),
                     min(max(x0 + math.ceil((j + 1) * w / out_w), 0), width)) for j in range(out_w)]
        cells = []
        for r0, r1 in row_bins:
            for c0, c1 in col_bins:
                if r1 <= r0 or c1 <= c0:
                    cells.append(fmap.new_zeros(channels))
                else:
                    cells.append(fmap[:, r0:r1, c0:c1].flatten(1).max(dim=1).values)
        results.append(torch.stack(cells, dim=1).view(channels, out_h, out_w))
    if not results:
        return features.new_zeros((0, channels, out_h, out_w))
    return torch.stack(results)


def _interpolation_matrix(start: float, length: float, bins: int, grid: int, size: int,
                          like: Tensor) -> Tensor:
    """(bins, size): row b averages the linear interpolation weights of bin b's grid samples."""
    matrix = torch.zeros((bins, size), dtype=like.dtype, device=like.device)
    step = length / bins
    for b in range(bins):
        for s in range(grid):
            p = start + b * step + (s + 0.5) * step / grid
            if p < -1.0 or p > size:
                continue
            p = max(p, 0.0)
            lo = int(p)
            if lo >= size - 1:
                matrix[b, size - 1] += 1.0 / grid
                continue
            matrix[b, lo] += (1.0 - (p - lo)) / grid
            matrix[b, lo + 1] += (p - lo) / grid
    return matrix


def roi_align(features: Tensor, rois: Tensor, output_size: tuple[int, int],
              spatial_scale: float = 1.0, sampling_ratio: int = -1, aligned: bool = False
              ) -> Tensor:
    """RoI Align: bilinear sampling is separable, so each RoI is A_y F A_x^T."""
    out_h, out_w = output_size
    _, channels, height, width = features.shape
    shift = 0.5 if aligned else 0.0
    results = []
    for roi in rois.tolist():
        x0, y0 = roi[1] * spatial_scale - shift, roi[2] * spatial_scale - shift
        w, h = (roi[3] - roi[1]) * spatial_scale, (roi[4] - roi[2]) * spatial_scale
        if not aligned:
            w, h = max(w, 1.0), max(h, 1.0)
        gy = sampling_ratio if sampling_ratio > 0 else max(math.ceil(h / out_h), 0)
        gx = sampling_ratio if sampling_ratio > 0 else max(math.ceil(w / out_w), 0)
        if gy == 0 or gx == 0:
            results.append(features.new_zeros((channels, out_h, out_w)))
            continue
        ay = _interpolation_matrix(y0, h, out_h, gy, height, features)
        ax = _interpolation_matrix(x0, w, out_w, gx, width, features)
        results.append(ay @ features[int(roi[0])] @ ax.T)
    if not results:
        return features.new_zeros((0, channels, out_h, out_w))
    return torch.stack(results)


def map_levels(boxes: Tensor, k_min: int, k_max: int, canonical_scale: float = 224.0,
               canonical_level: int = 4, eps: float = 1e-6) -> Tensor:
    """FPN level minus k_min of each box."""
    side = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])).sqrt()
    level = torch.floor(canonical_level + torch.log2(side / canonical_scale) + eps)
    return (torch.clamp(level, k_min, k_max) - k_min).long()
