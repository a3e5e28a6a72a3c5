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
    raise NotImplementedError('implement segments in panoptic.py')


def panoptic_quality(pred_semantic: np.ndarray, pred_instances: np.ndarray,
                     gt_semantic: np.ndarray, gt_instances: np.ndarray, num_classes: int,
                     void: int | None = None) -> dict[str, object]:
    """PQ, SQ, RQ of one predicted panoptic map against the ground truth (module docstring):
    {"pq": float, "sq": float, "rq": float, "per_class_pq", "per_class_sq", "per_class_rq":
    (K,) float64 arrays (nan for absent classes), "tp", "fp", "fn": (K,) int64 counts}.

    Raises ValueError if the four maps do not share one shape.
    """
    raise NotImplementedError('implement panoptic_quality in panoptic.py')
