"""Graded: the RPN head and proposal filtering against torchvision's RPNHead and
RegionProposalNetwork, eval mode, copied weights, float64 (part "rpn", 10 points)."""

from collections import OrderedDict

import numpy as np
import torch
import torchvision.ops as ops
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.rpn import (
    RegionProposalNetwork,
    RPNHead,
    concat_box_prediction_layers,
)

from autograder.testing import assert_close, part, points

TOL = {"rtol": 1e-10, "atol": 1e-10}
SIZES = ((8.0, 12.0), (16.0, 20.0), (28.0, 40.0))  # A = 4 anchors a location on every level
RATIOS = ((0.5, 1.0), (0.5, 1.0), (0.5, 1.0))
CHANNELS = 8


def oracle_head(rng: np.random.Generator, num_anchors: int) -> RPNHead:
    """torchvision's RPNHead in float64 with random (not the std-0.01) weights; the 3x3 conv's
    bias is shifted up so that the ReLU rarely zeroes a whole location (which would tie its
    scores with other locations')."""
    head = RPNHead(CHANNELS, num_anchors).double().eval()
    with torch.no_grad():
        for p in head.parameters():
            p.copy_(torch.from_numpy(rng.normal(0.0, 0.4, size=tuple(p.shape))))
        head.conv[0][0].bias.add_(1.0)
    return head


def student_head(student, head: RPNHead, device: str):
    """The student's RPNHead with the oracle's weights (torchvision's conv.0.0 is our conv)."""
    net = student.rpn.RPNHead(CHANNELS, head.cls_logits.out_channels)
    net.double()
    state = {k.replace("conv.0.0.", "conv."): v.clone() for k, v in head.state_dict().items()}
    net.load_state_dict(state)
    net.eval()
    net.to(device)
    return net


def feature_maps(rng: np.random.Generator, n_img: int = 2,
                 shapes: tuple[tuple[int, int], ...] = ((6, 8), (3, 4), (2, 2))
                 ) -> list[torch.Tensor]:
    return [torch.from_numpy(rng.standard_normal((n_img, CHANNELS, h, w))) for h, w in shapes]


def random_proposals(rng: np.random.Generator, n_img: int, n: int, extent: float = 70.0):
    """(n_img, n, 4) boxes, some beyond the image, some thin, and (n_img, n) logits."""
    xy = rng.uniform(-15.0, extent, size=(n_img, n, 2))
    wh = np.exp(rng.uniform(np.log(0.3), np.log(40.0), size=(n_img, n, 2)))
    boxes = torch.from_numpy(np.concatenate([xy, xy + wh], axis=2))
    logits = torch.from_numpy(rng.normal(0.0, 2.0, size=(n_img, n)))
    return boxes, logits


def oracle_rpn(head: RPNHead, sizes, ratios, pre: int, post: int, nms: float,
               score: float = 0.0, min_size: float = 1e-3) -> RegionProposalNetwork:
    rpn = RegionProposalNetwork(AnchorGenerator(sizes, ratios), head, 0.7, 0.3, 256, 0.5,
                                {"training": pre, "testing": pre},
                                {"training": post, "testing": post}, nms, score_thresh=score)
    rpn.min_size = min_size
    return rpn.eval()


def compare(got, want, what: str) -> None:
    got_boxes, got_scores = got
    want_boxes, want_scores = want
    assert len(got_boxes) == len(want_boxes) and len(got_scores) == len(want_scores), (
        f"{what}: one tensor of boxes and one of scores per image")
    for b, (gb, wb, gs, ws) in enumerate(zip(got_boxes, want_boxes, got_scores, want_scores,
                                             strict=True)):
        assert tuple(gb.shape) == tuple(wb.shape), (
            f"{what}: image {b} keeps a wrong number of proposals")
        assert_close(gb, wb, **TOL, name=f"{what}: proposals of image {b} (values and order)")
        assert_close(gs, ws, **TOL, name=f"{what}: scores of image {b}")


@part("rpn")
@points(2)
def test_rpn_head(student, rng, device):
    """RPNHead equals torchvision's RPNHead with copied weights on three levels, and uses the
    same weights on every level (a level of another size and a batch of one included)."""
    for num_anchors in (3, 1):
        head = oracle_head(rng, num_anchors)
        net = student_head(student, head, device)
        for features in (feature_maps(rng), feature_maps(rng, 1, ((5, 3),))):
            got_logits, got_deltas = net([f.to(device) for f in features])
            with torch.no_grad():
                want_logits, want_deltas = head(features)
            assert len(got_logits) == len(features) and len(got_deltas) == len(features), (
                "RPNHead returns one objectness map and one delta map per level")
            for level, (gl, wl, gd, wd) in enumerate(zip(got_logits, want_logits, got_deltas,
                                                         want_deltas, strict=True)):
                assert_close(gl.detach(), wl, **TOL, name=f"objectness logits of level {level}")
                assert_close(gd.detach(), wd, **TOL, name=f"box deltas of level {level}")


