"""Graded: forecasting the yearly sunspot numbers (part "forecasting", 10 points)."""

import numpy as np
import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points
from dnn.sequences import chronological_windows, load_sunspots

torch.set_num_threads(1)  # tiny ops: threads only add overhead in the judge process


@part("forecasting")
@points(3)
def test_seasonal_naive(student, rng):
    """seasonal_naive predicts the value one period before the target (period 11 and 5), and
    raises ValueError for windows shorter than the period."""
    windows = rng.standard_normal((6, 14))
    got = student.forecast.seasonal_naive(windows)
    assert_close(got, windows[:, -11], rtol=0, atol=0, name="seasonal_naive (period 11)")
    got = student.forecast.seasonal_naive(windows, period=5)
    assert_close(got, windows[:, -5], rtol=0, atol=0, name="seasonal_naive (period 5)")
    with pytest.raises(StudentError) as raised:
        student.forecast.seasonal_naive(windows[:, :8])
    assert raised.value.type_name == "ValueError", (
        f"windows of 8 values with period 11 should raise ValueError, not "
        f"{raised.value.type_name}")


@part("forecasting")
@points(7)
def test_forecaster_beats_seasonal_naive(student):
    """train_forecaster with its defaults (seed 0) on 1700-1958 predicts each of the 50 test
    years 1959-2008 from the 12 years before it with a mean absolute error below 0.8 times the
    seasonal-naive baseline's (the solution: about 0.45 times)."""
    data = load_sunspots()
    full = np.concatenate([data["train"].values, data["test"].values])
    x, y = chronological_windows(full, 12)
    x_test, y_test = x[-50:], y[-50:]  # the targets stay here
    model = student.forecast.train_forecaster(data["train"].values, seed=0)
    pred = student.forecast.predict(model, x_test)
    assert isinstance(pred, np.ndarray) and pred.shape == (50,), "predict returns (N,) values"
    assert np.all(np.isfinite(pred)), "the predictions must be finite"
    mae = float(np.mean(np.abs(pred - y_test)))
    baseline = float(np.mean(np.abs(x_test[:, -11] - y_test)))
    assert mae < 0.8 * baseline, (
        f"test MAE {mae:.1f} is not below 0.8 x the seasonal-naive MAE {baseline:.1f}")
