"""Graded: anchors against torchvision's AnchorGenerator (part "anchors", 9 points)."""

import torch
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList

from autograder.testing import assert_close, part, points


@part("anchors")
@points(3)
def test_cell_anchors(student, device):
    """cell_anchors matches AnchorGenerator.generate_anchors (ratio-major order, torch.round
    halves to even: size 25 gives +-12, not +-13) in float32 and float64."""
    generator = AnchorGenerator()
    for sizes, ratios in (((32.0,), (1.0,)), ((25.0, 40.0, 64.0), (0.5, 1.0, 2.0)),
                          ((16.0, 24.0), (0.25, 1.5, 3.0, 1.0))):
        for dtype in ("float32", "float64"):
            got = student.anchors.cell_anchors(sizes, ratios, dtype=dtype, device=device)
            want = generator.generate_anchors(list(sizes), list(ratios),
                                              dtype=getattr(torch, dtype))
            assert got.dtype == want.dtype, "cell_anchors should use the dtype asked for"
            assert_close(got, want, rtol=0, atol=1e-9,
                         name=f"cell_anchors(sizes={sizes}, aspect_ratios={ratios})")


@part("anchors")
@points(3)
def test_grid_anchors(student, device):
    """grid_anchors tiles cell anchors over non-square grids with different row and column
    strides, in torchvision's order (locations row-major, anchors within a location)."""
    generator = AnchorGenerator(sizes=((20.0, 36.0),), aspect_ratios=((0.5, 2.0),))
    cells = generator.generate_anchors([20.0, 36.0], [0.5, 2.0], dtype=torch.float64)
    generator.cell_anchors = [cells]
    for grid, stride in (((3, 5), (8, 8)), ((4, 2), (6, 10)), ((1, 1), (16, 16))):
        want = generator.grid_anchors([list(grid)], [[torch.tensor(stride[0]),
                                                      torch.tensor(stride[1])]])[0]
        got = student.anchors.grid_anchors(cells.to(device), grid, stride)
        assert_close(got, want, rtol=0, atol=1e-9,
                     name=f"grid_anchors(grid={grid}, stride={stride})")


@part("anchors")
@points(3)
def test_multilevel_anchors(student, device):
    """multilevel_anchors gives AnchorGenerator's anchors for a non-square image and three
    feature levels with their own sizes and aspect ratios (stride = image size // grid, on
    both axes an image size that the grids do not divide)."""
    sizes = ((16.0, 24.0), (48.0,), (96.0, 128.0))
    ratios = ((0.5, 1.0, 2.0), (1.0, 3.0), (1.0,))
    image, features = (98, 130), [(24, 33), (12, 16), (6, 8)]
    generator = AnchorGenerator(sizes=sizes, aspect_ratios=ratios)
    images = ImageList(torch.zeros(1, 3, *image), [image])
    want = generator(images, [torch.zeros(1, 1, *f) for f in features])[0]
    got = student.anchors.multilevel_anchors(image, features, [list(s) for s in sizes],
                                             [list(r) for r in ratios], device=device)
    assert_close(got, want, rtol=0, atol=1e-4, name="multilevel_anchors")
