"""Numeric gradients by central differences, and the relative error used to compare them.

Central differences have O(eps^2) truncation error, so in float64 with ``eps=1e-6`` a correct
analytic gradient of a smooth function agrees to a relative error around 1e-8 or better; above
1e-7 something is usually wrong (CS231n's rule of thumb, which ``check_gradient`` defaults to).
Near kinks (ReLU at 0, max pooling ties) larger errors can be legitimate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Keeps 0/0 at 0 without changing any other ratio: |a - b| <= 2 max(|a|, |b|) so no overflow.
_DENOMINATOR_FLOOR = np.finfo(np.float64).tiny


def numeric_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, *, eps: float = 1e-6
) -> np.ndarray:
    """Gradient of the scalar function ``f`` at ``x`` by central differences, in float64.

    ``f`` is called 2 * x.size times on a float64 copy of ``x`` with one element moved by
    +-eps (and restored afterwards); ``x`` itself is never modified, and ``f`` must not modify
    its argument either.
    """
    point = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(point)
    for idx in np.ndindex(point.shape):
        original = point[idx]
        point[idx] = original + eps
        f_plus = float(f(point))
        point[idx] = original - eps
        f_minus = float(f(point))
        point[idx] = original
        grad[idx] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def numeric_jacobian_vector(
    f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    upstream: np.ndarray,
    *,
    eps: float = 1e-6,
) -> np.ndarray:
    """Numeric gradient of ``sum(f(x) * upstream)`` with respect to ``x``.

    This is what a layer's backward pass returns for the upstream gradient ``upstream`` (same
    shape as ``f(x)``), i.e. the vector-Jacobian product, so it checks backward passes directly.
    """
    weights = np.asarray(upstream, dtype=np.float64)

    def weighted_sum(z: np.ndarray) -> float:
        out = np.asarray(f(z), dtype=np.float64)
        # Broadcasting would silently check the wrong product, so shapes must match exactly.
        if out.shape != weights.shape:
            raise ValueError(f"f(x) has shape {out.shape} but upstream has {weights.shape}")
        return float(np.sum(out * weights))

    return numeric_gradient(weighted_sum, x, eps=eps)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Max over elements of |a - b| / max(|a|, |b|) (CS231n); 0 for two zeros or empty arrays."""
    errors = _elementwise_relative_error(a, b)
    return float(errors.max()) if errors.size else 0.0


def check_gradient(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic: np.ndarray,
    *,
    eps: float = 1e-6,
    tol: float = 1e-7,
) -> float:
    """Compare ``analytic`` with the numeric gradient of ``f`` at ``x``; return the relative error.

    Raises AssertionError naming the error, the worst element's index and both values there
    when the relative error exceeds ``tol`` (or is NaN).
    """
    numeric = numeric_gradient(f, x, eps=eps)
    errors = _elementwise_relative_error(analytic, numeric)
    error = float(errors.max()) if errors.size else 0.0
    if not error <= tol:  # also true for NaN
        # argmax returns the first NaN when there is one, so NaNs are reported first.
        worst = np.unravel_index(int(np.argmax(errors)), errors.shape)
        raise AssertionError(
            f"gradient check failed: relative error {error:.3e} > tol {tol:.1e}; "
            f"worst at index {tuple(int(i) for i in worst)}: "
            f"analytic {np.asarray(analytic, dtype=np.float64)[worst]:.6e}, "
            f"numeric {numeric[worst]:.6e}"
        )
    return error


def _elementwise_relative_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    denominator = np.maximum(np.maximum(np.abs(a), np.abs(b)), _DENOMINATOR_FLOOR)
    return np.abs(a - b) / denominator
