"""NMS against torchvision.ops.nms and batched_nms."""

import torch
import torchvision.ops as ops
from nms import batched_nms, nms


def clustered(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = torch.rand(4, 2, generator=g, dtype=torch.float64) * 60
    xy = centres.repeat_interleave(6, 0) + torch.randn(24, 2, generator=g, dtype=torch.float64) * 2
    boxes = torch.cat([xy, xy + 12 + torch.randn(24, 2, generator=g, dtype=torch.float64)], 1)
    return boxes, torch.rand(24, generator=g, dtype=torch.float64)


def test_nms_matches_torchvision() -> None:
    boxes, scores = clustered(0)
    for threshold in (0.3, 0.6):
        assert torch.equal(nms(boxes, scores, threshold), ops.nms(boxes, scores, threshold))


def test_nms_ties_and_threshold_boundary() -> None:
    boxes, _ = clustered(1)
    scores = (torch.arange(24) % 3).double()
    assert torch.equal(nms(boxes, scores, 0.4), ops.nms(boxes, scores, 0.4))
    pair = torch.tensor([[0.0, 0.0, 4.0, 1.0], [2.0, 0.0, 4.0, 1.0]])  # IoU exactly 0.5
    assert len(nms(pair, torch.tensor([0.9, 0.8]), 0.5)) == 2


def test_batched_nms_is_per_class() -> None:
    boxes, scores = clustered(2)
    idxs = torch.arange(24) % 3
    assert torch.equal(batched_nms(boxes, scores, idxs, 0.5),
                       ops.batched_nms(boxes, scores, idxs, 0.5))
    same = boxes[:1].repeat(2, 1)
    assert len(batched_nms(same, torch.tensor([0.5, 0.6]), torch.tensor([0, 1]), 0.5)) == 2
