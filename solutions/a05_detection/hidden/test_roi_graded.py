"""Graded: RoI Pool, RoI Align and FPN level mapping against torchvision.ops (part "roi", 9)."""

import numpy as np
import torch
import torchvision.ops as ops
from torchvision.ops.poolers import LevelMapper

from autograder.testing import assert_close, part, points

TOL = {"rtol": 1e-10, "atol": 1e-12}


def features_and_rois(rng: np.random.Generator, n: int = 14):
    """A (2, 3, 11, 14) feature map and RoIs in image coordinates (stride 4): inside, crossing
    the border, tiny, a degenerate line, one outside the image."""
    features = torch.from_numpy(rng.standard_normal((2, 3, 11, 14)))
    xy = rng.uniform(-8.0, 50.0, size=(n, 2))
    wh = rng.uniform(0.5, 30.0, size=(n, 2))
    boxes = np.concatenate([xy, xy + wh], axis=1)
    boxes[0] = [3.3, 5.1, 3.3, 17.9]                  # zero width
    boxes[1] = [70.2, 60.4, 80.7, 75.3]               # outside the map
    boxes[2] = [10.1, 10.2, 11.0, 10.9]               # smaller than a cell
    index = rng.integers(0, 2, size=(n, 1)).astype(np.float64)
    return features, torch.from_numpy(np.concatenate([index, boxes], axis=1))


@part("roi")
@points(3)
def test_roi_pool(student, rng, device):
    """roi_pool equals torchvision.ops.roi_pool (snapped RoIs with the +1, empty bins 0) for
    output sizes 2x2 and 3x4 at spatial scales 1/4 and 1/2."""
    features, rois = features_and_rois(rng)
    for size, scale in (((2, 2), 0.25), ((3, 4), 0.25), ((3, 2), 0.5)):
        got = student.roi_ops.roi_pool(features.to(device), rois.to(device), size, scale)
        want = ops.roi_pool(features, rois, size, scale)
        assert_close(got, want, **TOL, name=f"roi_pool(output_size={size}, scale={scale})")


@part("roi")
@points(3)
def test_roi_align(student, rng, device):
    """roi_align equals torchvision.ops.roi_align with aligned False and True and sampling ratio
    adaptive (-1 and 0), 1 and 2, including RoIs across the border, tiny and degenerate ones."""
    features, rois = features_and_rois(rng)
    for aligned in (False, True):
        for ratio in (-1, 0, 1, 2):
            got = student.roi_ops.roi_align(features.to(device), rois.to(device), (3, 4), 0.25,
                                            ratio, aligned)
            want = ops.roi_align(features, rois, (3, 4), 0.25, ratio, aligned)
            assert_close(got, want, **TOL,
                         name=f"roi_align(aligned={aligned}, sampling_ratio={ratio})")
    got = student.roi_ops.roi_align(features.to(device), rois[:5].to(device), (2, 2), 0.5, -1, True)
    assert_close(got, ops.roi_align(features, rois[:5], (2, 2), 0.5, -1, True), **TOL,
                 name="roi_align at scale 1/2")


@part("roi")
@points(1)
def test_roi_align_no_rois(student, rng, device):
    """roi_align of no RoIs returns an empty (0, C, out_h, out_w) tensor."""
    features, _ = features_and_rois(rng)
    got = student.roi_ops.roi_align(features.to(device), torch.zeros((0, 5), dtype=torch.float64,
                                                                     device=device), (3, 4), 0.25)
    assert tuple(got.shape) == (0, 3, 3, 4), "no RoIs should give shape (0, C, out_h, out_w)"


@part("roi")
@points(2)
def test_map_levels(student, rng, device):
    """map_levels equals torchvision's LevelMapper (FPN eq. 1) for levels 2..5, also with another
    canonical scale and level, boxes at exact level boundaries included."""
    xy = rng.uniform(0.0, 100.0, size=(30, 2))
    side = np.exp(rng.uniform(np.log(4.0), np.log(900.0), size=(30, 1)))
    boxes = np.concatenate([xy, xy + side], axis=1)
    boxes[:4] = [[0, 0, 224, 224], [0, 0, 112, 112], [0, 0, 448, 448], [0, 0, 56, 56]]
    # 224-pixel boxes whose float64 size x2 - x1 rounds just below 224: only FPN's eps keeps
    # them on level 4
    for k, (x, y) in enumerate(((239.1119684019965, 292.14929350427707),
                                (62.17983107542935, 290.91419711113605)), start=4):
        boxes[k] = [x, y, x + 224.0, y + 224.0]
    boxes = torch.from_numpy(boxes)
    for kwargs in ({}, {"canonical_scale": 160, "canonical_level": 3}):
        want = LevelMapper(2, 5, **kwargs)([boxes])
        got = student.roi_ops.map_levels(boxes.to(device), 2, 5, **kwargs)
        assert got.dtype == torch.int64, "map_levels returns int64 levels"
        assert torch.equal(got.cpu(), want), f"map_levels({kwargs}) differs from LevelMapper"
