"""Graded: greedy and class-aware NMS against torchvision.ops.nms / batched_nms (part "nms", 9)."""

import numpy as np
import torch
import torchvision.ops as ops
from boxgen import random_boxes

from autograder.testing import part, points, watch_call


def clusters(rng: np.random.Generator, n_clusters: int, per_cluster: int) -> torch.Tensor:
    """Boxes jittered around a few centres, so that many overlap at every IoU level."""
    centres = random_boxes(rng, n_clusters, extent=80.0, min_size=8.0)
    boxes = centres.repeat_interleave(per_cluster, dim=0)
    return boxes + torch.from_numpy(rng.normal(0.0, 2.0, size=boxes.shape))


def kept(student, boxes, scores, threshold, device) -> torch.Tensor:
    call = watch_call(student.nms.nms, boxes.to(device), scores.to(device), threshold)
    assert not call.changed, "nms modified its arguments"
    got = call.result
    assert got.dtype == torch.int64, "nms returns int64 indices"
    return got.cpu()


def same_indices(got: torch.Tensor, want: torch.Tensor, what: str) -> None:
    assert got.shape == want.shape, f"{what}: kept {len(got)} boxes, expected another number"
    assert torch.equal(got, want), f"{what}: kept other boxes or in another order"


@part("nms")
@points(2)
def test_nms_matches_torchvision(student, rng, device):
    """nms keeps the same boxes as torchvision.ops.nms, in order of decreasing score, on
    clustered boxes at IoU thresholds 0.3, 0.5 and 0.7 (shuffled input, distinct scores), and
    leaves boxes and scores unchanged."""
    boxes = clusters(rng, 6, 8)
    scores = torch.from_numpy(rng.uniform(size=len(boxes)))
    for threshold in (0.3, 0.5, 0.7):
        want = ops.nms(boxes, scores, threshold)
        same_indices(kept(student, boxes, scores, threshold, device), want,
                     f"nms at threshold {threshold}")


@part("nms")
@points(2)
def test_nms_ties_boundary_and_empty(student, rng, device):
    """Equal scores are visited in index order (as torchvision's stable sort); a box whose IoU
    equals the threshold is kept (only IoU > threshold suppresses); no boxes give an empty
    int64 result and one box is kept."""
    boxes = clusters(rng, 4, 6)
    scores = torch.from_numpy(rng.integers(0, 3, size=len(boxes)).astype(np.float64))
    same_indices(kept(student, boxes, scores, 0.4, device), ops.nms(boxes, scores, 0.4),
                 "nms with tied scores")
    # IoU exactly 0.5
    pair = torch.tensor([[0.0, 0.0, 4.0, 1.0], [2.0, 0.0, 4.0, 1.0]], dtype=torch.float64)
    score = torch.tensor([0.9, 0.8], dtype=torch.float64)
    assert len(kept(student, pair, score, 0.5, device)) == 2, (
        "a box whose IoU equals the threshold should be kept")
    assert len(kept(student, pair, score, 0.49, device)) == 1, (
        "a box whose IoU exceeds the threshold should be suppressed")
    empty = kept(student, torch.zeros((0, 4), dtype=torch.float64),
                 torch.zeros(0, dtype=torch.float64), 0.5, device)
    assert empty.shape == (0,), "nms of no boxes returns an empty tensor"
    one = kept(student, pair[:1], score[:1], 0.5, device)
    assert one.tolist() == [0], "nms of one box keeps it"


def batched(student, boxes, scores, idxs, threshold, device) -> torch.Tensor:
    got = student.nms.batched_nms(boxes.to(device), scores.to(device), idxs.to(device), threshold)
    assert got.dtype == torch.int64, "batched_nms returns int64 indices"
    return got.cpu()


@part("nms")
@points(3)
def test_batched_nms_matches_torchvision(student, rng, device):
    """batched_nms keeps the same boxes as torchvision.ops.batched_nms, by decreasing score, for
    4 classes mixed in the same clusters (distinct scores)."""
    boxes = clusters(rng, 5, 10)
    scores = torch.from_numpy(rng.uniform(size=len(boxes)))
    idxs = torch.from_numpy(rng.integers(0, 4, size=len(boxes)))
    for threshold in (0.3, 0.6):
        want = ops.batched_nms(boxes, scores, idxs, threshold)
        same_indices(batched(student, boxes, scores, idxs, threshold, device), want,
                     f"batched_nms at threshold {threshold}")


@part("nms")
@points(2)
def test_batched_nms_edges(student, rng, device):
    """Identical boxes of different classes never suppress each other; with one class
    batched_nms is nms (class ids need not start at 0); no boxes give an empty result."""
    box = random_boxes(rng, 1).repeat(3, 1)
    scores = torch.tensor([0.5, 0.9, 0.7], dtype=torch.float64)
    got = batched(student, box, scores, torch.tensor([2, 0, 1]), 0.5, device)
    assert got.tolist() == [1, 2, 0], (
        "identical boxes of three classes should all be kept, by score")
    boxes = clusters(rng, 3, 5)
    scores = torch.from_numpy(rng.uniform(size=len(boxes)))
    idxs = torch.full((len(boxes),), 7, dtype=torch.int64)
    same_indices(batched(student, boxes, scores, idxs, 0.5, device), ops.nms(boxes, scores, 0.5),
                 "batched_nms with one class")
    empty = batched(student, torch.zeros((0, 4), dtype=torch.float64),
                    torch.zeros(0, dtype=torch.float64), torch.zeros(0, dtype=torch.int64), 0.5,
                    device)
    assert empty.shape == (0,), "batched_nms of no boxes returns an empty tensor"
