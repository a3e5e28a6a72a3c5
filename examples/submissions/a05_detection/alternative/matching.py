"""Anchor matching (Matcher's rules) and balanced sampling, from the handout."""

import torch
from torch import Tensor

BELOW_LOW_THRESHOLD = -1
BETWEEN_THRESHOLDS = -2


def match(quality: Tensor, high: float, low: float,
          allow_low_quality_matches: bool = False) -> Tensor:
    """(P,) matched ground truth per anchor, -1 below low, -2 between the thresholds."""
    if quality.shape[0] == 0 or quality.shape[1] == 0:
        raise ValueError("nothing to match: no ground truth or no anchors")
    if low > high:
        raise ValueError("the low threshold must not exceed the high threshold")
    best_value, best_gt = quality.max(dim=0)
    out = torch.where(best_value >= high, best_gt,
                      torch.where(best_value >= low, torch.full_like(best_gt, BETWEEN_THRESHOLDS),
                                  torch.full_like(best_gt, BELOW_LOW_THRESHOLD)))
    if allow_low_quality_matches:
        rescued = (quality == quality.max(dim=1, keepdim=True).values).any(dim=0)
        out = torch.where(rescued, best_gt, out)
    return out


def sample_balanced(labels: Tensor, batch_size: int, positive_fraction: float, seed: int
                    ) -> tuple[Tensor, Tensor]:
    """Masks of the sampled positives and negatives; uniform subsets from a seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    keys = torch.rand(len(labels), generator=generator).to(labels.device)
    pos_mask = torch.zeros(len(labels), dtype=torch.bool, device=labels.device)
    neg_mask = torch.zeros_like(pos_mask)
    positives = (labels >= 1).nonzero().flatten()
    negatives = (labels == 0).nonzero().flatten()
    n_pos = min(len(positives), int(batch_size * positive_fraction))
    n_neg = min(len(negatives), batch_size - n_pos)
    # the smallest random keys: a uniformly random subset of each group
    pos_mask[positives[keys[positives].argsort()[:n_pos]]] = True
    neg_mask[negatives[keys[negatives].argsort()[:n_neg]]] = True
    return pos_mask, neg_mask
