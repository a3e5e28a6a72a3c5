"""The YOLO head: targets, loss and decoding on small hand-made cases."""

import math

import torch
from yolo import best_anchor, build_targets, decode_predictions, yolo_loss

ANCHORS = torch.tensor([[8.0, 8.0], [16.0, 16.0]], dtype=torch.float64)


def test_best_anchor_and_targets() -> None:
    assert best_anchor(torch.tensor([[7.0, 9.0], [20.0, 15.0]], dtype=torch.float64),
                       ANCHORS).tolist() == [0, 1]
    boxes = [torch.tensor([[10.0, 2.0, 18.0, 10.0], [28.0, 28.0, 36.0, 36.0]], dtype=torch.float64)]
    targets = build_targets(boxes, [torch.tensor([2, 1])], ANCHORS, 4, 32)
    # first box: centre (14, 6) -> cell row 0, column 1, offsets (0.75, 0.75); anchor 0 (8 x 8)
    assert targets["obj"][0, 0, 1, 0] and targets["cls"][0, 0, 1, 0] == 2
    torch.testing.assert_close(targets["box"][0, 0, 1, 0],
                               torch.tensor([0.75, 0.75, 0.0, 0.0], dtype=torch.float64))
    # second box: centre (32, 32) is on the image edge -> the last cell (3, 3)
    assert targets["obj"][0, 3, 3, 0] and int(targets["obj"].sum()) == 2


def test_yolo_loss_terms() -> None:
    boxes = [torch.tensor([[10.0, 2.0, 18.0, 10.0]], dtype=torch.float64)]
    targets = build_targets(boxes, [torch.tensor([1])], ANCHORS, 4, 32)
    pred = torch.zeros(1, 4, 4, 2, 8, dtype=torch.float64)
    loss = yolo_loss(pred, targets)
    # sigmoid(0) = 0.5 against offsets 0.75: box = 2 * 0.25^2; BCE(0.5) = log 2 everywhere
    torch.testing.assert_close(loss["box"], torch.tensor(0.125, dtype=torch.float64))
    torch.testing.assert_close(loss["obj"], torch.tensor(math.log(2), dtype=torch.float64))
    torch.testing.assert_close(loss["noobj"], torch.tensor(31 * math.log(2), dtype=torch.float64))
    torch.testing.assert_close(loss["cls"], torch.tensor(math.log(3), dtype=torch.float64))
    want = 5 * 0.125 + math.log(2) + 0.5 * 31 * math.log(2) + math.log(3)
    torch.testing.assert_close(loss["total"], torch.tensor(want, dtype=torch.float64))


def test_decode_keeps_one_box_per_object() -> None:
    pred = torch.full((1, 4, 4, 2, 8), -8.0, dtype=torch.float64)
    pred[0, 1, 2, 0, :5] = torch.tensor([0.0, 0.0, 0.0, 0.0, 6.0])   # centre (20, 12), 8 x 8
    pred[0, 1, 2, 0, 5:] = torch.tensor([0.0, 5.0, 0.0])            # class 1
    # the same object from the other anchor, with a smaller score
    pred[0, 1, 2, 1, :5] = torch.tensor([0.0, 0.0, -0.6, -0.6, 4.0])
    pred[0, 1, 2, 1, 5:] = torch.tensor([0.0, 5.0, 0.0])
    (out,) = decode_predictions(pred, ANCHORS, 32, score_threshold=0.2, iou_threshold=0.5)
    assert out["labels"].tolist() == [1]
    torch.testing.assert_close(out["boxes"], torch.tensor([[16.0, 8.0, 24.0, 16.0]],
                                                          dtype=torch.float64))
