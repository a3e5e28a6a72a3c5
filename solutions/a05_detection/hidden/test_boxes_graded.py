"""Graded: box conversions, areas and the IoU family against torchvision.ops (part "boxes", 12)."""

import pytest
import torch
import torchvision.ops as ops
from boxgen import degenerate_boxes, random_boxes

from autograder.testing import StudentError, assert_close, part, points, watch_call

TOL = {"rtol": 1e-10, "atol": 1e-12}
FORMATS = ("xyxy", "xywh", "cxcywh")


@part("boxes")
@points(2)
def test_box_convert(student, rng, device):
    """box_convert converts between xyxy, xywh and cxcywh (all nine pairs) as torchvision does,
    leaves its argument unchanged, and rejects an unknown format with ValueError."""
    xyxy = random_boxes(rng, 12)
    for in_fmt in FORMATS:
        boxes = ops.box_convert(xyxy, "xyxy", in_fmt)
        for out_fmt in FORMATS:
            call = watch_call(student.boxes.box_convert, boxes.to(device), in_fmt, out_fmt)
            want = ops.box_convert(boxes, in_fmt, out_fmt)
            assert_close(call.result, want, **TOL, name=f"box_convert {in_fmt} -> {out_fmt}")
            assert not call.changed, f"box_convert {in_fmt} -> {out_fmt} modified its input boxes"
    with pytest.raises(StudentError) as err:
        student.boxes.box_convert(xyxy.to(device), "xyxy", "yxyx")
    assert err.value.type_name == "ValueError", "an unknown format should raise ValueError"


@part("boxes")
@points(1)
def test_box_area(student, rng, device):
    """box_area is (x2 - x1)(y2 - y1) with continuous coordinates (no +1), 0 for degenerate
    boxes, and an empty (0,) result for no boxes."""
    boxes = torch.cat([random_boxes(rng, 10), degenerate_boxes(rng, 6)])
    assert_close(student.boxes.box_area(boxes.to(device)), ops.box_area(boxes), **TOL,
                 name="box_area")
    empty = student.boxes.box_area(torch.zeros((0, 4), dtype=torch.float64, device=device))
    assert tuple(empty.shape) == (0,), "box_area of no boxes should have shape (0,)"


def _pairs(rng):
    """Boxes with overlapping, nested, identical, touching and disjoint pairs."""
    a, b = random_boxes(rng, 9, extent=40.0), random_boxes(rng, 7, extent=40.0)
    far = a[:3] + 200.0                                   # disjoint from everything
    touching = a[:2].clone()
    touching[:, [0, 2]] += (a[:2, 2] - a[:2, 0])[:, None]  # shares an edge with a[:2]
    return torch.cat([a, far]), torch.cat([b, a[3:5], touching])


@part("boxes")
@points(2)
def test_box_inter_union(student, rng, device):
    """box_inter_union gives the pairwise intersection and union areas (N, M): 0 intersection for
    disjoint boxes, whichever side they lie on."""
    a, b = _pairs(rng)
    got = student.boxes.box_inter_union(a.to(device), b.to(device))
    assert isinstance(got, tuple | list) and len(got) == 2, "return (inter, union)"
    area_a, area_b = ops.box_area(a), ops.box_area(b)
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    assert_close(got[0], inter, **TOL, name="intersection")
    assert_close(got[1], area_a[:, None] + area_b[None, :] - inter, **TOL, name="union")
    # disjoint along both axes: both overlaps are negative, their product must not count
    diag = torch.tensor([[0.0, 0.0, 1.0, 1.0]], dtype=torch.float64)
    got = student.boxes.box_inter_union(diag.to(device), (diag + 5.0).to(device))
    assert float(got[0].reshape(-1)[0]) == 0.0, "boxes apart in x and y should not intersect"


@part("boxes")
@points(2)
def test_box_iou(student, rng, device):
    """box_iou matches torchvision.ops.box_iou on overlapping, nested, touching and disjoint
    pairs and degenerate boxes, also in normalised coordinates (areas and unions below 1); two
    zero-area boxes have IoU 0; empty inputs give (N, 0)."""
    a, b = _pairs(rng)
    a = torch.cat([a, degenerate_boxes(rng, 3)])
    got = student.boxes.box_iou(a.to(device), b.to(device))
    assert_close(got, ops.box_iou(a, b), **TOL, name="box_iou")
    small_a, small_b = a / 100.0, b / 100.0  # boxes of a 100-pixel image in [0, 1] coordinates
    got = student.boxes.box_iou(small_a.to(device), small_b.to(device))
    assert_close(got, ops.box_iou(small_a, small_b), **TOL, name="box_iou of normalised boxes")
    assert float(got.min()) >= 0.0, "IoU is never negative"
    points_ = degenerate_boxes(rng, 3)[2:]  # a point
    got = student.boxes.box_iou(points_.to(device), points_.to(device))
    assert float(got.reshape(-1)[0]) == 0.0, "two zero-area boxes (union 0) should have IoU 0"
    empty = torch.zeros((0, 4), dtype=torch.float64, device=device)
    got = student.boxes.box_iou(a.to(device), empty)
    assert tuple(got.shape) == (len(a), 0), "IoU with no boxes should have shape (N, 0)"


@part("boxes")
@points(2)
def test_generalized_box_iou(student, rng, device):
    """generalized_box_iou matches torchvision's GIoU (negative for disjoint boxes)."""
    a, b = _pairs(rng)
    got = student.boxes.generalized_box_iou(a.to(device), b.to(device))
    assert_close(got, ops.generalized_box_iou(a, b), **TOL, name="generalized_box_iou")


@part("boxes")
@points(1)
def test_distance_box_iou(student, rng, device):
    """distance_box_iou matches torchvision's DIoU (eps 1e-7 and another eps)."""
    a, b = _pairs(rng)
    got = student.boxes.distance_box_iou(a.to(device), b.to(device))
    assert_close(got, ops.distance_box_iou(a, b), **TOL, name="distance_box_iou")
    got = student.boxes.distance_box_iou(a.to(device), b.to(device), eps=0.5)
    assert_close(got, ops.distance_box_iou(a, b, eps=0.5), **TOL, name="DIoU with eps=0.5")


@part("boxes")
@points(2)
def test_complete_box_iou(student, rng, device):
    """complete_box_iou matches torchvision's CIoU (prediction first, so it is not symmetric),
    also with another eps."""
    a, b = _pairs(rng)
    got = student.boxes.complete_box_iou(a.to(device), b.to(device))
    assert_close(got, ops.complete_box_iou(a, b), **TOL, name="complete_box_iou")
    got = student.boxes.complete_box_iou(b.to(device), a.to(device), eps=0.1)
    assert_close(got, ops.complete_box_iou(b, a, eps=0.1), **TOL, name="CIoU, swapped, eps=0.1")
