"""Tests for dnn.shapes: the colored-shapes generator and its seeded, stratified splits."""

from __future__ import annotations

import numpy as np
import pytest

from dnn.data import Split
from dnn.shapes import CLASSES, load_shapes, make_shapes


def test_make_shapes_shapes_dtypes_ranges_and_balance() -> None:
    x, y = make_shapes(30, size=12, seed=1)
    assert x.shape == (30, 3, 12, 12) and x.dtype == np.float64
    assert y.shape == (30,) and y.dtype == np.int64
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert np.bincount(y, minlength=len(CLASSES)).tolist() == [10, 10, 10]


def test_make_shapes_is_a_function_of_the_seed() -> None:
    a, b, c = (make_shapes(12, size=10, seed=s) for s in (5, 5, 6))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])


def test_shapes_have_plausible_areas() -> None:
    """Noise-free images: the shape is the bright pixels, and triangles are the smallest."""
    x, y = make_shapes(90, size=32, noise=0.0, seed=2)
    area = (x.max(axis=1) >= 0.6).mean(axis=(1, 2))  # fraction of the image
    assert area.min() > 0.05 and area.max() < 0.45
    mean_area = [area[y == k].mean() for k in range(3)]
    assert mean_area[2] < mean_area[0] and mean_area[2] < mean_area[1]


def test_load_shapes_splits_are_stratified_disjoint_and_fixed() -> None:
    splits = load_shapes(n=300, size=8, seed=0)
    assert set(splits) == {"train", "val", "test"}
    assert all(isinstance(s, Split) for s in splits.values())
    assert [len(splits[k]) for k in ("train", "val", "test")] == [210, 45, 45]
    for split in splits.values():
        assert np.bincount(split.y).tolist() == [len(split) // 3] * 3
    rows = [{r.tobytes() for r in splits[k].x.reshape(len(splits[k]), -1)} for k in splits]
    assert sum(len(r) for r in rows) == 300 and not (rows[0] & rows[1] or rows[0] & rows[2])
    again = load_shapes(n=300, size=8, seed=0)
    for name in splits:
        np.testing.assert_array_equal(splits[name].x, again[name].x)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="size"):
        make_shapes(3, size=4)
    with pytest.raises(ValueError, match="n must"):
        make_shapes(-1)
    with pytest.raises(ValueError, match="val_fraction"):
        load_shapes(n=30, size=8, val_fraction=0.6, test_fraction=0.5)
