"""Tests of dnn.diff_data: two moons, blobs, the sample distances and the toy denoiser."""

import pytest
import torch

from dnn.diff_data import (
    NUM_BLOB_CLASSES,
    ToyDenoiser,
    blobs,
    gaussian_baseline,
    mmd_rbf,
    nearest_centre,
    sliced_wasserstein,
    two_moons,
)


def test_moons_are_seeded_and_about_unit_scale():
    a, b = two_moons(400, seed=1), two_moons(400, seed=1)
    assert a.shape == (400, 2) and a.dtype == torch.float32 and torch.equal(a, b)
    assert not torch.equal(a, two_moons(400, seed=2))
    assert a.mean(0).abs().max() < 0.1 and (a.std(0) - 1).abs().max() < 0.15


def test_distances_are_zero_on_equal_sets_and_rank_a_gaussian_worse():
    x, y = two_moons(600, seed=0), two_moons(600, seed=1)
    assert mmd_rbf(x, x) == pytest.approx(0, abs=1e-12)
    assert sliced_wasserstein(x, x) == 0
    g = gaussian_baseline(x, 600, seed=0)
    assert mmd_rbf(y, x) < mmd_rbf(g, x) / 5
    assert sliced_wasserstein(y, x) < sliced_wasserstein(g, x) / 3
    with pytest.raises(ValueError):
        sliced_wasserstein(x, x[:10])


def test_blobs_and_their_bayes_classifier():
    x, y = blobs(3000, seed=0)
    assert x.shape == (3000, 2) and set(y.tolist()) == set(range(NUM_BLOB_CLASSES))
    acc = float((nearest_centre(x) == y).float().mean())
    assert 0.75 < acc < 0.95                      # the classes overlap


def test_toy_denoiser_is_fixed_and_uses_labels():
    a, b = ToyDenoiser(seed=3), ToyDenoiser(seed=3)
    x, t = torch.randn(5, 2), torch.arange(5)
    assert torch.equal(a(x, t), b(x, t))
    torch.testing.assert_close(a(x, t), a(x, t, torch.full((5,), 3)))
    assert not torch.allclose(a(x, t, torch.zeros(5, dtype=torch.long)), a(x, t))
