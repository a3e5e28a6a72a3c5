"""Graded: the YOLO-style head (targets, loss, decoding, the network) and a trained detector
scored by pycocotools' COCO mAP@0.5 (part "yolo", 14 points)."""

import math

import numpy as np
import torch
import torchvision.ops as ops
from boxgen import random_boxes
from coco_oracle import coco_stats

from autograder.testing import assert_close, part, points, watch_call
from dnn.detection_shapes import make_detection_shapes

ANCHORS = torch.tensor([[6.0, 9.0], [14.0, 14.0], [30.0, 18.0]], dtype=torch.float64)


def shape_iou(w: float, h: float, aw: float, ah: float) -> float:
    inter = min(w, aw) * min(h, ah)
    return inter / (w * h + aw * ah - inter)


def reference_best(w: float, h: float, anchors: torch.Tensor) -> int:
    ious = [shape_iou(w, h, float(a[0]), float(a[1])) for a in anchors]
    return ious.index(max(ious))  # the first of equal maxima


@part("yolo")
@points(2)
def test_best_anchor(student, rng, device):
    """best_anchor picks the anchor shape of largest corner-aligned IoU; ties go to the lower
    index."""
    wh = torch.from_numpy(rng.uniform(2.0, 40.0, size=(30, 2)))
    anchors = torch.cat([ANCHORS, ANCHORS[1:2]])  # anchor 3 duplicates anchor 1
    got = student.yolo.best_anchor(wh.to(device), anchors.to(device)).cpu()
    want = torch.tensor([reference_best(float(w), float(h), anchors) for w, h in wh])
    assert torch.equal(got, want), "best_anchor picked another anchor for some boxes"


def reference_targets(boxes, labels, anchors, grid, size):
    """A plain loop over the boxes, in float64 Python numbers."""
    stride = size / grid
    obj = np.zeros((len(boxes), grid, grid, len(anchors)), bool)
    box = np.zeros(obj.shape + (4,))
    cls = np.zeros(obj.shape, np.int64)
    for b, (gt, lab) in enumerate(zip(boxes, labels, strict=True)):
        for (x1, y1, x2, y2), c in zip(gt.tolist(), lab.tolist(), strict=True):
            cx, cy, w, h = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
            j, i = min(math.floor(cx / stride), grid - 1), min(math.floor(cy / stride), grid - 1)
            a = reference_best(w, h, anchors)
            aw, ah = float(anchors[a, 0]), float(anchors[a, 1])
            obj[b, i, j, a] = True
            box[b, i, j, a] = (cx / stride - j, cy / stride - i, math.log(w / aw), math.log(h / ah))
            cls[b, i, j, a] = c
    return obj, box, cls


def target_batch(rng):
    boxes = [random_boxes(rng, int(k), extent=56.0, min_size=3.0) for k in (5, 0, 3)]
    boxes[0][0] = torch.tensor([12.0, 20.0, 20.0, 28.0])   # centre (16, 24): on cell borders
    boxes[0][1] = torch.tensor([60.0, 58.0, 68.0, 70.0])   # centre (64, 64): the last cell
    boxes[2][2] = boxes[2][0] + 0.5                          # the same slot: the later one wins
    labels = [torch.from_numpy(rng.integers(0, 4, size=len(b))) for b in boxes]
    return boxes, labels


@part("yolo")
@points(2)
def test_build_targets(student, rng, device):
    """build_targets puts every box in its cell (floor, clamped to the grid) and best anchor with
    targets (c/s - j, c/s - i, log w/w_a, log h/h_a) and its class; cell borders, the image
    edge, an image without boxes and two boxes in one slot (the later wins)."""
    boxes, labels = target_batch(rng)
    got = student.yolo.build_targets([b.to(device) for b in boxes], [c.to(device) for c in labels],
                                     ANCHORS.to(device), 8, 64)
    obj, box, cls = reference_targets(boxes, labels, ANCHORS, 8, 64)
    assert isinstance(got, dict) and {"obj", "box", "cls"} <= set(got), (
        "build_targets returns a dict with 'obj', 'box' and 'cls'")
    assert got["obj"].dtype == torch.bool, "'obj' is a boolean tensor"
    assert np.array_equal(got["obj"].cpu().numpy(), obj), "objects are in the wrong slots"
    assert_close(got["box"], box, rtol=1e-10, atol=1e-12, name="box targets")
    assert np.array_equal(got["cls"].cpu().numpy(), cls), "class targets differ"


