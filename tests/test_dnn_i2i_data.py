"""Tests for dnn.i2i_data: shapes, ranges, seeding and the outline of the filled shapes."""

import torch

from dnn.i2i_data import filled_shapes, outline, paired_outlines, tiny_translator


def test_filled_shapes_range_seed_and_size() -> None:
    a = filled_shapes(50, seed=3)
    assert a.shape == (50, 1, 16, 16) and a.dtype == torch.float32
    assert set(a.unique().tolist()) <= {-1.0, 1.0}
    assert torch.equal(a, filled_shapes(50, seed=3))
    assert not torch.equal(a, filled_shapes(50, seed=4))
    ink = (a > 0).flatten(1).sum(1)
    assert ink.min() >= 16 and ink.max() < 16 * 16 * 0.6


def test_outline_is_the_boundary_of_the_shape() -> None:
    mask = -torch.ones(1, 1, 6, 6)
    mask[..., 1:5, 1:5] = 1
    edge = outline(mask)
    want = -torch.ones(1, 1, 6, 6)
    want[..., 1:5, 1:5] = 1
    want[..., 2:4, 2:4] = -1
    assert torch.equal(edge, want)
    x, y = paired_outlines(20, seed=1)
    assert ((x > 0) <= (y > 0)).all() and (x > 0).sum() < (y > 0).sum()


def test_tiny_translator_is_seeded_and_leaves_the_global_generator() -> None:
    state = torch.get_rng_state()
    a, b = tiny_translator(2, seed=5), tiny_translator(2, seed=5)
    assert torch.equal(torch.get_rng_state(), state)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert a(torch.zeros(3, 2, 7, 7)).shape == (3, 2, 7, 7)
