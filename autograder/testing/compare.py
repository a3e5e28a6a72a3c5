"""`assert_close`: numeric comparison whose failure message says how far off and where."""

from __future__ import annotations

from typing import Any

import numpy as np


def _as_numeric_array(value: Any, name: str) -> np.ndarray:
    """Plain numbers, arrays, tensors and (nested) lists of numbers; anything else fails."""
    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu()
        if str(value.dtype) == "torch.bfloat16":
            value = value.float()
        value = value.numpy()
    if type(value) not in (np.ndarray, int, float, bool, list, tuple) and not isinstance(
            value, np.number | np.bool_):
        what = repr(value) if type(value).__name__ == "Handle" else f"a {type(value).__name__}"
        raise AssertionError(f"{name} should be an array of numbers, got {what}")
    array = np.asarray(value)
    if array.dtype.kind not in "biufc":
        raise AssertionError(f"{name} should be an array of numbers, got dtype {array.dtype}")
    return array


def assert_close(got: Any, want: Any, *, rtol: float = 1e-7, atol: float = 0.0,
                 name: str = "result") -> None:
    """Fail unless `got` has `want`'s shape and |got - want| <= atol + rtol * |want| everywhere.

    NaN matches only NaN. The message gives the worst absolute and relative errors and the index
    of the worst entry, never the expected values themselves.
    """
    g = _as_numeric_array(got, name)
    w = _as_numeric_array(want, "the expected value")
    if g.shape != w.shape:
        raise AssertionError(f"{name} has shape {g.shape}, expected shape {w.shape}")
    if g.size == 0:
        return
    g64 = g.astype(np.complex128 if g.dtype.kind == "c" else np.float64)
    w64 = w.astype(np.complex128 if w.dtype.kind == "c" else np.float64)
    nan_mismatch = np.isnan(g64) != np.isnan(w64)
    err = np.where(np.isnan(g64) & np.isnan(w64), 0.0, np.abs(g64 - w64))
    err = np.where(nan_mismatch, np.inf, err)
    err = np.nan_to_num(err, nan=np.inf)
    bad = err > atol + rtol * np.abs(np.nan_to_num(w64))
    if not bad.any():
        return
    worst = np.unravel_index(int(np.argmax(np.where(bad, err, -1.0))), err.shape)
    rel = err / np.maximum(np.abs(np.nan_to_num(w64)), 1e-300)
    where = f" at index {tuple(int(i) for i in worst)}" if g.ndim else ""
    nan_note = f"; {int(nan_mismatch.sum())} entries are NaN where they should not be" \
        if nan_mismatch.any() else ""
    raise AssertionError(
        f"{name} is not close enough: {int(bad.sum())} of {g.size} entries differ; worst "
        f"absolute error {float(err[worst]):.3g}{where} (relative {float(rel[worst]):.3g}); "
        f"allowed rtol={rtol:g}, atol={atol:g}{nan_note}")
