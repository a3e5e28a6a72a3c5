"""The RPN head and proposal filtering against torchvision's RPNHead and RegionProposalNetwork."""

import torch
import torchvision.ops as ops
from rpn import (
    RPNHead,
    clip_boxes,
    filter_proposals,
    flatten_predictions,
    propose,
    remove_small_boxes,
)
from torchvision.models.detection import rpn as tv_rpn
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList

SIZES = [(16.0,), (32.0,)]
RATIOS = [(0.5, 1.0, 2.0), (0.5, 1.0, 2.0)]


def heads() -> tuple[RPNHead, tv_rpn.RPNHead]:
    torch.manual_seed(0)
    theirs = tv_rpn.RPNHead(4, 3).double().eval()
    with torch.no_grad():
        for p in theirs.parameters():
            p.normal_(0.0, 0.5)
    ours = RPNHead(4, 3).double()
    ours.load_state_dict({k.replace("conv.0.0.", "conv."): v
                          for k, v in theirs.state_dict().items()})
    return ours.eval(), theirs


def features() -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return [torch.randn(2, 4, 6, 6, generator=g, dtype=torch.float64),
            torch.randn(2, 4, 3, 3, generator=g, dtype=torch.float64)]


def test_head_and_flatten_match_torchvision() -> None:
    ours, theirs = heads()
    with torch.no_grad():
        got = flatten_predictions(*ours(features()))
        want = tv_rpn.concat_box_prediction_layers(*theirs(features()))
    torch.testing.assert_close(got[0], want[0].reshape(2, -1))
    torch.testing.assert_close(got[1], want[1].reshape(2, -1, 4))


def test_clip_and_remove_small_boxes() -> None:
    boxes = torch.tensor([[-5.0, 2.0, 8.0, 40.0], [1.0, 1.0, 2.0, 1.5], [3.0, 3.0, 3.0, 9.0]])
    torch.testing.assert_close(clip_boxes(boxes, (30, 20)),
                               ops.clip_boxes_to_image(boxes, (30, 20)))
    assert torch.equal(remove_small_boxes(boxes, 1.0), ops.remove_small_boxes(boxes, 1.0))


def test_filter_proposals_matches_torchvision() -> None:
    g = torch.Generator().manual_seed(2)
    xy = torch.rand(2, 30, 2, generator=g, dtype=torch.float64) * 50 - 5
    boxes = torch.cat([xy, xy + torch.rand(2, 30, 2, generator=g, dtype=torch.float64) * 20], 2)
    logits = torch.randn(2, 30, generator=g, dtype=torch.float64)
    rpn = tv_rpn.RegionProposalNetwork(AnchorGenerator(), heads()[1], 0.7, 0.3, 256, 0.5,
                                       {"training": 8, "testing": 8},
                                       {"training": 10, "testing": 10}, 0.5).eval()
    want = rpn.filter_proposals(boxes, logits, [(40, 40), (30, 50)], [20, 10])
    got = filter_proposals(boxes, logits, [(40, 40), (30, 50)], [20, 10], 8, 10, 0.5)
    for g_b, g_s, w_b, w_s in zip(*got, *want, strict=True):
        torch.testing.assert_close(g_b, w_b)
        torch.testing.assert_close(g_s, w_s)


def test_propose_matches_torchvision() -> None:
    ours, theirs = heads()
    rpn = tv_rpn.RegionProposalNetwork(AnchorGenerator(tuple(SIZES), tuple(RATIOS)), theirs, 0.7,
                                       0.3, 256, 0.5, {"training": 30, "testing": 30},
                                       {"training": 20, "testing": 20}, 0.7).eval()
    images = ImageList(torch.zeros(2, 3, 48, 48, dtype=torch.float64), [(48, 40), (44, 48)])
    with torch.no_grad():
        want, _ = rpn(images, dict(enumerate(features())))
        got, scores = propose(ours, features(), (48, 48), [(48, 40), (44, 48)], SIZES, RATIOS,
                              30, 20, 0.7)
    for g_b, w_b, s in zip(got, want, scores, strict=True):
        torch.testing.assert_close(g_b, w_b)
        assert torch.all(s[:-1] >= s[1:])
