"""Data loaders for the course.

Every loader follows the same rules, so results are comparable across students and reruns:

- **No downloads, ever.** Small datasets ship with an installed package (scikit-learn's digits);
  bigger ones must already be on disk, and `require_files` says where and how to get them.
  torchvision datasets are always created with ``download=False``.
- **Fixed splits.** A loader returns ``{"train", "val", "test"}``; the split is a pure function of
  the ``seed`` argument (default 0), drawn from its own ``numpy.random.Generator`` and never from
  global random state, so the same seed gives the same split on every machine and graded tests
  can rely on it.
- **Stratified.** Each class is split in the same proportions, so small validation and test sets
  keep the class balance of the whole dataset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn import datasets as sk_datasets


@dataclass(frozen=True)
class Split:
    """One part of a dataset: inputs ``x`` and integer labels ``y``, aligned on axis 0."""

    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


def load_digits(
    *,
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    flatten: bool = True,
) -> dict[str, Split]:
    """scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes), split three ways.

    Pixels are scaled from 0..16 to [0, 1] (float64); labels are int64 in 0..9. ``x`` has shape
    (N, 64) when ``flatten`` is true, else (N, 1, 8, 8) (channels first, as PyTorch expects).
    Each class is split separately into ``test_fraction`` / ``val_fraction`` / the rest, so the
    same ``seed`` always gives the same disjoint splits covering all 1797 images.
    """
    _check_fractions(val_fraction, test_fraction)
    bunch = sk_datasets.load_digits()
    x = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    if not flatten:
        x = x.reshape(-1, 1, 8, 8)
    indices = _stratified_indices(y, val_fraction, test_fraction, np.random.default_rng(seed))
    return {name: Split(x[idx], y[idx]) for name, idx in indices.items()}


def _check_fractions(val_fraction: float, test_fraction: float) -> None:
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {value}")
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(
            f"val_fraction + test_fraction must be < 1 to leave a training set, "
            f"got {val_fraction} + {test_fraction} = {val_fraction + test_fraction}"
        )


def _stratified_indices(
    y: np.ndarray, val_fraction: float, test_fraction: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Indices of each split, drawn class by class (classes in sorted order, for determinism)."""
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = round(len(members) * test_fraction)
        n_val = round(len(members) * val_fraction)
        parts["test"].append(members[:n_test])
        parts["val"].append(members[n_test : n_test + n_val])
        parts["train"].append(members[n_test + n_val :])
    # Sorted so a split lists examples in dataset order; shuffling is the training loop's job.
    return {name: np.sort(np.concatenate(chunks)) for name, chunks in parts.items()}


def one_hot(y: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows of the identity: (N,) integer labels to (N, num_classes) float64 indicators."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be a 1-D integer array, got shape {y.shape} and dtype {y.dtype}")
    # Checked because negative labels would otherwise index from the end without error.
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels must be in [0, {num_classes}), got [{y.min()}, {y.max()}]")
    return np.eye(num_classes, dtype=np.float64)[y]


def iterate_minibatches(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    *,
    rng: np.random.Generator | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(x_batch, y_batch)`` pairs covering the data once, the last batch possibly smaller.

    In dataset order when ``rng`` is None; in a fresh permutation drawn from ``rng`` otherwise,
    so passing the same generator across epochs gives a different, reproducible order each epoch.
    """
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    order = np.arange(len(x)) if rng is None else rng.permutation(len(x))
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        yield x[idx], y[idx]


def require_files(root: Path, names: list[str], *, dataset: str, how_to_get: str) -> None:
    """Raise FileNotFoundError naming every file of ``dataset`` missing under ``root``.

    Loaders of datasets too big to bundle call this first, so a student sees which files to put
    where (and ``how_to_get`` them) instead of a stack trace from deep inside a reader.
    """
    missing = [name for name in names if not (Path(root) / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"dataset {dataset!r} is missing {', '.join(missing)} under {root}.\n"
            f"Put the files in that folder; the course never downloads data at run time.\n"
            f"How to get them: {how_to_get}"
        )
