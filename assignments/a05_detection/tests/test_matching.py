"""Matching against torchvision's Matcher; the balanced sampler's counts and seed."""

import torch
from matching import match, sample_balanced
from torchvision.models.detection._utils import Matcher


def test_match_matches_torchvision() -> None:
    g = torch.Generator().manual_seed(0)
    quality = torch.rand(3, 20, generator=g) * 0.9
    quality[:, 0] = torch.tensor([0.7, 0.1, 0.2])   # exactly the high threshold
    quality[:, 1] = torch.tensor([0.3, 0.1, 0.2])   # exactly the low threshold
    for low_quality in (False, True):
        want = Matcher(0.7, 0.3, low_quality)(quality.clone())
        assert torch.equal(match(quality, 0.7, 0.3, low_quality), want)


def test_sample_balanced_counts_and_seed() -> None:
    labels = torch.tensor([1] * 6 + [0] * 20 + [-1] * 10)
    pos, neg = sample_balanced(labels, 16, 0.25, seed=0)
    assert int(pos.sum()) == 4 and int(neg.sum()) == 12
    assert bool((labels[pos] == 1).all()) and bool((labels[neg] == 0).all())
    again = sample_balanced(labels, 16, 0.25, seed=0)
    assert torch.equal(pos, again[0]) and torch.equal(neg, again[1])
