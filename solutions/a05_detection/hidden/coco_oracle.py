"""pycocotools' COCOeval on detections given as torch tensors: the oracle of the evaluation part.

Boxes are xyxy; COCO stores xywh, so they are converted here. Every ground-truth annotation gets
area w h and its "iscrowd" flag; categories are the labels 0..num_classes-1.
"""

import contextlib
import io

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def _xywh(box) -> list[float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return [x1, y1, x2 - x1, y2 - y1]


def coco_eval(predictions: list[dict], targets: list[dict], num_classes: int) -> COCOeval:
    """A COCOeval (bbox) that has run evaluate() and accumulate(); detection ids are 1, 2, ...
    in the order of the predictions, image by image."""
    images, annotations, results = [], [], []
    for image_id, (pred, target) in enumerate(zip(predictions, targets, strict=True)):
        images.append({"id": image_id, "width": 1000, "height": 1000})
        crowd = target.get("iscrowd")
        for k, (box, label) in enumerate(zip(target["boxes"], target["labels"], strict=True)):
            x, y, w, h = _xywh(box)
            annotations.append({"id": len(annotations) + 1, "image_id": image_id,
                                "category_id": int(label), "bbox": [x, y, w, h],
                                "area": w * h,
                                "iscrowd": int(crowd[k]) if crowd is not None else 0})
        for box, score, label in zip(pred["boxes"], pred["scores"], pred["labels"], strict=True):
            results.append({"image_id": image_id, "category_id": int(label),
                            "bbox": _xywh(box), "score": float(score)})
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {"images": images, "annotations": annotations,
                      "categories": [{"id": c} for c in range(num_classes)]}
        gt.createIndex()
        dt = gt.loadRes(results) if results else COCO()
        if not results:
            dt.dataset = {"images": images, "annotations": [],
                          "categories": gt.dataset["categories"]}
            dt.createIndex()
        evaluator = COCOeval(gt, dt, iouType="bbox")
        evaluator.evaluate()
        evaluator.accumulate()
    return evaluator


def coco_stats(predictions: list[dict], targets: list[dict], num_classes: int) -> np.ndarray:
    """COCOeval's 12 summary numbers (stats[0] = mAP@[.5:.95], [1] = @.5, [2] = @.75)."""
    evaluator = coco_eval(predictions, targets, num_classes)
    with contextlib.redirect_stdout(io.StringIO()):
        evaluator.summarize()
    return np.asarray(evaluator.stats)
