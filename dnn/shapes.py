"""Colored shapes: a synthetic image classification set, generated on the fly from a seed.

Each image is a filled circle, square or triangle (the class, in that order: 0, 1, 2) in a
random bright color, at a random position, size and rotation, on a dark random background, with
Gaussian pixel noise. Everything is a pure function of the seed, so the same call gives the same
images and the same splits on every machine, and nothing is ever downloaded. The loader follows
``dnn.data``'s rules (fixed seeded splits, stratified by class, ``{"train", "val", "test"}`` of
``Split``); the dataset card is ``datasets/cards/colored_shapes.md``.
"""

from __future__ import annotations

import numpy as np

from dnn.data import Split, _check_fractions, _stratified_indices

CLASSES = ("circle", "square", "triangle")

# Sizes are fractions of the image side: a shape's circumradius is drawn from this range.
_RADIUS_RANGE = (0.22, 0.36)
_MIN_SIZE = 8  # below this a triangle and a circle are a handful of indistinguishable pixels


def make_shapes(n: int, *, size: int = 32, noise: float = 0.05, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images and labels: x of shape (n, 3, size, size), float64 in [0, 1]; y (n,) int64.

    Labels are balanced (``i % 3`` before shuffling) and drawn with
    ``numpy.random.default_rng(seed)``, as is everything else, so ``seed`` fixes the data.
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    if size < _MIN_SIZE:
        raise ValueError(f"size must be at least {_MIN_SIZE} pixels, got {size}")
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % len(CLASSES)).astype(np.int64)
    # Pixel centres in units of the image side, (size, size) each.
    rows, cols = np.meshgrid((np.arange(size) + 0.5) / size, (np.arange(size) + 0.5) / size,
                             indexing="ij")
    x = np.empty((n, 3, size, size))
    for i, label in enumerate(y):
        radius = rng.uniform(*_RADIUS_RANGE)
        centre = rng.uniform(radius, 1.0 - radius, size=2)  # the whole shape stays inside
        angle = rng.uniform(0.0, 2.0 * np.pi)
        mask = _shape_mask(int(label), rows - centre[0], cols - centre[1], radius, angle)
        background = rng.uniform(0.0, 0.3, size=3)
        color = _bright_color(rng)
        x[i] = np.where(mask, color[:, None, None], background[:, None, None])
    x += noise * rng.standard_normal(x.shape)
    return np.clip(x, 0.0, 1.0), y


def load_shapes(
    *,
    n: int = 3000,
    size: int = 32,
    noise: float = 0.05,
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
) -> dict[str, Split]:
    """``n`` colored-shape images (see ``make_shapes``) split three ways, stratified by class.

    x is (N, 3, size, size) float64 in [0, 1], channels first; y is int64 in 0..2 (``CLASSES``).
    The images come from ``seed`` and the split from ``numpy.random.default_rng(seed + 1)``, so
    the same arguments always give the same disjoint splits covering all ``n`` images.
    """
    _check_fractions(val_fraction, test_fraction)
    x, y = make_shapes(n, size=size, noise=noise, seed=seed)
    indices = _stratified_indices(y, val_fraction, test_fraction, np.random.default_rng(seed + 1))
    return {name: Split(x[idx], y[idx]) for name, idx in indices.items()}


def _shape_mask(label: int, dr: np.ndarray, dc: np.ndarray, radius: float, angle: float
                ) -> np.ndarray:
    """Boolean (size, size) mask of the shape with circumradius ``radius``, rotated by ``angle``;
    ``dr``, ``dc`` are the pixel centres relative to the shape's centre."""
    u = np.cos(angle) * dc + np.sin(angle) * dr  # rotated coordinates
    v = -np.sin(angle) * dc + np.cos(angle) * dr
    if label == 0:
        # Radius 0.8 r gives about the square's area (0.64 pi r^2 ~ 2 r^2): area is no cue.
        return u**2 + v**2 <= (0.8 * radius) ** 2
    if label == 1:
        half = radius / np.sqrt(2.0)  # circumradius r gives half-side r / sqrt 2
        return (np.abs(u) <= half) & (np.abs(v) <= half)
    # Equilateral triangle: inside all three half-planes whose normals point to the vertices'
    # opposite sides, each at distance r / 2 from the centre.
    inside = np.ones(u.shape, dtype=bool)
    for k in range(3):
        theta = 2.0 * np.pi * k / 3.0 + np.pi / 2.0
        inside &= np.cos(theta) * u + np.sin(theta) * v >= -radius / 2.0
    return inside


def _bright_color(rng: np.random.Generator) -> np.ndarray:
    """An RGB color in [0, 1]^3 with at least one channel above 0.6, so it stands out."""
    color = rng.uniform(0.0, 1.0, size=3)
    color[rng.integers(3)] = rng.uniform(0.6, 1.0)
    return color
