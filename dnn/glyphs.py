"""Glyphs: a synthetic image set with many classes, the course's "ImageNet" for pretraining.

Each class is a fixed glyph of three straight strokes (an "alphabet" drawn once from a fixed
seed, the same on every machine and every call). An image is one glyph, randomly rotated,
scaled and shifted, drawn with a random stroke width in a bright random color on a dark random
background, with Gaussian pixel noise. Strokes on a dark background are what handwritten digits
look like too, which is why a network pretrained on glyphs transfers to digits (a04_pretrained).
The dataset card is ``datasets/cards/glyphs.md``; the loader follows ``dnn.data``'s rules.
"""

from __future__ import annotations

import numpy as np

from dnn.data import Split, _check_fractions, _stratified_indices

MAX_CLASSES = 100
STROKES = 3
_ALPHABET_SEED = 20261202  # fixes the glyph of every class, independently of the data seed


def alphabet(num_classes: int = 64) -> np.ndarray:
    """The strokes of the first ``num_classes`` glyphs: (num_classes, STROKES, 2, 2), the two
    end points (row, col) of every stroke in units of the image side, inside [0.15, 0.85]."""
    if not 1 <= num_classes <= MAX_CLASSES:
        raise ValueError(f"num_classes must be in 1..{MAX_CLASSES}, got {num_classes}")
    rng = np.random.default_rng(_ALPHABET_SEED)
    return rng.uniform(0.15, 0.85, size=(MAX_CLASSES, STROKES, 2, 2))[:num_classes]


def make_glyphs(n: int, *, num_classes: int = 64, size: int = 32, noise: float = 0.05,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images and labels: x (n, 3, size, size) float32 in [0, 1]; y (n,) int64.

    Labels are balanced (``i % num_classes`` before shuffling); everything random comes from
    ``numpy.random.default_rng(seed)``.
    """
    if n < 0 or size < 8 or noise < 0:
        raise ValueError(f"need n >= 0, size >= 8, noise >= 0; got {n}, {size}, {noise}")
    strokes = alphabet(num_classes)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % num_classes).astype(np.int64)
    angle = rng.uniform(-0.35, 0.35, n)
    scale = rng.uniform(0.8, 1.1, n)
    shift = rng.uniform(-0.08, 0.08, (n, 2))
    width = rng.uniform(0.035, 0.06, n)
    color = rng.uniform(0.6, 1.0, (n, 3)) * rng.choice([0.5, 1.0], (n, 3))
    background = rng.uniform(0.0, 0.25, (n, 3))
    centre = (np.arange(size) + 0.5) / size - 0.5
    rows, cols = np.meshgrid(centre, centre, indexing="ij")
    x = np.empty((n, 3, size, size), dtype=np.float32)
    for start in range(0, n, 512):  # chunks keep the (chunk, S, S, STROKES) distances small
        idx = np.arange(start, min(n, start + 512))
        mask = _render(strokes[y[idx]], rows, cols, angle[idx], scale[idx], shift[idx],
                       width[idx])
        x[idx] = np.where(mask[:, None], color[idx, :, None, None],
                          background[idx, :, None, None])
    x += noise * rng.standard_normal(x.shape).astype(np.float32)
    return np.clip(x, 0.0, 1.0), y


def _render(strokes: np.ndarray, rows: np.ndarray, cols: np.ndarray, angle: np.ndarray,
            scale: np.ndarray, shift: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Boolean (B, S, S) masks: pixels within ``width`` of a stroke of the transformed glyph.

    The pixel centres (relative to the image centre) are mapped back into glyph coordinates by
    the inverse of "rotate by angle, scale, shift", so the strokes stay exact line segments.
    """
    cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    r = rows[None] - shift[:, 0, None, None]
    c = cols[None] - shift[:, 1, None, None]
    gr = (cos * r + sin * c) / scale[:, None, None] + 0.5  # (B, S, S) glyph coordinates
    gc = (-sin * r + cos * c) / scale[:, None, None] + 0.5
    p = np.stack([gr, gc], axis=-1)[:, :, :, None, :]  # (B, S, S, 1, 2)
    a = strokes[:, None, None, :, 0, :]  # (B, 1, 1, STROKES, 2)
    d = strokes[:, None, None, :, 1, :] - a
    t = np.clip(((p - a) * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-12), 0.0, 1.0)
    dist = np.linalg.norm(p - a - t[..., None] * d, axis=-1)  # (B, S, S, STROKES)
    return dist.min(-1) * scale[:, None, None] <= width[:, None, None]


def load_glyphs(*, n: int = 12800, num_classes: int = 64, size: int = 32, noise: float = 0.05,
                seed: int = 0, val_fraction: float = 0.1, test_fraction: float = 0.1
                ) -> dict[str, Split]:
    """``n`` glyph images split three ways, stratified by class: ``{"train", "val", "test"}``.

    Images come from ``seed``, the split from ``numpy.random.default_rng(seed + 1)``.
    """
    _check_fractions(val_fraction, test_fraction)
    x, y = make_glyphs(n, num_classes=num_classes, size=size, noise=noise, seed=seed)
    indices = _stratified_indices(y, val_fraction, test_fraction, np.random.default_rng(seed + 1))
    return {name: Split(x[idx], y[idx]) for name, idx in indices.items()}
