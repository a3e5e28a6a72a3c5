"""Graded: matching, precision-recall, AP and COCO mAP against pycocotools' COCOeval and the
PASCAL VOC devkit's AP (part "evaluation", 14 points)."""

import numpy as np
import pytest
import torch
from coco_oracle import coco_eval, coco_stats
from scenes import dataset, scene, to_device

from autograder.testing import StudentError, assert_close, part, points


def voc_ap(recall: np.ndarray, precision: np.ndarray) -> float:
    """The VOC 2010+ all-point AP, as the PASCAL VOC devkit (and py-faster-rcnn's voc_eval)."""
    mrec = np.concatenate(([0.0], recall, [1.0]))
    mpre = np.concatenate(([0.0], precision, [0.0]))
    for i in range(mpre.size - 1, 0, -1):
        mpre[i - 1] = max(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def coco_matches(pred: dict, target: dict, threshold_index: int):
    """pycocotools' (tp, ignored) for one image of one class, in the detections' order."""
    one = {k: v for k, v in pred.items()}
    one["labels"] = torch.zeros_like(pred["labels"])
    tgt = dict(target, labels=torch.zeros_like(target["labels"]))
    evaluator = coco_eval([one], [tgt], 1)
    record = next(e for e in evaluator.evalImgs if e is not None and e["aRng"] == [0, 1e10])
    tp, ignored = np.zeros(len(pred["scores"]), bool), np.zeros(len(pred["scores"]), bool)
    for k, det_id in enumerate(record["dtIds"]):
        ignored[det_id - 1] = record["dtIgnore"][threshold_index, k]
        tp[det_id - 1] = record["dtMatches"][threshold_index, k] > 0 and not ignored[det_id - 1]
    return tp, ignored


@part("evaluation")
@points(3)
def test_match_detections(student, rng, device):
    """match_detections gives pycocotools' true positives and ignored detections (crowd regions
    matched by intersection over detection area) at IoU 0.5 and 0.75, one image and class."""
    for trial in range(6):
        pred, target = scene(rng, 6, 1, crowd_rate=0.3 if trial % 2 else 0.0)
        for threshold, index in ((0.5, 0), (0.75, 5)):
            got = student.evaluation.match_detections(
                pred["boxes"].to(device), pred["scores"].to(device),
                target["boxes"].to(device), threshold, target["iscrowd"].to(device))
            assert isinstance(got, tuple | list) and len(got) == 2, "return (tp, ignored)"
            want_tp, want_ignored = coco_matches(pred, target, index)
            assert np.array_equal(got[0].cpu().numpy(), want_tp), (
                f"true positives at IoU {threshold} differ from pycocotools' (scene {trial})")
            assert np.array_equal(got[1].cpu().numpy(), want_ignored), (
                f"ignored detections at IoU {threshold} differ from pycocotools' (scene {trial})")
    # IoU exactly at the threshold is a match (pycocotools skips only IoU < threshold)
    gt = torch.tensor([[0.0, 0.0, 10.0, 10.0]], dtype=torch.float64)
    for det, threshold in (([0.0, 0.0, 10.0, 20.0], 0.5), ([0.0, 0.0, 10.0, 7.5], 0.75)):
        got = student.evaluation.match_detections(
            torch.tensor([det], dtype=torch.float64).to(device),
            torch.tensor([0.9], dtype=torch.float64).to(device), gt.to(device), threshold)
        assert bool(got[0][0]), f"a detection with IoU exactly {threshold} should match at it"
    pred, target = scene(rng, 3, 1)
    got = student.evaluation.match_detections(pred["boxes"].to(device), pred["scores"].to(device),
                                               target["boxes"][:0].to(device), 0.5)
    assert not bool(got[0].any()) and len(got[0]) == len(pred["scores"]), (
        "with no ground truth every detection is a false positive")


@part("evaluation")
@points(3)
def test_precision_recall(student, rng):
    """precision_recall sorts by decreasing score (stable for ties) and gives TP_k / k and
    TP_k / num_gt; recall is 0 when there is no ground truth."""
    scores = rng.integers(0, 5, size=25).astype(np.float64)  # many ties
    tp = rng.uniform(size=25) < 0.5
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(tp[order])
    precision, recall = student.evaluation.precision_recall(scores, tp, 20)
    assert_close(precision, hits / np.arange(1, 26), rtol=1e-12, name="precision")
    assert_close(recall, hits / 20, rtol=1e-12, name="recall")
    precision, recall = student.evaluation.precision_recall(scores, tp, 0)
    assert_close(recall, np.zeros(25), name="recall with no ground truth")
    precision, recall = student.evaluation.precision_recall(np.zeros(0), np.zeros(0, bool), 5)
    assert len(precision) == 0 and len(recall) == 0, "no detections give empty curves"


@part("evaluation")
@points(3)
def test_average_precision(student, rng):
    """average_precision equals the VOC devkit's all-point AP ("voc") and pycocotools' 101-point
    AP ("coco") on random curves; an empty curve has AP 0; an unknown method is a ValueError."""
    for trial in range(5):
        n_gt = int(rng.integers(3, 30))
        tp = rng.uniform(size=40) < 0.6
        tp[: int(rng.integers(0, 5))] = True
        hits = np.cumsum(tp)
        precision, recall = hits / np.arange(1, 41), np.minimum(hits, n_gt) / n_gt
        got = student.evaluation.average_precision(precision, recall, "voc")
        assert_close(got, voc_ap(recall, precision), rtol=1e-10, name=f"VOC AP (curve {trial})")
    for trial in range(4):
        pred, target = scene(rng, 12, 1, n_false=8)
        pred["labels"] = torch.zeros_like(pred["labels"])
        target["labels"] = torch.zeros_like(target["labels"])
        evaluator = coco_eval([pred], [target], 1)
        tp, _ = coco_matches(pred, target, 0)
        precision, recall = student.evaluation.precision_recall(pred["scores"].numpy(), tp, 12)
        got = student.evaluation.average_precision(precision, recall, "coco")
        want = evaluator.eval["precision"][0, :, 0, 0, 2].mean()
        assert_close(got, want, rtol=1e-10, name=f"COCO AP (scene {trial})")
    # the last detection is a hit of lower precision: recall points above 0.5 read its 0.5
    got = student.evaluation.average_precision(np.array([1.0, 0.5]), np.array([0.5, 1.0]), "coco")
    assert_close(got, (51 * 1.0 + 50 * 0.5) / 101, rtol=1e-12, name="COCO AP of a 2-point curve")
    assert student.evaluation.average_precision(np.zeros(0), np.zeros(0), "coco") == 0.0, (
        "an empty curve has AP 0")
    with pytest.raises(StudentError) as err:
        student.evaluation.average_precision(precision, recall, "11point")
    assert err.value.type_name == "ValueError", "an unknown method should raise ValueError"


@part("evaluation")
@points(3)
def test_coco_map(student, rng, device):
    """coco_map gives pycocotools' AP@[.5:.95], AP@.5 and AP@.75 on 25 images of 3 classes
    (missed, doubled, misclassified and false detections; images without objects)."""
    predictions, targets = dataset(rng, 25, 3)
    got = student.evaluation.coco_map(to_device(predictions, device), to_device(targets, device))
    want = coco_stats(predictions, targets, 3)
    assert isinstance(got, dict), "coco_map returns a dict"
    for key, index in (("map", 0), ("map_50", 1), ("map_75", 2)):
        assert key in got, f"the result should have {key!r}"
        assert_close(got[key], want[index], rtol=1e-9, atol=1e-12, name=key)


@part("evaluation")
@points(2)
def test_coco_map_crowd_and_empty(student, rng, device):
    """coco_map with crowd regions, a class without ground truth (left out of the mean), more
    than 100 detections in an image (only the best 100 count), and -1 when nothing has ground
    truth, as pycocotools."""
    predictions, targets = dataset(rng, 12, 4, crowd_rate=0.25)
    for t in targets:  # class 3 has no ground truth, only detections
        t["labels"] = torch.where(t["labels"] == 3, torch.zeros_like(t["labels"]), t["labels"])
    many, target = scene(rng, 5, 4, n_false=120)
    predictions.append(many)
    targets.append(target)
    got = student.evaluation.coco_map(to_device(predictions, device), to_device(targets, device))
    want = coco_stats(predictions, targets, 4)
    for key, index in (("map", 0), ("map_50", 1), ("map_75", 2)):
        assert_close(got[key], want[index], rtol=1e-9, atol=1e-12, name=f"{key} with crowds")
    nothing = [{"boxes": t["boxes"][:0], "labels": t["labels"][:0]} for t in targets[:3]]
    got = student.evaluation.coco_map(to_device(predictions[:3], device),
                                      to_device(nothing, device))
    assert got["map"] == -1.0, "with no ground truth at all, mAP should be -1 (as pycocotools)"
    assert got.get("map_50") == -1.0 and got.get("map_75") == -1.0, (
        "with no ground truth at all, map_50 and map_75 should be -1 too")
    single_p, single_t = dataset(rng, 6, 1)  # one class: its AP is the mean
    got = student.evaluation.coco_map(to_device(single_p, device), to_device(single_t, device))
    want = coco_stats(single_p, single_t, 1)
    assert_close(got["map"], want[0], rtol=1e-9, atol=1e-12, name="map with a single class")
