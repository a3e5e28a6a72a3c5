"""Graded: prediction, the training history and digits accuracy (part "training", 10 points)."""

import numpy as np
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, part, points
from dnn.data import load_digits


@part("training")
@points(2)
def test_predict_and_accuracy(student, rng):
    """predict uses eval mode and returns the argmax of the logits; accuracy is a fraction."""
    x = rng.random((50, 64))
    model = student.train.build_mlp(64, (16,), 10, dropout=0.5, seed=0)
    pred = student.train.predict(model, x)
    assert isinstance(pred, np.ndarray) and pred.shape == (50,), "predict returns N labels"
    assert np.issubdtype(pred.dtype, np.integer), "predict must return integer labels"
    model.eval()
    logits = model.forward(x)
    assert np.array_equal(pred, logits.argmax(axis=1)), (
        "predict must equal the argmax of the logits in evaluation mode (no dropout)"
    )
    y = rng.integers(0, 10, size=50)
    assert_close(student.train.accuracy(pred, y), np.mean(pred == y), rtol=1e-12, name="accuracy")


@part("training")
@points(2)
def test_history_is_per_epoch_and_consistent(student):
    """train_classifier's history has one entry per epoch; the last val_loss and val_acc are
    those of the returned model in eval mode, and the training loss goes down."""
    data = load_digits(seed=0)
    x, y = data["train"].x[:400], data["train"].y[:400]
    x_val, y_val = data["val"].x, data["val"].y
    model, history = student.train.train_classifier(
        x, y, x_val, y_val, hidden=(32,), epochs=4, lr=1e-2, batch_size=32, dropout=0.2, seed=0
    )
    assert isinstance(history, dict), "history must be a dict"
    for key in ("train_loss", "val_loss", "val_acc"):
        assert len(history.get(key, [])) == 4, f"history[{key!r}] needs one value per epoch"
    assert history["train_loss"][-1] < history["train_loss"][0], "the training loss must decrease"
    model.eval()
    logits = model.forward(x_val)
    val_loss = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(y_val)).item()
    assert_close(history["val_loss"][-1], val_loss, rtol=1e-8, name='history["val_loss"][-1]')
    assert_close(
        history["val_acc"][-1],
        np.mean(logits.argmax(axis=1) == y_val),
        rtol=1e-12,
        name='history["val_acc"][-1]',
    )


@part("training")
@points(6)
def test_digits_test_accuracy(student):
    """An MLP (256, 128) with dropout 0.3 trained by Adam for 60 epochs reaches >= 95% test
    accuracy on digits (the solution reaches about 97%)."""
    data = load_digits(seed=0)
    model, _ = student.train.train_classifier(
        data["train"].x,
        data["train"].y,
        data["val"].x,
        data["val"].y,
        hidden=(256, 128),
        epochs=60,
        lr=1e-3,
        batch_size=32,
        optimizer="adam",
        dropout=0.3,
        weight_decay=0.0,
        seed=0,
    )
    pred = student.train.predict(model, data["test"].x)
    assert isinstance(pred, np.ndarray) and pred.shape == data["test"].y.shape, (
        "predict must return one label per test example"
    )
    acc = float(np.mean(pred == data["test"].y))
    assert acc >= 0.95, f"test accuracy {acc:.3f} is below 0.95"
