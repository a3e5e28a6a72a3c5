"""Shapes to detect: images with several circles, squares and triangles and their boxes.

A detection version of ``dnn.shapes``: each image holds 1 to ``max_objects`` shapes of the three
classes (0 circle, 1 square, 2 triangle, as ``dnn.shapes.CLASSES``), each in its own bright
color at a random position, size and rotation, on a dark random background with Gaussian pixel
noise. Every shape comes with its tight bounding box in pixel coordinates ``(x1, y1, x2, y2)``:
the pixels it covers are columns ``x1 .. x2 - 1`` and rows ``y1 .. y2 - 1``, so ``x2 - x1`` is
its width in pixels (no "+1" convention). Boxes of one image overlap with an IoU of at most
``max_iou``, so every shape stays visible. Everything is a pure function of the seed; the dataset
card is ``datasets/cards/detection_shapes.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dnn.shapes import CLASSES, _bright_color, _shape_mask

__all__ = ["CLASSES", "DetectionSet", "make_detection_shapes"]

_MIN_SIZE = 16
_PLACEMENT_TRIES = 30  # a shape that cannot be placed without overlap after this many is dropped


@dataclass(frozen=True)
class DetectionSet:
    """Images and their targets: ``images`` (N, 3, S, S) float64 in [0, 1]; ``boxes[i]``
    (K_i, 4) float64 xyxy pixels; ``labels[i]`` (K_i,) int64 in 0..2."""

    images: np.ndarray
    boxes: list[np.ndarray]
    labels: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.images)


def make_detection_shapes(
    n: int,
    *,
    size: int = 32,
    max_objects: int = 3,
    radius_range: tuple[float, float] = (0.2, 0.3),
    max_iou: float = 0.1,
    noise: float = 0.05,
    seed: int = 0,
) -> DetectionSet:
    """``n`` images of ``size`` x ``size`` with 1 to ``max_objects`` shapes each, and their boxes.

    A shape's circumradius is uniform in ``radius_range`` (fractions of the side); its class is
    uniform over the three. All randomness comes from ``numpy.random.default_rng(seed)``.
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    if size < _MIN_SIZE:
        raise ValueError(f"size must be at least {_MIN_SIZE} pixels, got {size}")
    if max_objects < 1:
        raise ValueError(f"max_objects must be at least 1, got {max_objects}")
    rng = np.random.default_rng(seed)
    rows, cols = np.meshgrid((np.arange(size) + 0.5) / size, (np.arange(size) + 0.5) / size,
                             indexing="ij")
    images = np.empty((n, 3, size, size))
    all_boxes, all_labels = [], []
    for i in range(n):
        image = np.broadcast_to(rng.uniform(0.0, 0.3, size=3)[:, None, None],
                                (3, size, size)).copy()
        boxes: list[np.ndarray] = []
        labels: list[int] = []
        for _ in range(int(rng.integers(1, max_objects + 1))):
            placed = _place_shape(rng, rows, cols, radius_range, boxes, max_iou)
            if placed is None:
                continue
            label, mask, box = placed
            image = np.where(mask, _bright_color(rng)[:, None, None], image)
            boxes.append(box)
            labels.append(label)
        images[i] = image
        all_boxes.append(np.array(boxes, dtype=np.float64).reshape(-1, 4))
        all_labels.append(np.array(labels, dtype=np.int64))
    images += noise * rng.standard_normal(images.shape)
    return DetectionSet(np.clip(images, 0.0, 1.0), all_boxes, all_labels)


def _place_shape(rng: np.random.Generator, rows: np.ndarray, cols: np.ndarray,
                 radius_range: tuple[float, float], boxes: list[np.ndarray], max_iou: float
                 ) -> tuple[int, np.ndarray, np.ndarray] | None:
    """A random shape (label, pixel mask, xyxy box) overlapping no box in ``boxes`` by more than
    ``max_iou``, or None when none was found in ``_PLACEMENT_TRIES`` draws."""
    label = int(rng.integers(len(CLASSES)))
    for _ in range(_PLACEMENT_TRIES):
        radius = rng.uniform(*radius_range)
        centre = rng.uniform(radius, 1.0 - radius, size=2)
        angle = rng.uniform(0.0, 2.0 * np.pi)
        mask = _shape_mask(label, rows - centre[0], cols - centre[1], radius, angle)
        if not mask.any():
            continue
        ys, xs = np.nonzero(mask)
        box = np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)
        if all(_iou(box, other) <= max_iou for other in boxes):
            return label, mask, box
    return None


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two xyxy boxes (areas without "+1")."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)
