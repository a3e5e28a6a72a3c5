"""Evaluating a detector: matching, precision-recall, AP (VOC and COCO) and COCO mAP@[.5:.95].

Detections of one class are visited by decreasing score (a stable sort: ties in the given
order). A detection is a true positive when its best still-unmatched ground truth of that class
and image has IoU >= t; that ground truth is then used up. As in COCO, a detection whose best
match is a *crowd* region (IoU with a crowd box = intersection / detection area; crowd boxes are
never used up, and a non-crowd match is always preferred) is ignored: neither true nor false
positive. Crowd boxes do not count as ground truth.

AP is the area under the precision-recall curve with precision made monotone from the right
(p_interp(r) = max_{r' >= r} p(r')):
  - "voc": all points (VOC 2010+): sum over recall steps of (r_k - r_{k-1}) p_interp(r_k);
  - "coco": the mean of p_interp at the 101 recalls 0, 0.01, ..., 1 (0 beyond the largest
    recall reached), where p_interp(r) is taken at the first point with recall >= r.
COCO mAP averages AP over the classes that have ground truth and over IoU thresholds
0.5, 0.55, ..., 0.95, keeping at most ``max_detections`` per image and class (the best scored).
"""

import numpy as np
import torch
from boxes import box_area, box_inter_union, box_iou
from torch import Tensor

COCO_IOU_THRESHOLDS = tuple(np.round(np.linspace(0.5, 0.95, 10), 2).tolist())


def match_detections(det_boxes: Tensor, det_scores: Tensor, gt_boxes: Tensor,
                     iou_threshold: float, gt_crowd: Tensor | None = None
                     ) -> tuple[Tensor, Tensor]:
    """Greedy matching of one image's detections (D, 4) with its ground truth (G, 4) of a class.

    Returns ``(tp, ignored)``: (D,) bool each, in the detections' own order. ``gt_crowd`` (G,)
    bool marks crowd boxes (None: no crowd). Among unmatched candidates with IoU >= threshold
    the highest IoU wins (ties: the later ground truth, as pycocotools).
    """
    n_det, n_gt = len(det_boxes), len(gt_boxes)
    if n_det == 0 or n_gt == 0:
        return torch.zeros(n_det, dtype=torch.bool), torch.zeros(n_det, dtype=torch.bool)
    crowd = np.zeros(n_gt, dtype=bool) if gt_crowd is None else gt_crowd.cpu().bool().numpy()
    inter, _ = box_inter_union(det_boxes, gt_boxes)
    iou = box_iou(det_boxes, gt_boxes)
    crowd_iou = inter / box_area(det_boxes)[:, None].clamp(min=torch.finfo(inter.dtype).tiny)
    iou = np.where(crowd[None, :], crowd_iou.cpu().numpy(), iou.cpu().numpy())
    used = np.zeros(n_gt, dtype=bool)
    hits, skip = np.zeros(n_det, dtype=bool), np.zeros(n_det, dtype=bool)
    for d in np.argsort(-det_scores.cpu().double().numpy(), kind="stable"):
        for group in (~crowd, crowd):  # non-crowd first: a crowd match only if none
            values = np.where(group & ~used, iou[d], -1.0)
            best = values.max()
            if best >= iou_threshold:
                g = int(np.flatnonzero(values == best)[-1])  # ties: the later ground truth
                skip[d], hits[d] = crowd[g], not crowd[g]
                used[g] = False
                break
    return torch.from_numpy(hits), torch.from_numpy(skip)


