"""Plots a person would rather look at than read: training curves and confusion matrices.

matplotlib is imported inside the functions so that importing ``dnn`` stays fast for graders. When
no backend has been chosen (no ``MPLBACKEND``, no ``matplotlib.use``, no matplotlibrc entry), the
non-interactive "Agg" backend is selected, so plotting works in headless tests and graders; in a
notebook the kernel has already chosen its inline backend, which is left alone. To get windows
from a plain script, set ``MPLBACKEND`` (e.g. ``MPLBACKEND=QtAgg``) before running it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Above this many classes the per-cell counts would be unreadable, so they are not drawn.
_MAX_ANNOTATED_CLASSES = 20


def plot_curves(
    history: Mapping[str, Sequence[float]],
    *,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str = "epoch",
    logy: bool = False,
) -> Axes:
    """One line per key of ``history`` (e.g. "train loss", "val loss"), x counted from 1, legend.

    Draws on ``ax`` when given, else on a new figure; returns the Axes drawn on.
    """
    if ax is None:
        _, ax = _pyplot().subplots()
    for name, values in history.items():
        ax.plot(np.arange(1, len(values) + 1), np.asarray(values, dtype=np.float64), label=name)
    ax.set_xlabel(xlabel)
    if logy:
        ax.set_yscale("log")
    if title is not None:
        ax.set_title(title)
    if history:
        ax.legend()
    return ax


def plot_confusion(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int, *, ax: Axes | None = None
) -> Axes:
    """Confusion matrix as an image: row = true class, column = predicted class, cell = count."""
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    if ax is None:
        _, ax = _pyplot().subplots()
    ax.imshow(matrix, cmap="Blues")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_xticks(range(num_classes))
    ax.set_yticks(range(num_classes))
    if num_classes <= _MAX_ANNOTATED_CLASSES:
        threshold = matrix.max() / 2  # white text on dark cells
        for (row, col), count in np.ndenumerate(matrix):
            color = "white" if count > threshold else "black"
            ax.text(col, row, str(count), ha="center", va="center", color=color, fontsize=8)
    return ax


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) int64 counts; entry [i, j] counts true class i predicted as j."""
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {y_true.size} vs {y_pred.size}")
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(f"{name} has labels outside [0, {num_classes})")
    flat = y_true.astype(np.int64) * num_classes + y_pred.astype(np.int64)
    return np.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def _pyplot() -> ModuleType:
    import matplotlib

    if matplotlib.get_backend(auto_select=False) is None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
