"""Evaluation: matching, AP and COCO mAP against pycocotools' COCOeval on a small case."""

import contextlib
import io

import numpy as np
import torch
from evaluation import average_precision, coco_map, match_detections, precision_recall
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def test_match_detections_greedy_by_score() -> None:
    gt = torch.tensor([[0.0, 0.0, 10.0, 10.0]], dtype=torch.float64)
    det = torch.tensor([[0.0, 0.0, 10.0, 9.0], [0.0, 0.0, 10.0, 10.0]], dtype=torch.float64)
    tp, ignored = match_detections(det, torch.tensor([0.4, 0.9]), gt, 0.5)
    assert tp.tolist() == [False, True] and not ignored.any()  # the higher score takes the box


def test_average_precision_by_hand() -> None:
    precision, recall = precision_recall(np.array([0.9, 0.8, 0.7]), np.array([1, 0, 1]), 2)
    np.testing.assert_allclose(precision, [1.0, 0.5, 2 / 3])
    np.testing.assert_allclose(recall, [0.5, 0.5, 1.0])
    assert abs(average_precision(precision, recall, "voc") - (0.5 + 0.5 * 2 / 3)) < 1e-12
    # 51 recall points (0 .. 0.5) at precision 1, 50 (0.51 .. 1) at 2/3
    want = (51 * 1.0 + 50 * 2 / 3) / 101
    assert abs(average_precision(precision, recall, "coco") - want) < 1e-12


def test_coco_map_matches_pycocotools() -> None:
    g = torch.Generator().manual_seed(0)
    targets, predictions, images, annotations, results = [], [], [], [], []
    for image in range(6):
        xy = torch.rand(3, 2, generator=g, dtype=torch.float64) * 60
        gt = torch.cat([xy, xy + 8 + torch.rand(3, 2, generator=g, dtype=torch.float64) * 10], 1)
        labels = torch.arange(3) % 2
        det = gt + torch.randn(3, 4, generator=g, dtype=torch.float64) * 2
        scores = torch.rand(3, generator=g, dtype=torch.float64)
        targets.append({"boxes": gt, "labels": labels})
        predictions.append({"boxes": det, "scores": scores, "labels": labels})
        images.append({"id": image})
        for b, c in zip(gt.tolist(), labels.tolist(), strict=True):
            annotations.append({"id": len(annotations) + 1, "image_id": image, "category_id": c,
                                "bbox": [b[0], b[1], b[2] - b[0], b[3] - b[1]], "iscrowd": 0,
                                "area": (b[2] - b[0]) * (b[3] - b[1])})
        for b, s, c in zip(det.tolist(), scores.tolist(), labels.tolist(), strict=True):
            results.append({"image_id": image, "category_id": c, "score": s,
                            "bbox": [b[0], b[1], b[2] - b[0], b[3] - b[1]]})
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = {"images": images, "annotations": annotations,
                        "categories": [{"id": 0}, {"id": 1}]}
        coco.createIndex()
        evaluator = COCOeval(coco, coco.loadRes(results), "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    got = coco_map(predictions, targets)
    np.testing.assert_allclose([got["map"], got["map_50"], got["map_75"]], evaluator.stats[:3])
