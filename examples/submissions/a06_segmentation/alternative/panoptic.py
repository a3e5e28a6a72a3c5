"""Panoptic quality (alternative submission: dictionaries of segment areas)."""

import numpy as np


def segments(semantic: np.ndarray, instances: np.ndarray,
             keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Segment index map and segment classes."""
    if keep is None:
        keep = np.full(semantic.shape, True)
    pairs = sorted({(int(c), int(i)) for c, i in zip(semantic[keep], instances[keep],
                                                    strict=True)})
    lookup = {pair: n for n, pair in enumerate(pairs)}
    index = np.full(semantic.shape, -1, dtype=np.int64)
    for pos in zip(*np.nonzero(keep), strict=True):
        index[pos] = lookup[(int(semantic[pos]), int(instances[pos]))]
    return index, np.array([c for c, _ in pairs], dtype=np.int64)


def panoptic_quality(pred_semantic: np.ndarray, pred_instances: np.ndarray,
                     gt_semantic: np.ndarray, gt_instances: np.ndarray, num_classes: int,
                     void: int | None = None) -> dict[str, object]:
    """PQ, SQ, RQ per class and averaged over present classes."""
    if not (pred_semantic.shape == pred_instances.shape == gt_semantic.shape
            == gt_instances.shape):
        raise ValueError("maps differ in shape")
    keep = None if void is None else gt_semantic != void
    pidx, pcls = segments(pred_semantic, pred_instances, keep)
    gidx, gcls = segments(gt_semantic, gt_instances, keep)
    valid = pidx >= 0
    pairs: dict[tuple[int, int], int] = {}
    for a, b in zip(pidx[valid], gidx[valid], strict=True):
        pairs[(int(a), int(b))] = pairs.get((int(a), int(b)), 0) + 1
    parea = np.bincount(pidx[valid], minlength=len(pcls))
    garea = np.bincount(gidx[valid], minlength=len(gcls))
    tp = np.zeros(num_classes, dtype=np.int64)
    iou_total = np.zeros(num_classes)
    for (a, b), inter in pairs.items():
        if pcls[a] != gcls[b]:
            continue
        iou = inter / (parea[a] + garea[b] - inter)
        if iou > 0.5:
            tp[pcls[a]] += 1
            iou_total[pcls[a]] += iou
    fp = np.bincount(pcls, minlength=num_classes).astype(np.int64) - tp
    fn = np.bincount(gcls, minlength=num_classes).astype(np.int64) - tp
    pq = np.full(num_classes, np.nan)
    sq = np.full(num_classes, np.nan)
    rq = np.full(num_classes, np.nan)
    for c in range(num_classes):
        d = tp[c] + fp[c] / 2 + fn[c] / 2
        if d == 0:
            continue
        rq[c] = tp[c] / d
        sq[c] = iou_total[c] / tp[c] if tp[c] else 0.0
        pq[c] = sq[c] * rq[c]
    ok = ~np.isnan(pq)
    summary = {name: float(arr[ok].mean()) if ok.any() else float("nan")
               for name, arr in (("pq", pq), ("sq", sq), ("rq", rq))}
    return {**summary, "per_class_pq": pq, "per_class_sq": sq, "per_class_rq": rq,
            "tp": tp, "fp": fp, "fn": fn}
