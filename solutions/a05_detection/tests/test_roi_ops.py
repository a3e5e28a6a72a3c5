"""RoI Pool, RoI Align and the FPN level mapper against torchvision.ops."""

import torch
import torchvision.ops as ops
from roi_ops import map_levels, roi_align, roi_pool
from torchvision.ops.poolers import LevelMapper


def inputs() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    features = torch.randn(2, 3, 10, 12, generator=g, dtype=torch.float64)
    xy = torch.rand(6, 2, generator=g, dtype=torch.float64) * 40 - 4
    wh = torch.rand(6, 2, generator=g, dtype=torch.float64) * 25 + 0.3
    index = torch.tensor([[0.0], [1.0], [0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)
    return features, torch.cat([index, xy, xy + wh], 1)


def test_roi_pool_matches_torchvision() -> None:
    features, rois = inputs()
    torch.testing.assert_close(roi_pool(features, rois, (2, 3), 0.25),
                               ops.roi_pool(features, rois, (2, 3), 0.25))


def test_roi_align_matches_torchvision() -> None:
    features, rois = inputs()
    for aligned in (False, True):
        for ratio in (-1, 2):
            torch.testing.assert_close(roi_align(features, rois, (3, 3), 0.25, ratio, aligned),
                                       ops.roi_align(features, rois, (3, 3), 0.25, ratio, aligned))


def test_map_levels_matches_torchvision() -> None:
    boxes = torch.tensor([[0.0, 0.0, 224.0, 224.0], [0.0, 0.0, 30.0, 40.0],
                          [5.0, 5.0, 600.0, 500.0]])
    assert torch.equal(map_levels(boxes, 2, 5), LevelMapper(2, 5)([boxes]))
