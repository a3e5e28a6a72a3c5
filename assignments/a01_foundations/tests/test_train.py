"""A short training run on a subset of digits, and the prediction helpers."""

import numpy as np
from train import accuracy, predict, train_classifier

from dnn.data import load_digits


def test_accuracy_is_the_fraction_of_matches() -> None:
    assert accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])) == 0.75


def test_short_training_run_learns() -> None:
    data = load_digits(seed=0)
    x, y = data["train"].x[:400], data["train"].y[:400]
    model, history = train_classifier(
        x, y, data["val"].x, data["val"].y, hidden=(32,), epochs=5, lr=1e-2, dropout=0.2, seed=0
    )
    assert set(history) == {"train_loss", "val_loss", "val_acc"}
    assert all(len(values) == 5 for values in history.values())
    assert history["train_loss"][-1] < 0.7 * history["train_loss"][0]
    assert history["val_loss"][-1] < history["val_loss"][0]
    pred = predict(model, data["val"].x)
    assert pred.shape == data["val"].y.shape and np.issubdtype(pred.dtype, np.integer)
    np.testing.assert_array_equal(pred, predict(model, data["val"].x))  # no dropout at eval
    assert accuracy(pred, data["val"].y) > 0.8
