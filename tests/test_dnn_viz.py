"""Tests for dnn.viz on matplotlib's non-interactive Agg backend."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.axes import Axes  # noqa: E402

from dnn.viz import confusion_matrix, plot_confusion, plot_curves  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def test_plot_curves_draws_one_labelled_line_per_key() -> None:
    history = {"train loss": [1.0, 0.5, 0.25], "val loss": [1.2, 0.7, 0.6]}
    ax = plot_curves(history, title="loss", logy=True)
    assert isinstance(ax, Axes)
    assert [line.get_label() for line in ax.get_lines()] == list(history)
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), history["val loss"])
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == list(history)
    assert ax.get_yscale() == "log" and ax.get_title() == "loss" and ax.get_xlabel() == "epoch"


def test_plot_curves_draws_on_given_axes() -> None:
    _, (left, right) = plt.subplots(1, 2)
    ax = plot_curves({"acc": [0.1, 0.9]}, ax=right, xlabel="step")
    assert ax is right
    assert len(right.get_lines()) == 1 and not left.get_lines()
    assert right.get_xlabel() == "step" and right.get_yscale() == "linear"


def test_confusion_matrix_counts() -> None:
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    expected = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, 3), expected)


def test_confusion_matrix_rejects_bad_labels() -> None:
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix(np.array([0, 3]), np.array([0, 1]), 3)
    with pytest.raises(ValueError, match="length"):
        confusion_matrix(np.array([0, 1]), np.array([0]), 3)


def test_plot_confusion_shows_matrix_with_counts() -> None:
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    ax = plot_confusion(y_true, y_pred, 3)
    assert isinstance(ax, Axes)
    (image,) = ax.get_images()
    np.testing.assert_array_equal(image.get_array(), confusion_matrix(y_true, y_pred, 3))
    assert len(ax.texts) == 9 and ax.texts[0].get_text() == "1"
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
