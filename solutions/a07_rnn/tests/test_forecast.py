"""Seasonal-naive baseline and a short forecaster run on the sunspots."""

import numpy as np
import torch
from forecast import mean_absolute_error, predict, seasonal_naive, train_forecaster

from dnn.sequences import chronological_windows, load_sunspots

torch.set_num_threads(1)  # these small ops only lose time to threads on a busy CPU


def test_seasonal_naive_repeats_the_last_cycle() -> None:
    windows = np.arange(24.0).reshape(2, 12)
    np.testing.assert_array_equal(seasonal_naive(windows), [1.0, 13.0])


def test_forecaster_fits_the_training_years() -> None:
    train = load_sunspots()["train"].values
    model = train_forecaster(train, steps=60, seed=0)
    x, y = chronological_windows(train, 12)
    pred = predict(model, x)
    assert pred.shape == y.shape and pred.dtype == np.float64
    assert mean_absolute_error(pred, y) < mean_absolute_error(seasonal_naive(x), y)
