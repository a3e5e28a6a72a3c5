"""Graded: panoptic quality on generated panoptic maps (part "panoptic")."""

import math

import numpy as np
import pytest

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.seg_shapes import NUM_CLASSES, make_seg_shapes


def pq_oracle(ps, pi, gs, gi, k, void=None):
    """PQ by the definition, one segment at a time (sets of pixel positions)."""
    keep = np.ones(gs.shape, bool) if void is None else gs != void

    def segs(sem, inst):
        out: dict = {}
        for pos in zip(*np.nonzero(keep), strict=True):
            out.setdefault((int(sem[pos]), int(inst[pos])), set()).add(pos)
        return out

    pred, gt = segs(ps, pi), segs(gs, gi)
    per = {"pq": [], "sq": [], "rq": []}
    for c in range(k):
        p = [s for (cl, _), s in pred.items() if cl == c]
        g = [s for (cl, _), s in gt.items() if cl == c]
        ious = [len(a & b) / len(a | b) for a in p for b in g if len(a & b) / len(a | b) > 0.5]
        tp = len(ious)
        fp, fn = len(p) - tp, len(g) - tp
        if tp + fp + fn == 0:
            for key in per:
                per[key].append(math.nan)
            continue
        denom = tp + fp / 2 + fn / 2
        per["pq"].append(sum(ious) / denom)
        per["sq"].append(sum(ious) / tp if tp else 0.0)
        per["rq"].append(tp / denom)
    return {key: np.array(v) for key, v in per.items()}


def perturbed(rng, semantic, instances):
    """A prediction: the ground truth shifted by a pixel, one instance relabelled, one merged
    into the background, and a spurious blob."""
    ps, pi = np.roll(semantic, 1, axis=1).copy(), np.roll(instances, 1, axis=1).copy()
    ids = [k for k in np.unique(pi) if k > 0]
    if len(ids) >= 2:
        drop = ids[int(rng.integers(len(ids)))]
        ps[pi == drop], pi[pi == drop] = 0, 0
    if ids:
        relabel = ids[int(rng.integers(len(ids)))]
        ps[pi == relabel] = (ps[pi == relabel] % (NUM_CLASSES - 1)) + 1
    r, c = rng.integers(0, 26, 2)
    ps[r:r + 5, c:c + 5], pi[r:r + 5, c:c + 5] = int(rng.integers(1, NUM_CLASSES)), 9
    return ps, pi


@part("panoptic")
@points(4)
def test_pq_on_generated_maps(student, rng):
    """panoptic_quality's per-class PQ, SQ, RQ, TP/FP/FN counts and means match the definition
    on six generated panoptic maps (semantic + instance ids, background as one stuff segment)
    against perturbed predictions, and PQ_c = SQ_c RQ_c; the maps are not modified."""
    data = make_seg_shapes(6, max_objects=4, seed=int(rng.integers(1000)))
    for gs, gi in zip(data.semantic, data.instances, strict=True):
        ps, pi = perturbed(rng, gs, gi)
        call = watch_call(student.panoptic.panoptic_quality, ps, pi, gs, gi, NUM_CLASSES)
        out = call.result
        assert call.changed == [], f"panoptic_quality modified {call.changed}"
        want = pq_oracle(ps, pi, gs, gi, NUM_CLASSES)
        for key in ("pq", "sq", "rq"):
            assert_close(out[f"per_class_{key}"], want[key], rtol=1e-12, atol=1e-12,
                         name=f"per-class {key.upper()}")
            assert_close(out[key], np.nanmean(want[key]), rtol=1e-12, atol=1e-12,
                         name=key.upper())
        present = ~np.isnan(want["pq"])
        assert_close(out["per_class_pq"][present],
                     (out["per_class_sq"] * out["per_class_rq"])[present], rtol=1e-12,
                     atol=1e-12, name="PQ_c against SQ_c * RQ_c")
        counts = np.asarray(out["tp"]) + np.asarray(out["fn"])
        gt_counts = [len({int(i) for i in np.unique(gi[gs == c])}) for c in range(NUM_CLASSES)]
        assert list(counts) == gt_counts, "TP + FN should be the number of ground-truth segments"


def _pq_hand_case(student):
    """A hand-made 6 x 6 case: a true positive of IoU 5/8, an IoU of exactly 0.5 (not a match:
    one FP and one FN), a missed segment and a spurious one."""
    gs = np.zeros((6, 6), dtype=np.int64)
    gi = np.zeros((6, 6), dtype=np.int64)
    gs[0:2, 0:3], gi[0:2, 0:3] = 1, 1          # class 1, 6 px
    gs[3:5, 0:2], gi[3:5, 0:2] = 2, 2          # class 2, 4 px
    gs[5, 4:6], gi[5, 4:6] = 2, 3              # class 2, 2 px, missed
    ps, pi = gs.copy(), gi.copy()
    ps[5, 4:6], pi[5, 4:6] = 0, 0
    ps[0:2, 3], pi[0:2, 3] = 1, 1              # class 1 grows by 2 px ...
    ps[1, 0], pi[1, 0] = 0, 0                  # ... and loses 1: 7 px, 5 shared, IoU 5/8
    ps[3:5, 1], pi[3:5, 1] = 0, 0              # class 2 shrinks to 2 of 4 px: IoU 0.5
    ps[2, 3:6], pi[2, 3:6] = 3, 7              # spurious class 3
    out = student.panoptic.panoptic_quality(ps, pi, gs, gi, 4)
    assert list(out["tp"]) == [1, 1, 0, 0], "true positives per class are wrong"
    assert list(out["fp"]) == [0, 0, 1, 1], "false positives per class are wrong"
    assert list(out["fn"]) == [0, 0, 2, 0], "false negatives per class are wrong"
    bg_iou = 19 / 29                           # background: 24 px each, 19 shared
    want_pq = [bg_iou, 5 / 8, 0.0, 0.0]
    assert_close(out["per_class_pq"], want_pq, rtol=1e-12, name="per-class PQ")
    assert_close(out["sq"], (bg_iou + 5 / 8) / 4, rtol=1e-12, name="SQ (mean over classes)")
    assert_close(out["pq"], np.mean(want_pq), rtol=1e-12, name="PQ (mean over classes)")


