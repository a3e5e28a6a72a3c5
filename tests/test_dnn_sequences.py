"""Tests for dnn.sequences: the adding problem, the copy task, sunspots and the text corpus."""

from __future__ import annotations

import numpy as np
import pytest

from dnn.sequences import (
    adding_problem,
    chronological_windows,
    copy_task,
    load_sunspots,
    load_text_corpus,
)


def test_adding_problem_targets_and_markers() -> None:
    x, y = adding_problem(50, 20, seed=3)
    assert x.shape == (50, 20, 2) and y.shape == (50,) and x.dtype == np.float64
    markers = x[..., 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :10].sum(axis=1) == 1)  # one marker in each half
    np.testing.assert_allclose(y, (x[..., 0] * markers).sum(axis=1))
    again, _ = adding_problem(50, 20, seed=3)
    other, _ = adding_problem(50, 20, seed=4)
    assert np.array_equal(x, again) and not np.array_equal(x, other)


def test_adding_problem_anywhere_and_errors() -> None:
    x, y = adding_problem(30, 5, seed=0, first_half=False)
    assert np.all(x[..., 1].sum(axis=1) == 2) and y.shape == (30,)
    with pytest.raises(ValueError):
        adding_problem(3, 1)


def test_copy_task_layout() -> None:
    x, y = copy_task(4, lag=6, n_symbols=5, n_copy=3, seed=1)
    assert x.shape == y.shape == (4, 12) and x.dtype == np.int64
    assert np.all(x[:, :3] < 5) and np.all(x[:, 8] == 6)  # go marker at n_copy + lag - 1
    np.testing.assert_array_equal(y[:, -3:], x[:, :3])
    assert np.all(y[:, :-3] == 5) and np.all(x[:, 3:8] == 5) and np.all(x[:, -3:] == 5)


def test_sunspots_chronological_split() -> None:
    data = load_sunspots()
    assert set(data) == {"train", "test"}
    assert len(data["train"]) == 259 and len(data["test"]) == 50
    assert data["train"].time[0] == 1700 and data["test"].time[-1] == 2008
    assert data["train"].time[-1] + 1 == data["test"].time[0]
    assert data["train"].values.dtype == np.float64 and data["train"].values.min() >= 0
    with_val = load_sunspots(test_years=30, val_years=20)
    assert [len(with_val[k]) for k in ("train", "val", "test")] == [259, 20, 30]


def test_text_corpus_is_deterministic_english() -> None:
    corpus = load_text_corpus()
    assert set(corpus) == {"train", "val", "test"}
    total = sum(len(t) for t in corpus.values())
    assert total > 300_000 and abs(len(corpus["val"]) - 0.1 * total) <= 1
    assert " the " in corpus["train"] and corpus == load_text_corpus()


def test_chronological_windows() -> None:
    x, y = chronological_windows(np.arange(6.0), 4)
    np.testing.assert_array_equal(x, [[0, 1, 2, 3], [1, 2, 3, 4]])
    np.testing.assert_array_equal(y, [4, 5])
    with pytest.raises(ValueError):
        chronological_windows(np.arange(3.0), 3)
