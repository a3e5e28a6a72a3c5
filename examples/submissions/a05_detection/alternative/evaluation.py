"""Detection evaluation as COCO does it, written from the handout with NumPy."""

import numpy as np
import torch
from torch import Tensor

COCO_IOU_THRESHOLDS = tuple(np.round(np.linspace(0.5, 0.95, 10), 2).tolist())


def _overlaps(det: np.ndarray, gt: np.ndarray, crowd: np.ndarray) -> np.ndarray:
    """(D, G): IoU, or intersection / detection area for crowd columns."""
    iw = np.clip(np.minimum(det[:, None, 2], gt[None, :, 2])
                 - np.maximum(det[:, None, 0], gt[None, :, 0]), 0, None)
    ih = np.clip(np.minimum(det[:, None, 3], gt[None, :, 3])
                 - np.maximum(det[:, None, 1], gt[None, :, 1]), 0, None)
    inter = iw * ih
    area_d = ((det[:, 2] - det[:, 0]) * (det[:, 3] - det[:, 1]))[:, None]
    area_g = ((gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1]))[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = np.where(crowd[None, :], area_d, area_d + area_g - inter)
        return np.where(denominator > 0, inter / np.where(denominator > 0, denominator, 1), 0.0)


def match_detections(det_boxes: Tensor, det_scores: Tensor, gt_boxes: Tensor,
                     iou_threshold: float, gt_crowd: Tensor | None = None
                     ) -> tuple[Tensor, Tensor]:
    """(tp, ignored) per detection in its own order; greedy by score, COCO's rules."""
    det = det_boxes.detach().cpu().double().numpy()
    gt = gt_boxes.detach().cpu().double().numpy()
    crowd = (np.zeros(len(gt), bool) if gt_crowd is None
             else gt_crowd.detach().cpu().numpy().astype(bool))
    tp, ignored = np.zeros(len(det), bool), np.zeros(len(det), bool)
    if len(det) and len(gt):
        ious = _overlaps(det, gt, crowd)
        taken = np.zeros(len(gt), bool)
        regular, crowds = np.flatnonzero(~crowd), np.flatnonzero(crowd)
        for d in np.argsort(-det_scores.detach().cpu().double().numpy(), kind="mergesort"):
            free = regular[~taken[regular]]
            choice = _best(ious[d, free], free, iou_threshold)
            if choice is not None:
                tp[d], taken[choice] = True, True
                continue
            if _best(ious[d, crowds], crowds, iou_threshold) is not None:
                ignored[d] = True
    return torch.from_numpy(tp), torch.from_numpy(ignored)


def _best(values: np.ndarray, candidates: np.ndarray, threshold: float) -> int | None:
    """The candidate of largest value >= threshold (the last of ties), or None."""
    if len(values) == 0 or values.max() < threshold:
        return None
    return int(candidates[len(values) - 1 - np.argmax(values[::-1])])


def precision_recall(scores: np.ndarray, tp: np.ndarray, num_gt: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative precision and recall by decreasing score (stable)."""
    order = np.argsort(-np.asarray(scores, float), kind="mergesort")
    flags = np.asarray(tp, bool)[order]
    true_pos = np.cumsum(flags)
    false_pos = np.cumsum(~flags)
    precision = true_pos / np.maximum(true_pos + false_pos, 1)
    recall = true_pos / num_gt if num_gt else np.zeros(len(flags))
    return precision.astype(float), recall.astype(float)


def average_precision(precision: np.ndarray, recall: np.ndarray, method: str = "coco") -> float:
    """AP: all points ("voc") or 101 points ("coco") of the precision envelope."""
    if method not in {"voc", "coco"}:
        raise ValueError(f"unknown method {method!r}")
    p, r = np.asarray(precision, float), np.asarray(recall, float)
    if p.size == 0:
        return 0.0
    if method == "voc":
        total, previous = 0.0, 0.0
        for k in range(len(r)):
            if r[k] > previous:
                total += (r[k] - previous) * p[k:].max()
                previous = r[k]
        return float(total)
    points = []
    for level in np.linspace(0.0, 1.0, 101):
        reached = np.flatnonzero(r >= level)
        points.append(p[reached[0]:].max() if len(reached) else 0.0)
    return float(np.mean(points))


def coco_map(predictions: list[dict[str, Tensor]], targets: list[dict[str, Tensor]],
             iou_thresholds: tuple[float, ...] = COCO_IOU_THRESHOLDS, max_detections: int = 100
             ) -> dict[str, float]:
    """mAP over classes with ground truth and IoU thresholds, COCOeval's rules."""
    def crowd_of(t):
        c = t.get("iscrowd")
        return np.zeros(len(t["labels"]), bool) if c is None else c.cpu().numpy().astype(bool)

    labels = [t["labels"].cpu().numpy() for t in targets]
    crowds = [crowd_of(t) for t in targets]
    classes = sorted(set(np.concatenate([lab[~cr] for lab, cr in zip(labels, crowds)]).tolist()))
    if not classes:
        return {"map": -1.0, "map_50": -1.0, "map_75": -1.0}
    table = np.zeros((len(iou_thresholds), len(classes)))
    for ci, c in enumerate(classes):
        n_gt = int(sum(((lab == c) & ~cr).sum() for lab, cr in zip(labels, crowds)))
        for ti, threshold in enumerate(iou_thresholds):
            all_scores, all_tp = [], []
            for pred, target, lab, cr in zip(predictions, targets, labels, crowds):
                pick = (pred["labels"] == c).cpu()
                scores = pred["scores"].cpu()[pick]
                top = torch.from_numpy(np.argsort(-scores.double().numpy(),
                                                  kind="mergesort")[:max_detections])
                boxes, scores = pred["boxes"].cpu()[pick][top], scores[top]
                gt = torch.from_numpy(lab == c)
                tp, ign = match_detections(boxes, scores, target["boxes"].cpu()[gt], threshold,
                                           torch.from_numpy(cr[lab == c]))
                all_scores.append(scores.double().numpy()[~ign.numpy()])
                all_tp.append(tp.numpy()[~ign.numpy()])
            p, r = precision_recall(np.concatenate(all_scores), np.concatenate(all_tp), n_gt)
            table[ti, ci] = average_precision(p, r, "coco")
    result = {"map": float(table.mean())}
    for key, value in (("map_50", 0.5), ("map_75", 0.75)):
        if value in iou_thresholds:
            result[key] = float(table[list(iou_thresholds).index(value)].mean())
    return result