@part("rpn")
@points(1)
def test_flatten_predictions(student, rng, device):
    """flatten_predictions puts the levels' logits and deltas in anchor order, as torchvision's
    concat_box_prediction_layers (A = 3 and A = 1, batches of 2 and 1)."""
    for n_img, num_anchors in ((2, 3), (1, 1), (3, 2)):
        shapes = ((4, 5), (2, 3), (1, 1))
        logits = [torch.from_numpy(rng.standard_normal((n_img, num_anchors, h, w)))
                  for h, w in shapes]
        deltas = [torch.from_numpy(rng.standard_normal((n_img, 4 * num_anchors, h, w)))
                  for h, w in shapes]
        want_logits, want_deltas = concat_box_prediction_layers(logits, deltas)
        got_logits, got_deltas = student.rpn.flatten_predictions(
            [t.to(device) for t in logits], [t.to(device) for t in deltas])
        assert_close(got_logits, want_logits.reshape(n_img, -1), rtol=0, atol=0,
                     name=f"flattened logits (B={n_img}, A={num_anchors})")
        assert_close(got_deltas, want_deltas.reshape(n_img, -1, 4), rtol=0, atol=0,
                     name=f"flattened deltas (B={n_img}, A={num_anchors})")


@part("rpn")
@points(2)
def test_clip_and_remove_small_boxes(student, rng, device):
    """clip_boxes equals ops.clip_boxes_to_image (non-square images, boxes beyond every side)
    and remove_small_boxes equals ops.remove_small_boxes (sides exactly min_size kept, inverted
    boxes removed, none kept, empty input)."""
    boxes, _ = random_proposals(rng, 1, 40)
    boxes = boxes[0]
    for size in ((30, 50), (64, 20)):
        before = boxes.clone()
        got = student.rpn.clip_boxes(boxes.to(device), size)
        assert_close(got, ops.clip_boxes_to_image(boxes, size), rtol=0, atol=0,
                     name=f"clip_boxes to (height, width) {size}")
        assert torch.equal(boxes, before), "clip_boxes must not modify its argument"
    side = np.round(rng.uniform(0.0, 4.0, size=(30, 2)) * 4) / 4  # many exact quarter sizes
    xy = np.round(rng.uniform(0.0, 20.0, size=(30, 2)), 2)
    small = np.concatenate([xy, xy + side], axis=1)
    small[0] = [5.0, 5.0, 3.0, 9.0]                   # inverted: negative width
    small[1] = [1.0, 1.0, 3.0, 3.0]                   # exactly 2 x 2
    small = torch.from_numpy(small)
    for min_size in (2.0, 0.5, 1e-3, 10.0):
        got = student.rpn.remove_small_boxes(small.to(device), min_size)
        assert got.dtype == torch.int64, "remove_small_boxes returns int64 indices"
        assert torch.equal(got.cpu(), ops.remove_small_boxes(small, min_size)), (
            f"remove_small_boxes(min_size={min_size}) keeps other boxes than torchvision")
    got = student.rpn.remove_small_boxes(small[:0].to(device), 1.0)
    assert got.numel() == 0, "remove_small_boxes of no boxes is empty"


@part("rpn")
@points(2)
def test_filter_proposals(student, rng, device):
    """filter_proposals equals RegionProposalNetwork.filter_proposals on two images of other
    sizes, three levels: per-level top-k before NMS, sigmoid scores, clipping, min size, score
    threshold, per-level NMS, post-NMS top-k; several settings."""
    per_level = [60, 24, 9]
    n = sum(per_level)
    head = oracle_head(rng, 1)
    image_sizes = [(50, 60), (38, 64)]
    for pre, post, nms, score, min_size in ((20, 30, 0.5, 0.0, 1e-3), (7, 12, 0.3, 0.0, 2.0),
                                            (100, 1000, 0.7, 0.4, 1.0), (10, 5, 0.6, 0.0, 0.5),
                                            (100, 1000, 0.7, 0.5, 1e-3)):
        boxes, logits = random_proposals(rng, 2, n)
        if score == 0.5:  # one score per image exactly at the threshold: it is kept
            logits[:, 5] = 0.0
            boxes[:, 5] = torch.tensor([10.0, 10.0, 30.0, 30.0], dtype=torch.float64)
        rpn = oracle_rpn(head, SIZES, RATIOS, pre, post, nms, score, min_size)
        want = rpn.filter_proposals(boxes, logits, image_sizes, per_level)
        got = student.rpn.filter_proposals(boxes.to(device), logits.to(device), image_sizes,
                                           per_level, pre, post, nms, min_size, score)
        compare(got, want, f"filter_proposals(pre={pre}, post={post}, nms={nms}, "
                           f"score={score}, min_size={min_size})")


