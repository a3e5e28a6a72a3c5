"""Shapes to segment: images of overlapping circles, squares and triangles with pixel masks.

A segmentation version of ``dnn.shapes``: each image holds 1 to ``max_objects`` shapes, painted
one after the other on a dark noisy background, so a later shape hides what it covers of an
earlier one (shapes overlap freely). Every image comes with

- ``semantic`` (S, S) int64: 0 background, ``1 + c`` for a pixel of class ``c`` (0 circle,
  1 square, 2 triangle, as ``dnn.shapes.CLASSES``): ``NUM_CLASSES = 4`` labels in all;
- ``instances`` (S, S) int64: 0 background, ``k`` (1, 2, ...) for the k-th shape painted
  (an instance wholly hidden by later ones leaves no pixel and is dropped, ids stay 1..K);
- ``instance_labels[i]`` (K_i,) int64: the class ``c`` in 0..2 of instance ``k`` at ``[k - 1]``.

Each class has a base hue (circle red, square green, triangle blue) that every shape of that
class jitters by ``color_jitter``, so color is a strong but not a perfect cue; shape is the rest.
Everything is a pure function of the seed; the dataset card is ``datasets/cards/seg_shapes.md``.

``load_pet_segmentation`` is the loader of a real set (Oxford-IIIT Pet trimaps via torchvision,
``download=False``): it names the missing files instead of downloading them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dnn.data import require_files
from dnn.shapes import CLASSES, _shape_mask

__all__ = ["CLASSES", "NUM_CLASSES", "SegmentationSet", "load_pet_segmentation",
           "make_seg_shapes"]

NUM_CLASSES = 1 + len(CLASSES)
_MIN_SIZE = 16
_BASE_COLORS = np.array([[0.9, 0.25, 0.2], [0.25, 0.85, 0.25], [0.25, 0.35, 0.95]])


@dataclass(frozen=True)
class SegmentationSet:
    """``images`` (N, 3, S, S) float64 in [0, 1]; ``semantic`` and ``instances`` (N, S, S)
    int64; ``instance_labels[i]`` (K_i,) int64 class of instance k of image i at [k - 1]."""

    images: np.ndarray
    semantic: np.ndarray
    instances: np.ndarray
    instance_labels: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.images)


def make_seg_shapes(
    n: int,
    *,
    size: int = 32,
    max_objects: int = 3,
    radius_range: tuple[float, float] = (0.18, 0.32),
    color_jitter: float = 0.15,
    noise: float = 0.05,
    seed: int = 0,
) -> SegmentationSet:
    """``n`` images of ``size`` x ``size`` with 1 to ``max_objects`` overlapping shapes each.

    A shape's class is uniform over the three, its circumradius uniform in ``radius_range``
    (fractions of the side), its centre uniform inside the image, its rotation uniform. All
    randomness comes from ``numpy.random.default_rng(seed)``.
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
    semantic = np.zeros((n, size, size), dtype=np.int64)
    instances = np.zeros((n, size, size), dtype=np.int64)
    labels_out: list[np.ndarray] = []
    for i in range(n):
        image = np.broadcast_to(rng.uniform(0.0, 0.25, size=3)[:, None, None],
                                (3, size, size)).copy()
        inst = np.zeros((size, size), dtype=np.int64)
        classes: list[int] = []
        for k in range(int(rng.integers(1, max_objects + 1))):
            label = int(rng.integers(len(CLASSES)))
            radius = rng.uniform(*radius_range)
            centre = rng.uniform(0.5 * radius, 1.0 - 0.5 * radius, size=2)
            angle = rng.uniform(0.0, 2.0 * np.pi)
            mask = _shape_mask(label, rows - centre[0], cols - centre[1], radius, angle)
            color = np.clip(_BASE_COLORS[label] + rng.uniform(-color_jitter, color_jitter, 3),
                            0.0, 1.0)
            image = np.where(mask, color[:, None, None], image)
            inst[mask] = k + 1
            classes.append(label)
        # renumber the visible instances 1..K in painting order
        visible = [k for k in range(1, len(classes) + 1) if (inst == k).any()]
        renum = np.zeros(len(classes) + 1, dtype=np.int64)
        renum[visible] = np.arange(1, len(visible) + 1)
        inst = renum[inst]
        cls = np.array([classes[k - 1] for k in visible], dtype=np.int64)
        instances[i] = inst
        semantic[i] = np.where(inst > 0, np.concatenate([[0], cls + 1])[inst], 0)
        images[i] = image
        labels_out.append(cls)
    images += noise * rng.standard_normal(images.shape)
    return SegmentationSet(np.clip(images, 0.0, 1.0), semantic, instances, labels_out)


PET_HOW_TO_GET = ("download images.tar.gz and annotations.tar.gz from "
                  "https://www.robots.ox.ac.uk/~vgg/data/pets/ and unpack both into "
                  "<root>/oxford-iiit-pet/")


def load_pet_segmentation(root: str | Path, split: str = "trainval", *, size: int = 64,
                          limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Oxford-IIIT Pet images and trimaps from ``root`` (torchvision's ``OxfordIIITPet``,
    ``download=False``), resized to ``size`` x ``size``: images (N, 3, size, size) float64 in
    [0, 1] (bilinear) and trimaps (N, size, size) int64 with the set's values 1 pet, 2
    background, 3 border (nearest). ``limit`` keeps the first ``limit`` examples.

    Raises FileNotFoundError naming the missing files (and how to get them) when the set is not
    under ``root``; nothing is ever downloaded.
    """
    import torchvision  # the library's loader only: submissions do not import torchvision
    from PIL import Image

    base = Path(root) / "oxford-iiit-pet"
    require_files(base, ["images", "annotations/trimaps", f"annotations/{split}.txt"],
                  dataset="oxford-iiit-pet", how_to_get=PET_HOW_TO_GET)
    data = torchvision.datasets.OxfordIIITPet(str(root), split=split,
                                              target_types="segmentation", download=False)
    count = len(data) if limit is None else min(limit, len(data))
    images = np.empty((count, 3, size, size))
    trimaps = np.empty((count, size, size), dtype=np.int64)
    for i in range(count):
        image, trimap = data[i]
        images[i] = np.asarray(image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR),
                               dtype=np.float64).transpose(2, 0, 1) / 255.0
        trimaps[i] = np.asarray(trimap.resize((size, size), Image.Resampling.NEAREST),
                                dtype=np.int64)
    return images, trimaps