def _pq_void_absent_and_errors(student):
    """Void ground-truth pixels leave both maps (a prediction inside them disappears); a class
    in neither map is nan and left out of the means; maps of different shapes raise
    ValueError."""
    gs = np.zeros((4, 4), dtype=np.int64)
    gi = np.zeros((4, 4), dtype=np.int64)
    gs[0:2, 0:2], gi[0:2, 0:2] = 1, 1
    gs[3, :] = 5                              # void row
    ps, pi = gs.copy(), gi.copy()
    ps[3, :], pi[3, :] = 2, 4                 # a prediction only in void pixels
    out = student.panoptic.panoptic_quality(ps, pi, gs, gi, 4, void=5)
    assert list(out["fp"]) == [0, 0, 0, 0], "a segment wholly in void pixels is not a FP"
    assert math.isnan(out["per_class_pq"][2]) and math.isnan(out["per_class_pq"][3]), (
        "classes in neither map should be nan")
    assert_close(out["pq"], 1.0, rtol=1e-12, name="PQ of a perfect prediction with void")
    with pytest.raises(StudentError) as raised:
        student.panoptic.panoptic_quality(ps[:3], pi, gs, gi, 4)
    assert raised.value.type_name == "ValueError", "maps of different shapes should raise"


def _two_matches_in_a_class(student):
    """Three true positives of one class with IoUs 1, 2/3 and 1 (one pixel in both maps): SQ_c
    is their mean."""
    gs = np.zeros((6, 6), dtype=np.int64)
    gi = np.zeros((6, 6), dtype=np.int64)
    gs[0:2, 0:2], gi[0:2, 0:2] = 1, 1          # class 1, 4 px, predicted exactly
    gs[3:5, 3:6], gi[3:5, 3:6] = 1, 2          # class 1, 6 px, predicted as 4 of them
    gs[5, 0], gi[5, 0] = 1, 3                  # class 1, one pixel, predicted exactly
    ps, pi = gs.copy(), gi.copy()
    ps[3:5, 5], pi[3:5, 5] = 0, 0
    out = student.panoptic.panoptic_quality(ps, pi, gs, gi, 2)
    want = pq_oracle(ps, pi, gs, gi, 2)
    assert list(out["tp"]) == [1, 3], "true positives per class are wrong"
    for key in ("pq", "sq", "rq"):
        assert_close(out[f"per_class_{key}"], want[key], rtol=1e-12,
                     name=f"per-class {key.upper()} with three matches in a class")


def _segments_contract(student):
    """segments: -1 outside keep, segments numbered by sorted (class, instance); one kept pixel
    gives one segment, none gives an empty class list."""
    sem = np.array([[2, 1, 1], [0, 2, 1]])
    inst = np.array([[5, 3, 3], [0, 4, 3]])
    keep = np.array([[True, True, False], [True, True, True]])
    index, classes = student.panoptic.segments(sem, inst, keep)
    assert index.tolist() == [[3, 1, -1], [0, 2, 1]], "the segment index map is wrong"
    assert classes.tolist() == [0, 1, 2, 2], "the classes of the segments are wrong"
    one = np.zeros_like(keep)
    one[0, 1] = True
    index, classes = student.panoptic.segments(sem, inst, one)
    assert index.tolist() == [[-1, 0, -1], [-1, -1, -1]] and classes.tolist() == [1], (
        "one kept pixel should give one segment")
    index, classes = student.panoptic.segments(sem, inst, np.zeros_like(keep))
    assert (index == -1).all() and classes.shape == (0,), "nothing kept: no segment"


@part("panoptic")
@points(6)
def test_pq_hand_cases_void_and_errors(student):
    """A hand-made 6 x 6 case: a true positive of IoU 5/8, an IoU of exactly 0.5 (not a match:
    one FP and one FN), a missed segment and a spurious one. Void ground-truth pixels leave both
    maps (a prediction inside them disappears); a class in neither map is nan and left out of
    the means; maps of different shapes raise ValueError. Three true positives of one class:
    SQ_c is the mean of their IoUs (one of them a single pixel). segments numbers the kept
    pixels' (class, instance) pairs in sorted order, -1 elsewhere, also for one kept pixel and
    for none."""
    _pq_hand_case(student)
    _pq_void_absent_and_errors(student)
    _two_matches_in_a_class(student)
    _segments_contract(student)
