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
    raise NotImplementedError('implement cell_anchors in anchors.py')


def grid_anchors(cells: Tensor, grid_size: tuple[int, int], stride: tuple[int, int]) -> Tensor:
    """Tile (A, 4) cell anchors over a (H, W) grid with stride (s_y, s_x): (H W A, 4), where row
    (i W + j) A + a is cells[a] shifted by (j s_x, i s_y, j s_x, i s_y)."""
    raise NotImplementedError('implement grid_anchors in anchors.py')


def multilevel_anchors(image_size: tuple[int, int], feature_sizes: list[tuple[int, int]],
                       sizes: list[tuple[float, ...]], aspect_ratios: list[tuple[float, ...]],
                       dtype: str = "float32", device: str = "cpu") -> Tensor:
    """All anchors of an image of (height, width) ``image_size`` over several feature levels,
    concatenated level by level: (sum_l H_l W_l A_l, 4).

    Level l has grid ``feature_sizes[l]`` = (H_l, W_l), stride (height // H_l, width // W_l)
    (integer division, as torchvision), and cell anchors from ``sizes[l]`` and
    ``aspect_ratios[l]``, computed in ``dtype`` (a name, as for ``cell_anchors``) on ``device``.
    """
    raise NotImplementedError('implement multilevel_anchors in anchors.py')
