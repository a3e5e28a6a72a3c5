"""Panoptic quality (Kirillov et al. 2019) of panoptic maps.

A panoptic map is a pair of (H, W) int64 arrays: ``semantic`` (class per pixel, 0..K-1) and
``instances`` (instance id per pixel; 0 for stuff and background). A *segment* is the set of
pixels sharing one (class, instance id) pair, so a stuff class forms one segment per image.
Pixels where the ground truth's class is ``void`` (if given) are removed from both maps before
segments are formed (a predicted segment lying wholly in void pixels disappears).

Per class c, a predicted and a ground-truth segment of class c *match* when their IoU > 0.5 (such
a match is unique). With TP_c the matches, FP_c the unmatched predicted segments and FN_c the
unmatched ground-truth segments of class c:

    SQ_c = sum_{TP_c} IoU / |TP_c|  (0 if |TP_c| = 0)
    RQ_c = |TP_c| / (|TP_c| + |FP_c|/2 + |FN_c|/2)
    PQ_c = sum_{TP_c} IoU / (|TP_c| + |FP_c|/2 + |FN_c|/2) = SQ_c * RQ_c

A class with no segment in either map is absent: nan in the per-class arrays and left out of
the means. PQ, SQ and RQ are the means over the present classes (nan if none).
"""

import numpy as np


def segments(semantic: np.ndarray, instances: np.ndarray,
             keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Segment index map (H, W) int64 (-1 where ``keep`` is False) and the class of every
    segment (S,) int64, segments numbered in the order of their sorted (class, instance) pairs.
    Does not modify its arguments."""
    keep = np.ones(semantic.shape, dtype=bool) if keep is None else keep
    pairs = np.stack([semantic[keep], instances[keep]], axis=1).astype(np.int64)
    index = np.full(semantic.shape, -1, dtype=np.int64)
    if len(pairs) == 0:
        return index, np.zeros(0, dtype=np.int64)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    index[keep] = inverse.reshape(-1)
    return index, unique[:, 0].copy()


def panoptic_quality(pred_semantic: np.ndarray, pred_instances: np.ndarray,
                     gt_semantic: np.ndarray, gt_instances: np.ndarray, num_classes: int,
                     void: int | None = None) -> dict[str, object]:
    """PQ, SQ, RQ of one predicted panoptic map against the ground truth (module docstring):
    {"pq": float, "sq": float, "rq": float, "per_class_pq", "per_class_sq", "per_class_rq":
    (K,) float64 arrays (nan for absent classes), "tp", "fp", "fn": (K,) int64 counts}.

    Raises ValueError if the four maps do not share one shape.
    """
    shape = gt_semantic.shape
    if any(m.shape != shape for m in (pred_semantic, pred_instances, gt_instances)):
        raise ValueError("the four maps must have the same shape")
    keep = np.ones(shape, dtype=bool) if void is None else gt_semantic != void
    p_idx, p_cls = segments(pred_semantic, pred_instances, keep)
    g_idx, g_cls = segments(gt_semantic, gt_instances, keep)
    n_p, n_g = len(p_cls), len(g_cls)
    inter = np.zeros((n_p, n_g))
    np.add.at(inter, (p_idx[keep], g_idx[keep]), 1.0)
    area_p, area_g = inter.sum(1), inter.sum(0)
    union = area_p[:, None] + area_g[None, :] - inter
    iou = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    iou = np.where(p_cls[:, None] == g_cls[None, :], iou, 0.0)
    matched = iou > 0.5
    tp = np.zeros(num_classes, dtype=np.int64)
    fp = np.zeros(num_classes, dtype=np.int64)
    fn = np.zeros(num_classes, dtype=np.int64)
    iou_sum = np.zeros(num_classes)
    for c in range(num_classes):
        m = matched[np.ix_(p_cls == c, g_cls == c)]
        tp[c] = m.sum()
        fp[c] = (p_cls == c).sum() - tp[c]
        fn[c] = (g_cls == c).sum() - tp[c]
        iou_sum[c] = iou[np.ix_(p_cls == c, g_cls == c)][m].sum()
    denom = tp + 0.5 * fp + 0.5 * fn
    present = denom > 0
    pq = np.where(present, iou_sum / np.maximum(denom, 1e-300), np.nan)
    sq = np.where(present, np.where(tp > 0, iou_sum / np.maximum(tp, 1), 0.0), np.nan)
    rq = np.where(present, tp / np.maximum(denom, 1e-300), np.nan)

    def mean(values: np.ndarray) -> float:
        return float(values[present].mean()) if present.any() else float("nan")

    return {"pq": mean(pq), "sq": mean(sq), "rq": mean(rq), "per_class_pq": pq,
            "per_class_sq": sq, "per_class_rq": rq, "tp": tp, "fp": fp, "fn": fn}