def reference_loss(pred: torch.Tensor, obj, box, cls, lambda_coord, lambda_noobj):
    """The YOLO loss slot by slot in float64, from the handout's formulas."""
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))  # noqa: E731
    terms = {"box": 0.0, "obj": 0.0, "noobj": 0.0, "cls": 0.0}
    p = pred.numpy()
    for index in np.ndindex(obj.shape):
        t = p[index]
        if obj[index]:
            tb = box[index]
            terms["box"] += ((sig(t[0]) - tb[0]) ** 2 + (sig(t[1]) - tb[1]) ** 2
                             + (t[2] - tb[2]) ** 2 + (t[3] - tb[3]) ** 2)
            terms["obj"] += -math.log(sig(t[4]))
            logits = t[5:]
            terms["cls"] += float(np.log(np.exp(logits - logits.max()).sum()) + logits.max()
                                  - logits[cls[index]])
        else:
            terms["noobj"] += -math.log(1.0 - sig(t[4]))
    terms = {k: v / pred.shape[0] for k, v in terms.items()}
    terms["total"] = (lambda_coord * terms["box"] + terms["obj"] + lambda_noobj * terms["noobj"]
                      + terms["cls"])
    return terms


@part("yolo")
@points(3)
def test_yolo_loss(student, rng, device):
    """yolo_loss gives the box, obj, noobj and class terms (sums over slots divided by the batch
    size) and the weighted total of a float64 slot-by-slot reference, for two weightings."""
    boxes, labels = target_batch(rng)
    obj, box, cls = reference_targets(boxes, labels, ANCHORS, 8, 64)
    targets = {"obj": torch.from_numpy(obj), "box": torch.from_numpy(box),
               "cls": torch.from_numpy(cls)}
    pred = torch.from_numpy(rng.normal(0.0, 1.5, size=(3, 8, 8, 3, 9)))
    for lambda_coord, lambda_noobj in ((5.0, 0.5), (2.0, 1.5)):
        got = student.yolo.yolo_loss(pred.to(device), {k: v.to(device) for k, v in targets.items()},
                                     lambda_coord, lambda_noobj)
        want = reference_loss(pred, obj, box, cls, lambda_coord, lambda_noobj)
        assert isinstance(got, dict), "yolo_loss returns a dict of scalar tensors"
        for key, value in want.items():
            assert key in got, f"the loss should have a {key!r} term"
            assert_close(got[key], value, rtol=1e-9, atol=1e-12,
                         name=f"{key} (lambda_coord={lambda_coord}, lambda_noobj={lambda_noobj})")


def reference_decode(pred, anchors, size, score_threshold, iou_threshold, max_det):
    n, grid, _, n_anchors, _ = pred.shape
    stride = size / grid
    out = []
    for b in range(n):
        rows = []
        for i, j, a in np.ndindex(grid, grid, n_anchors):
            t = pred[b, i, j, a]
            cx, cy = (j + torch.sigmoid(t[0])) * stride, (i + torch.sigmoid(t[1])) * stride
            w, h = anchors[a, 0] * torch.exp(t[2]), anchors[a, 1] * torch.exp(t[3])
            probs = torch.softmax(t[5:], 0)
            corners = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
            rows.append((corners.clamp(0, size),
                         torch.sigmoid(t[4]) * probs.max(), int(probs.argmax())))
        boxes = torch.stack([r[0] for r in rows])
        scores = torch.stack([r[1] for r in rows])
        labels = torch.tensor([r[2] for r in rows])
        cand = torch.nonzero(scores > score_threshold).flatten()
        keep = cand[ops.batched_nms(boxes[cand], scores[cand], labels[cand], iou_threshold)]
        keep = keep[:max_det]
        out.append({"boxes": boxes[keep], "scores": scores[keep], "labels": labels[keep]})
    return out


