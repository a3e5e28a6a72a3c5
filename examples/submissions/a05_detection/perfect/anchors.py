"""Anchors: reference boxes tiled over a feature map, as torchvision's AnchorGenerator makes them.

At every feature-map location (i, j) of a level with stride s, the same A = len(aspect_ratios)
x len(sizes) "cell anchors" are shifted to the point (j s, i s) of the image. For a size S and
an aspect ratio r = h / w, the cell anchor has area about S^2:

    h_ratio = sqrt(r),  w_ratio = 1 / h_ratio,  w = w_ratio S,  h = h_ratio S
    cell anchor = round((-w / 2, -h / 2, w / 2, h / 2))      (round half to even, torch.round)

Order everywhere: aspect ratio major, size minor within a location; locations row-major
(i over rows, then j over columns); levels in the order given.
"""

import torch
from torch import Tensor


def cell_anchors(sizes: tuple[float, ...], aspect_ratios: tuple[float, ...],
                 dtype: str = "float32", device: str = "cpu") -> Tensor:
    """The (A, 4) zero-centred xyxy anchors of one location, A = len(aspect_ratios) len(sizes);
    row a * len(sizes) + k has aspect_ratios[a] and sizes[k]. ``dtype`` names a torch dtype
    ("float32", "float64"): the anchors are computed in it, on ``device``."""
    scales = torch.as_tensor(sizes, dtype=getattr(torch, dtype), device=device)
    ratios = torch.as_tensor(aspect_ratios, dtype=getattr(torch, dtype), device=device)
    h_ratios = torch.sqrt(ratios)
    w_ratios = 1 / h_ratios
    ws = (w_ratios[:, None] * scales[None, :]).reshape(-1)
    hs = (h_ratios[:, None] * scales[None, :]).reshape(-1)
    return (torch.stack([-ws, -hs, ws, hs], dim=1) / 2).round()


def grid_anchors(cells: Tensor, grid_size: tuple[int, int], stride: tuple[int, int]) -> Tensor:
    """Tile (A, 4) cell anchors over a (H, W) grid with stride (s_y, s_x): (H W A, 4), where row
    (i W + j) A + a is cells[a] shifted by (j s_x, i s_y, j s_x, i s_y)."""
    height, width = grid_size
    shifts_x = torch.arange(width, device=cells.device).to(cells.dtype) * stride[1]
    shifts_y = torch.arange(height, device=cells.device).to(cells.dtype) * stride[0]
    shift_y, shift_x = torch.meshgrid(shifts_y, shifts_x, indexing="ij")
    shifts = torch.stack((shift_x, shift_y, shift_x, shift_y), dim=-1).reshape(-1, 1, 4)
    return (shifts + cells[None, :, :]).reshape(-1, 4)


def multilevel_anchors(image_size: tuple[int, int], feature_sizes: list[tuple[int, int]],
                       sizes: list[tuple[float, ...]], aspect_ratios: list[tuple[float, ...]],
                       dtype: str = "float32", device: str = "cpu") -> Tensor:
    """All anchors of an image of (height, width) ``image_size`` over several feature levels,
    concatenated level by level: (sum_l H_l W_l A_l, 4).

    Level l has grid ``feature_sizes[l]`` = (H_l, W_l), stride (height // H_l, width // W_l)
    (integer division, as torchvision), and cell anchors from ``sizes[l]`` and
    ``aspect_ratios[l]``, computed in ``dtype`` (a name, as for ``cell_anchors``) on ``device``.
    """
    levels = []
    for grid, level_sizes, ratios in zip(feature_sizes, sizes, aspect_ratios, strict=True):
        stride = (image_size[0] // grid[0], image_size[1] // grid[1])
        cells = cell_anchors(level_sizes, ratios, dtype=dtype, device=device)
        levels.append(grid_anchors(cells, grid, stride))
    return torch.cat(levels)
