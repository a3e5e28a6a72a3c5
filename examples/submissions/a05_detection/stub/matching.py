"""Matching anchors to ground truth, and sampling a balanced minibatch of them (Faster R-CNN).

``match`` follows torchvision's Matcher. With the quality matrix Q (G, P) (IoU of G ground-truth
boxes with P anchors), each anchor p takes its best ground truth g* = argmax_g Q[g, p], and

    match[p] = g*        if Q[g*, p] >= high
             = -2        if low <= Q[g*, p] < high    (BETWEEN: ignored in training)
             = -1        if Q[g*, p] < low            (BELOW: background)

With ``allow_low_quality_matches``, every anchor whose quality equals the best quality any
anchor reaches for some ground truth g (max_p Q[g, p], ties included) gets back its g* even
below ``high``: every ground truth keeps at least its best anchors.

``sample_balanced`` draws at most ``batch_size`` anchors per image, at most
``int(batch_size * positive_fraction)`` of them positive, filling the rest with negatives.
"""

import torch
from torch import Tensor

BELOW_LOW_THRESHOLD = -1
BETWEEN_THRESHOLDS = -2


def match(quality: Tensor, high: float, low: float,
          allow_low_quality_matches: bool = False) -> Tensor:
    """Matched ground-truth index per anchor, (P,) int64 in {-2, -1, 0..G-1}, for a (G, P)
    quality matrix (G >= 1, P >= 1). Does not modify ``quality``.

    Raises:
        ValueError: G == 0 or P == 0 (nothing to match), or low > high.
    """
    raise NotImplementedError('implement match in matching.py')


def sample_balanced(labels: Tensor, batch_size: int, positive_fraction: float, seed: int
                    ) -> tuple[Tensor, Tensor]:
    """Boolean masks (N,) of the sampled positives and negatives of one image.

    Args:
        labels: (N,) int64: >= 1 positive, 0 negative, -1 ignored (never sampled).
        batch_size: anchors to sample; positive_fraction: the most positives may take.
        seed: seeds a ``torch.Generator`` that draws the uniform random subsets (the global
            RNG is not used, so the same seed gives the same masks).

    n_pos = min(#positives, int(batch_size positive_fraction)); n_neg = min(#negatives,
    batch_size - n_pos). Each subset of the right size is equally likely.
    """
    raise NotImplementedError('implement sample_balanced in matching.py')