def precision_recall(scores: np.ndarray, tp: np.ndarray, num_gt: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall (D,) float64 after each detection, visited by decreasing score
    (stable): precision_k = TP_k / k, recall_k = TP_k / num_gt (0 when num_gt = 0)."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    hits = np.cumsum(np.asarray(tp, dtype=np.float64)[order])
    precision = hits / np.arange(1, len(hits) + 1)
    recall = hits / num_gt if num_gt > 0 else np.zeros_like(hits)
    return precision, recall


def average_precision(precision: np.ndarray, recall: np.ndarray, method: str = "coco") -> float:
    """AP of a precision-recall curve (as ``precision_recall`` returns it; recall
    non-decreasing), by ``method`` "voc" (all points) or "coco" (101 points). An empty curve
    has AP 0.

    Raises:
        ValueError: an unknown method.
    """
    if method not in ("voc", "coco"):
        raise ValueError(f"unknown AP method {method!r}; expected 'voc' or 'coco'")
    precision = np.asarray(precision, dtype=np.float64)
    recall = np.asarray(recall, dtype=np.float64)
    if len(precision) == 0:
        return 0.0
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    if method == "voc":
        steps = np.diff(np.concatenate(([0.0], recall)))
        return float(np.sum(steps * envelope))
    thresholds = np.linspace(0.0, 1.0, 101)
    idx = np.searchsorted(recall, thresholds, side="left")
    values = np.where(idx < len(envelope), envelope[np.minimum(idx, len(envelope) - 1)], 0.0)
    return float(values.mean())


def coco_map(predictions: list[dict[str, Tensor]], targets: list[dict[str, Tensor]],
             iou_thresholds: tuple[float, ...] = COCO_IOU_THRESHOLDS, max_detections: int = 100
             ) -> dict[str, float]:
    """COCO-style mAP of a dataset, as pycocotools' COCOeval (area "all", maxDets 100).

    Args:
        predictions: per image {"boxes": (D, 4) xyxy, "scores": (D,), "labels": (D,) int64}.
        targets: per image {"boxes": (G, 4) xyxy, "labels": (G,) int64, optional "iscrowd":
            (G,) bool/int}.

    Returns:
        {"map": mean AP over classes with ground truth and over ``iou_thresholds``,
         "map_50": the same at IoU 0.5, "map_75": at IoU 0.75} (the last two only when those
        thresholds are in ``iou_thresholds``); every value is -1.0 when no class has ground truth.
    """
    crowds = [t.get("iscrowd", torch.zeros(len(t["labels"]))).cpu().bool() for t in targets]
    classes = sorted({int(c) for t, cr in zip(targets, crowds, strict=True)
                      for c in t["labels"][~cr.to(t["labels"].device)].tolist()})
    aps = np.full((len(iou_thresholds), max(len(classes), 1)), -1.0)
    for col, c in enumerate(classes):
        num_gt = sum(int(((t["labels"].cpu() == c) & ~cr).sum())
                     for t, cr in zip(targets, crowds, strict=True))
        for row, threshold in enumerate(iou_thresholds):
            scores, hits = _class_results(predictions, targets, crowds, c, threshold,
                                          max_detections)
            precision, recall = precision_recall(scores, hits, num_gt)
            aps[row, col] = average_precision(precision, recall, "coco")
    result = {"map": float(aps.mean()) if classes else -1.0}
    for name, threshold in (("map_50", 0.5), ("map_75", 0.75)):
        if threshold in iou_thresholds:
            row = iou_thresholds.index(threshold)
            result[name] = float(aps[row].mean()) if classes else -1.0
    return result


def _class_results(predictions: list[dict[str, Tensor]], targets: list[dict[str, Tensor]],
                   crowds: list[Tensor], label: int, threshold: float, max_detections: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Scores and TP flags of every non-ignored detection of class ``label`` over the dataset,
    images in order and each image's detections by decreasing score, the best
    ``max_detections`` per image."""
    scores, hits = [], []
    for pred, target, crowd in zip(predictions, targets, crowds, strict=True):
        mine = (pred["labels"] == label).cpu()
        det_scores = pred["scores"].cpu()[mine]
        order = torch.sort(det_scores, descending=True, stable=True).indices[:max_detections]
        det_boxes, det_scores = pred["boxes"].cpu()[mine][order], det_scores[order]
        gt = (target["labels"] == label).cpu()
        tp, ignored = match_detections(det_boxes.double(), det_scores,
                                       target["boxes"].cpu()[gt].double(), threshold, crowd[gt])
        scores.append(det_scores[~ignored].double().numpy())
        hits.append(tp[~ignored].numpy())
    return np.concatenate(scores), np.concatenate(hits)