@part("rpn")
@points(1)
def test_filter_proposals_edges(student, rng, device):
    """filter_proposals with fewer anchors than pre_nms_top_n on every level, with every box
    below min_size (empty (0, 4) results), with tied scores, repeatedly, inputs unchanged."""
    head = oracle_head(rng, 1)
    per_level = [5, 3, 2]
    boxes, logits = random_proposals(rng, 2, sum(per_level))
    rpn = oracle_rpn(head, SIZES, RATIOS, 50, 50, 0.5)
    want = rpn.filter_proposals(boxes, logits, [(60, 60), (40, 70)], per_level)
    before = (boxes.clone(), logits.clone())
    for _ in range(2):
        got = student.rpn.filter_proposals(boxes.to(device), logits.to(device),
                                           [(60, 60), (40, 70)], per_level, 50, 50, 0.5)
        compare(got, want, "filter_proposals with fewer anchors than pre_nms_top_n")
    assert torch.equal(boxes, before[0]) and torch.equal(logits, before[1]), (
        "filter_proposals must not modify its arguments")
    got_boxes, got_scores = student.rpn.filter_proposals(
        boxes.to(device), logits.to(device), [(60, 60), (40, 70)], per_level, 50, 50, 0.5, 100.0)
    for b in range(2):
        assert tuple(got_boxes[b].shape) == (0, 4) and tuple(got_scores[b].shape) == (0,), (
            "with every box below min_size, each image gives (0, 4) boxes and (0,) scores")
    # ties: equal logits on disjoint boxes (NMS cannot depend on the order within a tie) and
    # all anchors selected, so scores must come out equal in order and boxes as the same set
    per_level = [6, 6]
    corners = torch.arange(12, dtype=torch.float64)[:, None] * 10.0
    tied = torch.cat([corners, corners, corners + 6.0, corners + 6.0], 1)[None]
    tied_logits = torch.tensor([[0.5, 1.0, 0.5, 1.0, -1.0, 0.5, 1.0, 1.0, 0.5, 0.5, -1.0, 1.0]],
                               dtype=torch.float64)
    rpn = oracle_rpn(head, SIZES, RATIOS, 6, 10, 0.5)
    (want_b,), (want_s,) = rpn.filter_proposals(tied, tied_logits, [(200, 200)], per_level)
    (got_b,), (got_s,) = student.rpn.filter_proposals(tied.to(device), tied_logits.to(device),
                                                      [(200, 200)], per_level, 6, 10, 0.5)
    assert_close(got_s, want_s, **TOL, name="scores with ties (in order)")
    assert torch.equal(torch.sort(got_b.cpu()[:, 0]).values, torch.sort(want_b[:, 0]).values), (
        "with tied scores, the proposals kept differ from torchvision's")


@part("rpn")
@points(2)
def test_propose(student, rng, device):
    """propose (the head, anchors, decoding and filtering) equals RegionProposalNetwork's eval
    forward with copied head weights and the same AnchorGenerator, for a padded batch of two
    images of different sizes on three FPN levels; scores as its filter_proposals gives."""
    for pre, post, nms in ((15, 20, 0.7), (200, 300, 0.5)):
        head = oracle_head(rng, 4)
        net = student_head(student, head, device)
        rpn = oracle_rpn(head, SIZES, RATIOS, pre, post, nms)
        features = feature_maps(rng, 2, ((8, 12), (4, 6), (2, 3)))
        batch_shape, image_sizes = (64, 96), [(64, 90), (57, 96)]
        images = ImageList(torch.zeros(2, 3, *batch_shape, dtype=torch.float64), image_sizes)
        with torch.no_grad():
            want_boxes, losses = rpn(images, OrderedDict(enumerate(features)))
            logits, deltas = head(features)
            anchors = rpn.anchor_generator(images, features)
            per_level = [o[0].numel() for o in logits]
            logits, deltas = concat_box_prediction_layers(logits, deltas)
            proposals = rpn.box_coder.decode(deltas, anchors).view(2, -1, 4)
            _, want_scores = rpn.filter_proposals(proposals, logits.view(2, -1), image_sizes,
                                                  per_level)
        got = student.rpn.propose(net, [f.to(device) for f in features], batch_shape,
                                  image_sizes, list(SIZES), list(RATIOS), pre, post, nms)
        got = ([b.detach() for b in got[0]], [s.detach() for s in got[1]])
        compare(got, (want_boxes, want_scores), f"propose(pre={pre}, post={post}, nms={nms})")
