"""Boxes against torchvision.ops: conversions, areas, IoU, GIoU, DIoU and CIoU."""

import torch
import torchvision.ops as ops
from boxes import (
    box_area,
    box_convert,
    box_inter_union,
    box_iou,
    complete_box_iou,
    distance_box_iou,
    generalized_box_iou,
)


def boxes(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g, dtype=torch.float64) * 50
    return torch.cat([xy, xy + 1 + torch.rand(n, 2, generator=g, dtype=torch.float64) * 20], 1)


def test_box_convert_round_trips() -> None:
    b = boxes(6, 0)
    for fmt in ("xywh", "cxcywh"):
        torch.testing.assert_close(box_convert(b, "xyxy", fmt), ops.box_convert(b, "xyxy", fmt))
        torch.testing.assert_close(box_convert(ops.box_convert(b, "xyxy", fmt), fmt, "xyxy"), b)


def test_box_area_has_no_plus_one() -> None:
    b = torch.tensor([[0.0, 0.0, 10.0, 4.0], [2.0, 2.0, 2.0, 9.0]])
    torch.testing.assert_close(box_area(b), torch.tensor([40.0, 0.0]))


def test_iou_family_matches_torchvision() -> None:
    a, b = boxes(7, 1), boxes(5, 2)
    b = torch.cat([b, a[:1] + 100.0])  # one disjoint from everything
    inter, union = box_inter_union(a, b)
    torch.testing.assert_close(inter / union, ops.box_iou(a, b))
    torch.testing.assert_close(box_iou(a, b), ops.box_iou(a, b))
    assert (box_iou(a, b) >= 0).all(), "IoU is never negative"
    torch.testing.assert_close(generalized_box_iou(a, b), ops.generalized_box_iou(a, b))
    torch.testing.assert_close(distance_box_iou(a, b), ops.distance_box_iou(a, b))
    torch.testing.assert_close(complete_box_iou(a, b), ops.complete_box_iou(a, b))


def test_iou_of_boxes_apart_in_both_directions_is_zero() -> None:
    a = torch.tensor([[0.0, 0.0, 1.0, 1.0]])
    assert box_iou(a, a + 3.0).item() == 0.0