@part("yolo")
@points(3)
def test_decode_predictions(student, rng, device):
    """decode_predictions decodes every slot, clips to the image, keeps score > threshold (a
    score equal to it is dropped), runs class-aware NMS and keeps the first max_detections, as
    a reference built on torchvision.ops.batched_nms; the predictions are left unchanged."""
    pred = torch.from_numpy(rng.normal(0.0, 1.2, size=(2, 4, 4, 3, 8)))
    # slot (0, 1, 2, 0) scores exactly 0.5: objectness sigmoid(0) times class probability 1
    pred[0, 1, 2, 0, 4] = 0.0
    pred[0, 1, 2, 0, 5:] = torch.tensor([0.0, -1e4, -1e4], dtype=torch.float64)
    for threshold, iou, max_det in ((0.05, 0.5, 100), (0.3, 0.3, 5), (0.5, 0.5, 100)):
        call = watch_call(student.yolo.decode_predictions, pred.to(device), ANCHORS.to(device),
                          32, threshold, iou, max_det)
        assert not call.changed, "decode_predictions modified its arguments"
        got = call.result
        want = reference_decode(pred, ANCHORS, 32, threshold, iou, max_det)
        assert len(got) == 2, "one dict per image"
        for b, (g, w) in enumerate(zip(got, want, strict=True)):
            assert len(g["scores"]) == len(w["scores"]), (
                f"image {b} (threshold {threshold}): another number of detections")
            assert_close(g["scores"], w["scores"], rtol=1e-9, name=f"scores of image {b}")
            assert_close(g["boxes"], w["boxes"], rtol=1e-9, atol=1e-9, name=f"boxes of image {b}")
            assert torch.equal(g["labels"].cpu(), w["labels"]), f"labels of image {b} differ"


@part("yolo")
@points(1)
def test_tiny_yolo_forward(student, rng, device):
    """TinyYolo.forward returns head(body(x)) viewed as (B, S, S, A, 5 + C): channel a (5 + C) + k
    of the head is slot a, entry k."""
    net = student.detector.TinyYolo()
    net.eval()
    net.double()
    net.to(device)
    x = torch.from_numpy(rng.uniform(size=(2, 3, 32, 32)))
    got = net(x.to(device)).cpu()
    assert tuple(got.shape) == (2, 4, 4, 2, 8), (
        "TinyYolo on 32x32 images should give (2, 4, 4, 2, 8)")
    body = net.body
    head_out = net.head(body(x.to(device))).cpu()
    want = head_out.reshape(2, 2, 8, 4, 4).permute(0, 3, 4, 1, 2)
    assert_close(got, want, rtol=1e-12, atol=1e-12, name="TinyYolo output layout")


@part("yolo")
@points(3)
def test_trained_detector(student, device):
    """train_detector (defaults, seed 0) on 600 generated images reaches COCO mAP@0.5 >= 0.25 on
    200 held-out images (scored here with pycocotools; their boxes never reach your code)."""
    train = make_detection_shapes(600, seed=1)
    test = make_detection_shapes(200, seed=2)
    model = student.detector.train_detector(
        torch.from_numpy(train.images).float().to(device),
        [torch.from_numpy(b).to(device) for b in train.boxes],
        [torch.from_numpy(c).to(device) for c in train.labels], seed=0)
    predictions = student.detector.detect(model, torch.from_numpy(test.images).float().to(device))
    assert len(predictions) == len(test), "detect returns one dict per image"
    predictions = [{k: v.cpu() for k, v in p.items()} for p in predictions]
    targets = [{"boxes": torch.from_numpy(b), "labels": torch.from_numpy(c)}
               for b, c in zip(test.boxes, test.labels, strict=True)]
    score = coco_stats(predictions, targets, 3)[1]
    # the solution reaches 0.36-0.45 over seeds 0-2; a detector that has learnt nothing, ~0
    assert score >= 0.25, f"COCO mAP@0.5 on held-out images is {score:.3f}, below 0.25"
