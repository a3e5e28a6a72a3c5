"""Sequence data for the course: synthetic long-range tasks and two small real series/texts.

Same rules as ``dnn.data``: nothing is downloaded, and every random draw comes from a
``numpy.random.Generator`` seeded by the ``seed`` argument, never from global state.

- ``adding_problem`` and ``copy_task``: the classic long-range memory benchmarks
  (Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016), as float64/int64 arrays.
- ``load_sunspots``: yearly mean sunspot numbers 1700-2008, shipped with statsmodels.
- ``load_text_corpus``: the English text of the Python reference documentation, shipped with
  CPython's standard library (``pydoc_data.topics``).
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def adding_problem(
    n: int, length: int, *, seed: int = 0, first_half: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem: sum the two values marked in a long sequence.

    Each sequence has ``length`` steps of two features: a value drawn from U(0, 1) and a marker
    that is 1 at exactly two steps and 0 elsewhere. The target is the sum of the two marked
    values. With ``first_half`` (the usual variant) one marker lies in the first half of the
    sequence and the other in the second half, so the network must remember a value over
    about ``length / 2`` steps. Predicting the constant 1 gives a mean squared error of 1/6.

    Returns:
        x: (n, length, 2) float64; y: (n,) float64.
    """
    if length < 2 or n < 1:
        raise ValueError(f"need n >= 1 and length >= 2, got n={n}, length={length}")
    rng = np.random.default_rng(seed)
    values = rng.random((n, length))
    markers = np.zeros((n, length))
    rows = np.arange(n)
    if first_half:
        half = length // 2
        first = rng.integers(0, half, size=n)
        second = rng.integers(half, length, size=n)
    else:
        pairs = np.array([rng.choice(length, size=2, replace=False) for _ in range(n)])
        first, second = pairs[:, 0], pairs[:, 1]
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = values[rows, first] + values[rows, second]
    return x, y


def copy_task(
    n: int, lag: int, *, n_symbols: int = 8, n_copy: int = 10, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The copy task: reproduce ``n_copy`` symbols after ``lag`` blank steps.

    Tokens: ``0..n_symbols-1`` are data symbols, ``n_symbols`` is the blank and
    ``n_symbols + 1`` the "go" marker. An input is ``n_copy`` random symbols, ``lag - 1``
    blanks, the go marker, then ``n_copy`` blanks (length ``2 n_copy + lag``). The target is
    blanks everywhere except the last ``n_copy`` steps, which repeat the first ``n_copy``
    input symbols. Guessing blanks and then uniform symbols gives a cross-entropy of
    ``n_copy log(n_symbols) / (2 n_copy + lag)`` nats per step.

    Returns:
        x, y: (n, 2 n_copy + lag) int64 token ids.
    """
    if lag < 1 or n_copy < 1 or n_symbols < 2:
        raise ValueError(f"need lag >= 1, n_copy >= 1, n_symbols >= 2; got {lag}, {n_copy}, "
                         f"{n_symbols}")
    rng = np.random.default_rng(seed)
    blank, go = n_symbols, n_symbols + 1
    length = 2 * n_copy + lag
    data = rng.integers(0, n_symbols, size=(n, n_copy))
    x = np.full((n, length), blank, dtype=np.int64)
    y = np.full((n, length), blank, dtype=np.int64)
    x[:, :n_copy] = data
    x[:, n_copy + lag - 1] = go
    y[:, -n_copy:] = data
    return x, y


@dataclass(frozen=True)
class Series:
    """A univariate time series: ``values[i]`` was observed at ``time[i]``."""

    time: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.values)


def _package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the package {name!r} is not installed; the course's "
                                f"environment includes it (pip install {name})")
    return Path(next(iter(spec.submodule_search_locations)))


def load_sunspots(*, test_years: int = 50, val_years: int = 0) -> dict[str, Series]:
    """Yearly mean sunspot numbers, 1700-2008 (309 values), shipped with statsmodels.

    Split chronologically, never shuffled: the last ``test_years`` years are ``test``, the
    ``val_years`` before them ``val`` (omitted when 0), and the rest ``train``. With the
    defaults: train 1700-1958 (259 years), test 1959-2008 (50 years). Values are float64 in
    their original units (0 to about 190); ``time`` holds the years as int64.
    """
    path = _package_dir("statsmodels") / "datasets" / "sunspots" / "sunspots.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    years = np.array([int(float(r["YEAR"])) for r in rows], dtype=np.int64)
    values = np.array([float(r["SUNACTIVITY"]) for r in rows], dtype=np.float64)
    if test_years < 1 or val_years < 0 or test_years + val_years >= len(values):
        raise ValueError(f"bad split: test_years={test_years}, val_years={val_years} of "
                         f"{len(values)} years")
    n_train = len(values) - test_years - val_years
    bounds = {"train": (0, n_train), "val": (n_train, n_train + val_years),
              "test": (n_train + val_years, len(values))}
    return {name: Series(years[a:b], values[a:b]) for name, (a, b) in bounds.items()
            if b > a}


def load_text_corpus(*, val_fraction: float = 0.1, test_fraction: float = 0.1
                     ) -> dict[str, str]:
    """The Python reference documentation as plain English text (about 465,000 characters).

    CPython ships it as ``pydoc_data.topics.topics`` (what ``help("if")`` prints). The topics
    are joined in sorted key order, separated by blank lines, and the text is cut into three
    contiguous pieces: the first ``1 - val_fraction - test_fraction`` is ``train``, then
    ``val``, then ``test``. Deterministic: no seed is needed.
    """
    from pydoc_data.topics import topics

    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1
            and val_fraction + test_fraction < 1):
        raise ValueError(f"bad fractions: val {val_fraction}, test {test_fraction}")
    text = "\n\n".join(topics[key].strip() for key in sorted(topics))
    n_test, n_val = round(len(text) * test_fraction), round(len(text) * val_fraction)
    n_train = len(text) - n_val - n_test
    return {"train": text[:n_train], "val": text[n_train:n_train + n_val],
            "test": text[n_train + n_val:]}


def chronological_windows(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run of ``window`` consecutive values and the value that follows it.

    Returns:
        x: (len(values) - window, window); y: (len(values) - window,), with
        ``x[i] = values[i : i + window]`` and ``y[i] = values[i + window]``.
    """
    values = np.asarray(values, dtype=np.float64)
    if not 1 <= window < len(values):
        raise ValueError(f"window must be in [1, {len(values)}), got {window}")
    x = np.lib.stride_tricks.sliding_window_view(values, window)[:-1].copy()
    return x, values[window:].copy()
