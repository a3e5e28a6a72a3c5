"""Public tests of panoptic.py."""

import numpy as np
import panoptic


def test_perfect_prediction_scores_one():
    sem = np.array([[0, 1, 1], [0, 2, 2]])
    inst = np.array([[0, 1, 1], [0, 2, 2]])
    out = panoptic.panoptic_quality(sem, inst, sem, inst, 3)
    assert abs(out["pq"] - 1.0) < 1e-12 and abs(out["sq"] - 1.0) < 1e-12


def test_a_half_overlap_is_no_match():
    gs = np.array([[1, 1, 0, 0]])
    gi = np.array([[1, 1, 0, 0]])
    ps = np.array([[1, 0, 0, 0]])
    pi = np.array([[1, 0, 0, 0]])
    out = panoptic.panoptic_quality(ps, pi, gs, gi, 2)
    assert list(out["tp"]) == [1, 0]              # the background matches (IoU 2/3)
    assert list(out["fp"]) == [0, 1] and list(out["fn"]) == [0, 1]
