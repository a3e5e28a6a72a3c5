"""Anchors as torchvision's AnchorGenerator makes them, from the handout's formulas."""

import torch
from torch import Tensor


def cell_anchors(sizes: tuple[float, ...], aspect_ratios: tuple[float, ...],
                 dtype: str = "float32", device: str = "cpu") -> Tensor:
    """(A, 4) zero-centred anchors, aspect ratio major, size minor."""
    kind = getattr(torch, dtype)
    rows = []
    for ratio in aspect_ratios:
        root = torch.sqrt(torch.tensor(float(ratio), dtype=kind))
        for size in sizes:
            half_w = (torch.tensor(float(size), dtype=kind) / root) / 2
            half_h = (root * float(size)) / 2
            rows.append(torch.stack([-half_w, -half_h, half_w, half_h]))
    return torch.round(torch.stack(rows)).to(device)


def grid_anchors(cells: Tensor, grid_size: tuple[int, int], stride: tuple[int, int]) -> Tensor:
    """(H W A, 4): cell anchors shifted to every location, row-major."""
    rows, cols = grid_size
    ys = (torch.arange(rows, device=cells.device) * stride[0]).to(cells.dtype)
    xs = (torch.arange(cols, device=cells.device) * stride[1]).to(cells.dtype)
    ys = ys.view(rows, 1, 1).expand(rows, cols, 1)
    xs = xs.view(1, cols, 1).expand(rows, cols, 1)
    offsets = torch.cat([xs, ys, xs, ys], dim=2).view(rows * cols, 1, 4)
    return (offsets + cells.unsqueeze(0)).view(-1, 4)


def multilevel_anchors(image_size: tuple[int, int], feature_sizes: list[tuple[int, int]],
                       sizes: list[tuple[float, ...]], aspect_ratios: list[tuple[float, ...]],
                       dtype: str = "float32", device: str = "cpu") -> Tensor:
    """All levels' anchors, concatenated in level order; stride by integer division."""
    parts = []
    for level, grid in enumerate(feature_sizes):
        stride = (image_size[0] // grid[0], image_size[1] // grid[1])
        parts.append(grid_anchors(cell_anchors(tuple(sizes[level]), tuple(aspect_ratios[level]),
                                               dtype, device), tuple(grid), stride))
    return torch.cat(parts, dim=0)
