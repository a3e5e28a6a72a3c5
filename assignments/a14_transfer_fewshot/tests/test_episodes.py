"""Public tests of the episodic sampler (a sample of what is graded)."""

import pytest
import torch
from episodes import EpisodeSampler, episode_labels


def test_episode_counts_and_disjoint():
    labels = torch.arange(10).repeat_interleave(8)[torch.randperm(80)]
    sampler = EpisodeSampler(labels, 5, 2, 3, seed=0)
    for _ in range(10):
        s, q, c = sampler.sample()
        assert s.shape == (5, 2) and q.shape == (5, 3) and c.shape == (5,)
        assert len(set(c.tolist())) == 5
        for j in range(5):
            assert (labels[s[j]] == c[j]).all() and (labels[q[j]] == c[j]).all()
        every = torch.cat([s.flatten(), q.flatten()]).tolist()
        assert len(set(every)) == len(every), "support and query must be disjoint"


def test_same_seed_same_episodes():
    labels = torch.arange(6).repeat_interleave(5)
    a, b = EpisodeSampler(labels, 3, 1, 2, seed=4), EpisodeSampler(labels, 3, 1, 2, seed=4)
    for _ in range(3):
        for x, y in zip(a.sample(), b.sample(), strict=True):
            assert torch.equal(x, y)


def test_too_few_classes_raises():
    with pytest.raises(ValueError):
        EpisodeSampler(torch.arange(3).repeat_interleave(4), 4, 1, 1)


def test_episode_labels():
    assert episode_labels(3, 2).tolist() == [0, 0, 1, 1, 2, 2]
