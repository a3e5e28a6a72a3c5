"""Tests of dnn.gen_data: the ring mixture, its quality measure and the fixed networks."""

import math

import pytest
import torch

from dnn.gen_data import conv_critic, feature_net, gaussian_mixture_2d, mode_quality, ring_centres


def test_ring_mixture_is_seeded_and_on_the_ring():
    x, y = gaussian_mixture_2d(4000, std=0.05, seed=3)
    x2, y2 = gaussian_mixture_2d(4000, std=0.05, seed=3)
    assert torch.equal(x, x2) and torch.equal(y, y2) and x.dtype == torch.float32
    assert not torch.equal(x, gaussian_mixture_2d(4000, std=0.05, seed=4)[0])
    centres = ring_centres()
    assert torch.allclose(centres.norm(dim=1), torch.full((8,), 2.0, dtype=torch.float64))
    assert torch.allclose(centres[2], torch.tensor([0.0, 2.0], dtype=torch.float64), atol=1e-12)
    assert (x.double() - centres[y]).std().item() == pytest.approx(0.05, rel=0.05)
    assert torch.bincount(y, minlength=8).min() > 400
    with pytest.raises(ValueError):
        gaussian_mixture_2d(10, std=0.0)


def test_mode_quality():
    x, _ = gaussian_mixture_2d(800, std=0.1, seed=0)
    within = pytest.approx(1 - math.exp(-4.5), abs=0.01)  # 2-D: P(|eps| <= 3) = 1 - e^-4.5
    assert mode_quality(x, ring_centres(), 0.1, min_count=20) == (8, within)
    one_mode = ring_centres()[[0]].float().expand(50, 2)
    assert mode_quality(one_mode, ring_centres(), 0.1) == (1, 1.0)
    far = torch.full((10, 2), 10.0)
    assert mode_quality(far, ring_centres(), 0.1) == (0, 0.0)


def test_fixed_networks():
    a, b = feature_net(1, seed=0), feature_net(1, seed=0)
    x = torch.rand(2, 1, 8, 8)
    assert torch.equal(a(x), b(x)) and a(x).shape == (2, 32, 4, 4)
    assert not torch.equal(a(x), feature_net(1, seed=1)(x))
    assert all(not p.requires_grad for p in a.parameters()) and not a.training
    bound = math.sqrt(6.0 / 9)
    assert a[0].weight.abs().max() <= bound
    state = torch.random.get_rng_state()
    c = conv_critic(3, 6, seed=1)
    assert torch.equal(state, torch.random.get_rng_state()), "the global RNG is left alone"
    assert c(torch.rand(4, 3, 6, 6)).shape == (4, 1)
    assert torch.equal(c[0].weight, conv_critic(3, 6, seed=1)[0].weight)
