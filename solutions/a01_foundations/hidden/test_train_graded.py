"""Graded: prediction, the training history and digits accuracy (part "training", 10 points)."""

import numpy as np
import torch
import torch.nn.functional as F

from autograder.testing import assert_close, part, points
from dnn.data import load_digits


def mlp_oracle(params: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logits and hidden activations of Linear -> ReLU -> Linear with params [W1, b1, W2, b2]."""
    h = np.maximum(x @ params[0] + params[1], 0.0)
    return h @ params[2] + params[3], h


def ce_oracle(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient, by torch in float64."""
    t = torch.from_numpy(logits).requires_grad_()
    loss = F.cross_entropy(t, torch.from_numpy(y))
    loss.backward()
    return loss.item(), t.grad.numpy()


def sgd_epoch_oracle(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, batch_size: int,
                     seed: int, lr: float) -> tuple[list[np.ndarray], float]:
    """One epoch of plain SGD over the permutation default_rng(seed).permutation(N), every
    example once, the last batch partial: (new params, mean of the batch losses)."""
    params = [p.copy() for p in params]
    order = np.random.default_rng(seed).permutation(len(x))
    losses = []
    for start in range(0, len(x), batch_size):
        xb, yb = x[order[start : start + batch_size]], y[order[start : start + batch_size]]
        logits, h = mlp_oracle(params, xb)
        loss, dz = ce_oracle(logits, yb)
        dh = (dz @ params[2].T) * (h > 0)
        grads = [xb.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)]
        params = [p - lr * g for p, g in zip(params, grads, strict=True)]
        losses.append(loss)
    return params, float(np.mean(losses))


def small_problem(rng, n: int = 45) -> tuple[np.ndarray, np.ndarray]:
    x = rng.standard_normal((n, 6))
    y = rng.integers(0, 4, size=n)
    y[0] = 3  # C = max label + 1 = 4
    return x, y


@part("training")
@points(2)
def test_predict_and_accuracy(student, rng):
    """predict uses eval mode and returns the argmax of the logits; accuracy is a fraction;
    evaluate gives (mean cross-entropy, accuracy) in evaluation mode."""
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
    model.train()
    loss, acc = student.train.evaluate(model, x, y)
    assert_close(loss, ce_oracle(logits, y)[0], rtol=1e-9,
                 name="evaluate's loss (in evaluation mode, from a model left in training mode)")
    assert_close(acc, np.mean(logits.argmax(axis=1) == y), rtol=1e-12, name="evaluate's accuracy")


@part("training")
@points(2)
def test_train_epoch_matches_a_reference_epoch(student, rng):
    """train_epoch shuffles with default_rng(seed).permutation(N), runs forward, loss, backward
    and an optimiser step per minibatch and returns the mean of the batch losses (45 examples in
    batches of 9); with 45 examples in batches of 8 it trains on every example, the last partial
    batch included; and it trains in training mode (dropout on) even after model.eval()."""
    x, y = small_problem(rng)
    seed = int(rng.integers(1000))
    model = student.train.build_mlp(6, (5,), 4, seed=seed)
    params = model.params()
    loss = student.train.train_epoch(model, student.optim.SGD(0.3), x, y, batch_size=9, seed=seed)
    want_params, want_loss = sgd_epoch_oracle(params, x, y, 9, seed, 0.3)
    assert_close(loss, want_loss, rtol=1e-9, name="the epoch's mean batch loss")
    for k, (got, want) in enumerate(zip(model.params(), want_params, strict=True)):
        assert_close(got, want, rtol=1e-9, atol=1e-12, name=f"parameter {k} after the epoch")
    # one-hot inputs: row i of the first weight matrix moves only if example i was trained on
    onehot = student.train.build_mlp(45, (16,), 4, seed=seed)
    before = onehot.params()[0]
    student.train.train_epoch(onehot, student.optim.SGD(0.5), np.eye(45), y, batch_size=8,
                              seed=seed)
    moved = np.any(onehot.params()[0] != before, axis=1)
    assert moved.all(), f"{int((~moved).sum())} of 45 examples were not trained on in the epoch"
    dropped = student.train.build_mlp(6, (5,), 4, dropout=0.5, seed=seed)
    dropped.eval()
    losses = [student.train.train_epoch(dropped, student.optim.SGD(0.0), x, y, batch_size=8,
                                        seed=seed) for _ in range(2)]
    assert losses[0] != losses[1], (
        "train_epoch must switch the model to training mode (dropout draws new masks)")


@part("training")
@points(1)
def test_train_classifier_matches_a_reference_run(student, rng):
    """train_classifier (plain SGD, no dropout) equals a reference run: epoch e shuffles with
    seed + e, and history holds each epoch's mean batch loss, validation loss and accuracy."""
    x, y = small_problem(rng, 48)
    x_val, y_val = small_problem(rng, 15)
    seed = int(rng.integers(1000))
    _, history = student.train.train_classifier(
        x, y, x_val, y_val, hidden=(5,), epochs=3, lr=0.2, batch_size=16, optimizer="sgd",
        dropout=0.0, seed=seed)
    params = student.train.build_mlp(6, (5,), 4, seed=seed).params()
    want: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_acc": []}
    for epoch in range(3):
        params, loss = sgd_epoch_oracle(params, x, y, 16, seed + epoch, 0.2)
        logits, _ = mlp_oracle(params, x_val)
        want["train_loss"].append(loss)
        want["val_loss"].append(ce_oracle(logits, y_val)[0])
        want["val_acc"].append(float(np.mean(logits.argmax(1) == y_val)))
    assert isinstance(history, dict), "history must be a dict"
    for key, values in want.items():
        got = history.get(key, [])
        assert len(got) == 3, f"history[{key!r}] needs one value per epoch"
        assert_close(np.array(got, dtype=float), np.array(values), rtol=1e-8, atol=1e-12,
                     name=f"history[{key!r}]")


@part("training")
@points(1)
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
@points(4)
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
