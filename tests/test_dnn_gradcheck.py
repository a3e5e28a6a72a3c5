"""Tests for dnn.gradcheck against functions whose gradients are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from dnn.gradcheck import (
    check_gradient,
    numeric_gradient,
    numeric_jacobian_vector,
    relative_error,
)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def test_numeric_gradient_of_sum_sin(rng: np.random.Generator) -> None:
    x = rng.standard_normal((3, 4))
    numeric = numeric_gradient(lambda z: float(np.sin(z).sum()), x)
    assert numeric.shape == x.shape and numeric.dtype == np.float64
    assert relative_error(numeric, np.cos(x)) < 1e-8


def test_numeric_gradient_of_quadratic_form(rng: np.random.Generator) -> None:
    a = rng.standard_normal((5, 5))
    x = rng.standard_normal(5)
    numeric = numeric_gradient(lambda z: float(z @ a @ z), x)
    assert relative_error(numeric, (a + a.T) @ x) < 1e-8


def test_numeric_gradient_leaves_input_untouched_and_works_in_float64(
    rng: np.random.Generator,
) -> None:
    x = rng.standard_normal(6).astype(np.float32)
    before = x.copy()
    seen: list[np.dtype] = []

    def f(z: np.ndarray) -> float:
        seen.append(z.dtype)
        return float(np.sum(z**2))

    numeric = numeric_gradient(f, x)
    np.testing.assert_array_equal(x, before)
    assert set(seen) == {np.dtype(np.float64)} and len(seen) == 2 * x.size
    assert relative_error(numeric, 2 * x.astype(np.float64)) < 1e-8


def test_numeric_jacobian_vector_matches_layer_backward(rng: np.random.Generator) -> None:
    w = rng.standard_normal((4, 3))
    x = rng.standard_normal((2, 4))
    upstream = rng.standard_normal((2, 3))
    # Backward of y = tanh(x @ w) with respect to x is ((1 - y^2) * upstream) @ w.T.
    y = np.tanh(x @ w)
    analytic = ((1 - y**2) * upstream) @ w.T
    numeric = numeric_jacobian_vector(lambda z: np.tanh(z @ w), x, upstream)
    assert relative_error(numeric, analytic) < 1e-8


def test_numeric_jacobian_vector_rejects_mismatched_upstream(rng: np.random.Generator) -> None:
    with pytest.raises(ValueError, match="shape"):
        numeric_jacobian_vector(lambda z: z.sum(axis=0), rng.standard_normal((2, 3)), np.ones(2))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0.0, 0.0], [0.0, 0.0], 0.0),
        ([1.0, 2.0], [1.0, 2.0], 0.0),
        ([1.0], [0.0], 1.0),
        ([1.0], [-1.0], 2.0),
        ([2.0, 10.0], [1.0, 10.0], 0.5),
        ([1e-20], [2e-20], 0.5),
    ],
)
def test_relative_error_values(a: list[float], b: list[float], expected: float) -> None:
    assert relative_error(np.array(a), np.array(b)) == pytest.approx(expected)


def test_relative_error_is_symmetric_and_scale_invariant(rng: np.random.Generator) -> None:
    a, b = rng.standard_normal(10), rng.standard_normal(10)
    assert relative_error(a, b) == relative_error(b, a)
    assert relative_error(1e6 * a, 1e6 * b) == pytest.approx(relative_error(a, b))


def test_relative_error_edge_cases() -> None:
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0
    assert np.isnan(relative_error(np.array([np.nan]), np.array([1.0])))
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(3), np.zeros(4))


def test_check_gradient_accepts_correct_gradient(rng: np.random.Generator) -> None:
    x = rng.standard_normal((2, 3))
    error = check_gradient(lambda z: float(np.sum(np.exp(z))), x, np.exp(x))
    assert 0.0 <= error < 1e-7


def test_check_gradient_reports_worst_element_of_wrong_gradient(
    rng: np.random.Generator,
) -> None:
    x = rng.standard_normal((2, 3))
    wrong = 2 * x
    wrong[1, 2] *= 1.5
    with pytest.raises(AssertionError, match=r"relative error .*index \(1, 2\)"):
        check_gradient(lambda z: float(np.sum(z**2)), x, wrong)


def test_check_gradient_fails_on_nan(rng: np.random.Generator) -> None:
    x = rng.standard_normal(3)
    analytic = 2 * x
    analytic[0] = np.nan
    with pytest.raises(AssertionError, match=r"index \(0,\)"):
        check_gradient(lambda z: float(np.sum(z**2)), x, analytic)


def test_check_gradient_respects_tolerance(rng: np.random.Generator) -> None:
    x = rng.standard_normal(4)
    slightly_off = 2 * x * (1 + 1e-5)
    with pytest.raises(AssertionError):
        check_gradient(lambda z: float(np.sum(z**2)), x, slightly_off)
    assert check_gradient(lambda z: float(np.sum(z**2)), x, slightly_off, tol=1e-4) < 1e-4
