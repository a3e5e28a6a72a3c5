"""Graded: box coding against torchvision's BoxCoder, matching against its Matcher, and the
balanced sampler (part "coding", 12 points)."""

import math

import numpy as np
import pytest
import torch
from boxgen import random_boxes
from torchvision.models.detection._utils import BoxCoder, Matcher

from autograder.testing import StudentError, assert_close, part, points, watch_call

TOL = {"rtol": 1e-10, "atol": 1e-10}
WEIGHTS = ((1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0), (2.0, 0.5, 1.0, 3.0))


@part("coding")
@points(3)
def test_encode(student, rng, device):
    """encode gives BoxCoder.encode_single's (t_x, t_y, t_w, t_h) for three sets of weights."""
    boxes, anchors = random_boxes(rng, 15), random_boxes(rng, 15)
    for weights in WEIGHTS:
        got = student.box_coding.encode(boxes.to(device), anchors.to(device), weights)
        want = BoxCoder(weights).encode_single(boxes, anchors)
        assert_close(got, want, **TOL, name=f"encode with weights {weights}")


@part("coding")
@points(2)
def test_decode(student, rng, device):
    """decode inverts encode as BoxCoder.decode_single does, clamping t_w / w_w and t_h / w_h
    at the clip (the default log(1000/16) and another) before the exponential."""
    anchors = random_boxes(rng, 16)
    codes = torch.from_numpy(rng.normal(0.0, 1.0, size=(16, 4)))
    codes[:4, 2:] = torch.from_numpy(rng.uniform(5.0, 40.0, size=(4, 2)))  # beyond the clip
    for weights in WEIGHTS:
        call = watch_call(student.box_coding.decode, codes.to(device), anchors.to(device), weights)
        want = BoxCoder(weights).decode_single(codes, anchors)
        assert_close(call.result, want, **TOL, name=f"decode with weights {weights}")
        assert not call.changed, "decode modified its arguments (clamp a copy, not the codes)"
    got = student.box_coding.decode(codes.to(device), anchors.to(device), WEIGHTS[1], clip=1.0)
    want = BoxCoder(WEIGHTS[1], bbox_xform_clip=1.0).decode_single(codes, anchors)
    assert_close(got, want, **TOL, name="decode with clip=1")
    boxes = random_boxes(rng, 16)
    again = student.box_coding.decode(BoxCoder(WEIGHTS[1]).encode_single(boxes, anchors).to(device),
                                      anchors.to(device), WEIGHTS[1], clip=math.inf)
    assert_close(again, boxes, rtol=1e-9, atol=1e-9, name="decode(encode(boxes))")


def quality_matrix(rng: np.random.Generator) -> torch.Tensor:
    """IoUs of 4 ground-truth boxes with 40 anchors, with exact threshold values and ties."""
    gt = random_boxes(rng, 4, extent=30.0, min_size=5.0)
    anchors = random_boxes(rng, 40, extent=30.0)
    inter = (torch.min(gt[:, None, 2:], anchors[None, :, 2:])
             - torch.max(gt[:, None, :2], anchors[None, :, :2])).clamp(min=0).prod(-1)
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # noqa: E731
    q = inter / (area(gt)[:, None] + area(anchors)[None, :] - inter)
    # float64, so that 0.7 and 0.3 are the thresholds exactly (float32 rounds them off)
    q[:, 0] = torch.tensor([0.7, 0.1, 0.0, 0.2], dtype=torch.float64)  # the high threshold
    q[:, 1] = torch.tensor([0.0, 0.3, 0.1, 0.2], dtype=torch.float64)  # the low threshold
    q[:, 2] = q[:, 3]                              # duplicate anchors: ties in the best per gt
    q[3] = q[3] * 0.2                              # a ground truth with only weak anchors
    q[3, 5] = q[3, 6] = 0.25
    q[:3, 5:7] = 0.0
    return q


@part("coding")
@points(3)
def test_match(student, rng, device):
    """match equals torchvision's Matcher (high 0.7, low 0.3; 0.5 / 0.5) with and without
    low-quality matches: exact thresholds, ties of the best anchor per ground truth; the quality
    matrix is left unchanged."""
    q = quality_matrix(rng)
    for high, low in ((0.7, 0.3), (0.5, 0.5)):
        for low_quality in (False, True):
            want = Matcher(high, low, low_quality)(q.clone())
            call = watch_call(student.matching.match, q.to(device), high, low, low_quality)
            got = call.result
            assert not call.changed, "match modified the quality matrix"
            assert got.dtype == torch.int64, "match returns int64 indices"
            assert torch.equal(got.cpu(), want), (
                f"match(high={high}, low={low}, allow_low_quality_matches={low_quality}) differs "
                "from torchvision's Matcher")


@part("coding")
@points(1)
def test_match_errors(student, rng, device):
    """match raises ValueError with no ground truth, no anchors, or low above high."""
    for q, high, low in ((torch.zeros(0, 5), 0.7, 0.3), (torch.zeros(3, 0), 0.7, 0.3),
                         (quality_matrix(rng), 0.3, 0.7)):
        with pytest.raises(StudentError) as err:
            student.matching.match(q.to(device), high, low)
        assert err.value.type_name == "ValueError", "invalid input should raise ValueError"


@part("coding")
@points(3)
def test_sample_balanced(student, device):
    """sample_balanced takes min(#pos, int(batch fraction)) positives and fills the batch with
    negatives, never ignored anchors; the seed fixes the draw (not the global RNG), other seeds
    give other draws, and every anchor is equally likely (checked over 150 seeds)."""
    labels = torch.tensor([1] * 10 + [0] * 30 + [-1] * 20 + [2] * 5, dtype=torch.int64)
    labels = labels[torch.from_numpy(np.random.default_rng(0).permutation(len(labels)))]
    sample = student.matching.sample_balanced
    for batch, fraction, n_pos, n_neg in ((16, 0.25, 4, 12), (64, 0.5, 15, 30), (8, 0.0, 0, 8)):
        pos, neg = sample(labels.to(device), batch, fraction, 3)
        pos, neg = pos.cpu(), neg.cpu()
        assert pos.dtype == torch.bool and neg.dtype == torch.bool, "return two boolean masks"
        assert int(pos.sum()) == n_pos and int(neg.sum()) == n_neg, (
            f"batch {batch}, fraction {fraction}: wrong number of positives or negatives")
        assert bool((labels[pos] >= 1).all()) and bool((labels[neg] == 0).all()), (
            "positives must have label >= 1 and negatives label 0")
    first = [m.cpu() for m in sample(labels.to(device), 16, 0.25, 7)]
    again = [m.cpu() for m in sample(labels.to(device), 16, 0.25, 7)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True)), (
        "the same seed should give the same sample")
    counts_pos, counts_neg = torch.zeros(len(labels)), torch.zeros(len(labels))
    for seed in range(150):
        pos, neg = sample(labels.to(device), 16, 0.25, seed)
        counts_pos += pos.cpu().double()
        counts_neg += neg.cpu().double()
    # 4 of 15 positives and 12 of 30 negatives per draw: expected 40 and 60 per anchor
    assert counts_pos[labels >= 1].min() > 15 and counts_pos[labels >= 1].max() < 70, (
        "positives are not drawn uniformly (or the seed does not change the draw)")
    assert counts_neg[labels == 0].min() > 30 and counts_neg[labels == 0].max() < 90, (
        "negatives are not drawn uniformly (or the seed does not change the draw)")
