"""Anchors against torchvision's AnchorGenerator."""

import torch
from anchors import cell_anchors, multilevel_anchors
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList


def test_cell_anchors_match_torchvision() -> None:
    want = AnchorGenerator().generate_anchors([25, 40], [0.5, 1.0, 2.0])
    torch.testing.assert_close(cell_anchors((25.0, 40.0), (0.5, 1.0, 2.0)), want)


def test_multilevel_anchors_match_torchvision() -> None:
    sizes, ratios = ((16.0,), (32.0, 48.0)), ((0.5, 1.0), (1.0,))
    generator = AnchorGenerator(sizes=sizes, aspect_ratios=ratios)
    images = ImageList(torch.zeros(1, 3, 64, 96), [(64, 96)])
    want = generator(images, [torch.zeros(1, 1, 8, 12), torch.zeros(1, 1, 4, 6)])[0]
    got = multilevel_anchors((64, 96), [(8, 12), (4, 6)], list(sizes), list(ratios))
    torch.testing.assert_close(got, want)
