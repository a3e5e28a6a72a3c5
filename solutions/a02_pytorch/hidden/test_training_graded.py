"""Graded: schedule, training loop, early stopping, checkpoints (part "training", 25 points)."""

import io
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from autograder.testing import assert_close, part, points
from dnn.data import load_digits


def factor(e: int, warmup: int, total: int, low: float) -> float:
    if e < warmup:
        return (e + 1) / warmup
    if e >= total:
        return low
    return low + (1 - low) * (1 + math.cos(math.pi * (e - warmup) / (total - warmup))) / 2


def digits(n_train: int | None = None):
    data = load_digits(seed=0)
    tr, va = data["train"], data["val"]
    n = n_train or len(tr.y)
    return tr.x[:n], tr.y[:n], va.x, va.y


def to_sequential(state: dict, dropout: float = 0.0) -> nn.Sequential:
    """Flatten -> Linear -> ReLU -> Dropout -> Linear with the weights of a one-hidden-layer
    MLP state."""
    hidden, classes = state["hidden.0.weight"].shape[0], state["out.weight"].shape[0]
    ref = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Dropout(dropout),
                        nn.Linear(hidden, classes))
    ref.load_state_dict({"1.weight": state["hidden.0.weight"], "1.bias": state["hidden.0.bias"],
                         "4.weight": state["out.weight"], "4.bias": state["out.bias"]})
    return ref.to(state["out.weight"].device)


@part("training")
@points(2)
def test_lr_factor(student):
    """lr_factor: linear warm-up (e + 1) / W, cosine from 1 to min_factor until T, then flat."""
    for warmup, total, low in ((3, 12, 0.05), (0, 7, 0.0), (1, 4, 0.2)):
        for e in range(total + 3):
            got = student.lr_schedule.lr_factor(e, warmup_epochs=warmup, total_epochs=total,
                                                min_factor=low)
            assert_close(got, factor(e, warmup, total, low), rtol=1e-12, atol=1e-14,
                         name=f"lr_factor({e}, W={warmup}, T={total}, m={low})")


@part("training")
@points(2)
def test_scheduler_matches_cosine_annealing(student):
    """Without warm-up, make_scheduler's learning rates follow torch's CosineAnnealingLR."""
    epochs, base, low = 10, 0.3, 0.1
    got = student.lr_schedule.lr_trajectory(base, epochs + 2, warmup_epochs=0,
                                            total_epochs=epochs, min_factor=low)
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=base)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=low * base)
    want = []
    for _ in range(epochs + 1):
        want.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert_close(np.array(got[: epochs + 1]), np.array(want), rtol=1e-9, atol=1e-12,
                 name="learning rates")
    assert_close(got[-1], low * base, rtol=1e-12, name="lr after total_epochs")


@part("training")
@points(3)
def test_evaluate_and_predict(student, rng):
    """evaluate returns (mean cross-entropy, accuracy) in eval mode (no dropout); predict
    returns the argmax labels as an int64 tensor."""
    x, y, xv, yv = digits(200)
    trainer = student.training_loop.Trainer(x, y, xv, yv, hidden=(12,), dropout=0.5, seed=1)
    trainer.model.train()
    ref = to_sequential(trainer.model.state_dict())
    xs = x[:60] + rng.normal(0, 0.1, size=x[:60].shape)
    logits = ref(torch.from_numpy(xs).float()).detach()
    loss, acc = trainer.evaluate(xs, y[:60])
    labels = torch.from_numpy(y[:60])
    assert_close(loss, F.cross_entropy(logits, labels).item(), rtol=1e-5, name="loss")
    assert_close(acc, (logits.argmax(1) == labels).float().mean().item(), rtol=1e-6,
                 name="accuracy")
    pred = trainer.predict(xs)
    assert isinstance(pred, torch.Tensor) and pred.dtype == torch.int64, "predict: int64 tensor"
    assert torch.equal(pred.cpu(), logits.argmax(1)), "predict must be the argmax of the logits"


@part("training")
@points(5)
def test_train_epoch_matches_reference_loop(student, rng, device):
    """Two epochs of train_epoch equal a plain torch loop: torch.manual_seed(seed + epoch) and
    seeded shuffling (seed + epoch), training mode with dropout (also after an evaluate between
    the epochs), cross-entropy, torch.optim.SGD with momentum and weight decay, warm-up lr per
    epoch, every batch including the last partial one."""
    x, y, xv, yv = digits(290)
    seed = int(rng.integers(1000))
    kw = dict(hidden=(16,), dropout=0.3, lr=0.05, momentum=0.9, weight_decay=1e-3,
              batch_size=50, max_epochs=5, warmup_epochs=2, min_lr_factor=0.1, seed=seed,
              device=device)
    trainer = student.training_loop.Trainer(x, y, xv, yv, **kw)
    ref = to_sequential(trainer.model.state_dict(), dropout=0.3)
    losses = [trainer.train_epoch()]
    trainer.evaluate(xv[:30], yv[:30])  # switches to eval mode; train_epoch must switch back
    losses.append(trainer.train_epoch())
    assert trainer.epoch == 2, "train_epoch must count the epochs in self.epoch"
    opt = torch.optim.SGD(ref.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
    data = TensorDataset(torch.from_numpy(x).float().reshape(-1, 1, 8, 8), torch.from_numpy(y))
    want_losses = []
    ref.train()
    for epoch in range(2):
        torch.manual_seed(seed + epoch)
        opt.param_groups[0]["lr"] = 0.05 * factor(epoch, 2, 5, 0.1)
        batch_losses = []
        loader = DataLoader(data, batch_size=50, shuffle=True,
                            generator=torch.Generator().manual_seed(seed + epoch))
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(ref(xb.to(device)), yb.to(device))
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
        want_losses.append(sum(batch_losses) / len(batch_losses))
    assert_close(np.array(losses), np.array(want_losses), rtol=1e-5, name="epoch losses")
    got = trainer.model.state_dict()
    for name, value in to_sequential(got).state_dict().items():
        assert_close(value.cpu(), ref.state_dict()[name].detach().cpu(), rtol=1e-5, atol=1e-6,
                     name=f"weights after two epochs ({name})")
    assert got["out.weight"].device.type == torch.device(device).type, "the model is on device"


@part("training")
@points(2)
def test_early_stopping_counts_min_delta_and_patience(student):
    """update_early_stopping on a scripted sequence of validation losses (min_delta 0.25,
    patience 3): an improvement must beat best - min_delta strictly; bad_epochs resets to 0 on
    an improvement and counts up by 1 otherwise; stopped is set when it reaches patience."""
    x, y, xv, yv = digits(100)
    trainer = student.training_loop.Trainer(x, y, xv, yv, hidden=(8,), max_epochs=10,
                                            patience=3, min_delta=0.25)
    best, bad = math.inf, 0  # the rule of the docstring, followed here step by step
    # exact binary fractions: 0.75 and 0.25 equal best - min_delta exactly (no improvement)
    for step, loss in enumerate([1.0, 0.875, 0.75, 0.5, 0.375, 0.3125, 0.25]):
        if loss < best - 0.25:
            best, bad = loss, 0
        else:
            bad += 1
        trainer.update_early_stopping(loss)
        state = (trainer.best_val_loss, trainer.bad_epochs, trainer.stopped)
        assert state == (best, bad, bad >= 3), (
            f"after validation losses {[1.0, 0.875, 0.75, 0.5, 0.375, 0.3125, 0.25][:step + 1]}"
            f" (best_val_loss, bad_epochs, stopped) should be {(best, bad, bad >= 3)}, got {state}")
    assert trainer.best_epoch == trainer.epoch - 1, "best_epoch is self.epoch - 1 when improved"


@part("training")
@points(2)
def test_fit_continues_runs_to_max_epochs_and_restores_best(student, rng):
    """fit(epochs) trains that many MORE epochs (fit(2) twice gives 4); history["lr"] is the lr
    each epoch trained with (warm-up, then cosine); when max_epochs is reached without early
    stopping, fit restores the weights of the best validation epoch."""
    x, y, xv, yv = digits(300)
    yv = rng.permutation(yv)  # the validation loss soon gets worse
    trainer = student.training_loop.Trainer(x, y, xv, yv, hidden=(32,), lr=0.2, max_epochs=6,
                                            warmup_epochs=2, min_lr_factor=0.05, patience=100,
                                            seed=int(rng.integers(1000)))
    trainer.fit(2)
    history = trainer.fit(2)
    assert len(history["val_loss"]) == 4, "fit(2) after fit(2) must have trained 4 epochs"
    history = trainer.fit()
    val = history["val_loss"]
    assert len(val) == 6 and not trainer.stopped, "fit() trains on until max_epochs"
    assert_close(np.array(history["lr"]), np.array([0.2 * factor(e, 2, 6, 0.05)
                                                    for e in range(6)]),
                 rtol=1e-9, name='history["lr"] (the lr each epoch trained with)')
    loss, _ = trainer.evaluate(xv, yv)
    assert_close(loss, min(val), rtol=1e-5,
                 name="validation loss of the model after fit reached max_epochs (the best)")


@part("training")
@points(2)
def test_early_stopping_restores_best(student, rng):
    """With shuffled validation labels the validation loss soon stops improving: fit stops
    after `patience` epochs without improvement and restores the best epoch's weights."""
    x, y, xv, yv = digits(400)
    yv = rng.permutation(yv)
    trainer = student.training_loop.Trainer(x, y, xv, yv, hidden=(32,), lr=0.2, max_epochs=25,
                                            patience=3, seed=int(rng.integers(1000)))
    history = trainer.fit()
    val = history["val_loss"]
    best, best_epoch, bad, stop = math.inf, -1, 0, len(val) - 1
    for epoch, loss in enumerate(val):
        if loss < best:
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
            if bad >= 3:
                stop = epoch
                break
    assert trainer.stopped and len(val) < 25, "training should have stopped early"
    assert len(val) == stop + 1, "fit must stop once `patience` epochs brought no improvement"
    assert all(len(history[k]) == len(val) for k in ("train_loss", "val_acc", "lr")), (
        "one history entry per epoch for each key"
    )
    assert trainer.best_epoch == best_epoch, "best_epoch is the index of the best epoch"
    loss, _ = trainer.evaluate(xv, yv)
    assert_close(loss, best, rtol=1e-5, name="validation loss of the restored model")


def same_data(a: object, b: object) -> bool:
    """Equal nested data: tensors by torch.equal, containers item by item, the rest by ==."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
                and a.shape == b.shape and torch.equal(a.cpu(), b.cpu()))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_data(u, v) for u, v in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # NaN == NaN here


def resume_config(rng, device: str) -> dict:
    return dict(hidden=(24,), dropout=0.2, lr=0.1, momentum=0.9, weight_decay=1e-4,
                batch_size=64, max_epochs=5, warmup_epochs=2, min_lr_factor=0.05, patience=10,
                augment=True, seed=int(rng.integers(1000)), device=device)


@part("training")
@points(4)
def test_resume_from_state_dict_is_bit_identical(student, rng, device):
    """Training 2 epochs, checkpointing with state_dict() (plain data that torch.save and
    torch.load(weights_only=True) accept, and a copy that training on does not change), loading
    it into a new Trainer (whose state_dict() then returns the same checkpoint) and finishing
    gives exactly (torch.equal, on the CPU) the weights and history of an uninterrupted run."""
    x, y, xv, yv = digits(500)
    kw = resume_config(rng, device)
    full = student.training_loop.Trainer(x, y, xv, yv, **kw)
    full_history = full.fit()
    half = student.training_loop.Trainer(x, y, xv, yv, **kw)
    half.fit(2)
    assert len(half.history["val_loss"]) == 2, "fit(epochs=2) trains two epochs"
    # the checkpoint as it is after `half` has trained on: a copy, untouched by later training
    state = student.lib("dnn.probes").result_after(half.state_dict, half.fit, 1)
    buffer = io.BytesIO()
    try:
        torch.save(state, buffer)
        state = torch.load(io.BytesIO(buffer.getvalue()), weights_only=True)
    except Exception as err:
        raise AssertionError(f"state_dict() must be plain data: {type(err).__name__}") from None
    resumed = student.training_loop.Trainer(x, y, xv, yv, **kw)
    resumed.load_state_dict(state)
    assert same_data(resumed.state_dict(), state), (
        "after load_state_dict(state), state_dict() must give the same checkpoint back"
    )
    history = resumed.fit()
    want = full.model.state_dict()
    if device != "cpu":  # GPU kernels may reorder sums: agreement to rounding only
        assert_close(np.array(history["val_loss"]), np.array(full_history["val_loss"]),
                     rtol=1e-4, name="resumed validation losses")
        for name, value in resumed.model.state_dict().items():
            assert_close(value.cpu(), want[name].cpu(), rtol=1e-4, atol=1e-6, name=name)
        return
    assert history == full_history, "the resumed run's history differs from the full run's"
    for name, value in resumed.model.state_dict().items():
        assert torch.equal(value, want[name]), f"{name} differs from the uninterrupted run"


@part("training")
@points(1)
def test_save_and_load_a_file(student, rng):
    """save(path) then load(path) in a new Trainer resumes exactly like the uninterrupted run."""
    x, y, xv, yv = digits(300)
    kw = resume_config(rng, "cpu") | {"max_epochs": 3}
    full = student.training_loop.Trainer(x, y, xv, yv, **kw)
    full.fit()
    half = student.training_loop.Trainer(x, y, xv, yv, **kw)
    half.fit(1)
    path = f"/tmp/a02-checkpoint-{rng.integers(1 << 40)}.pt"
    half.save(path)
    resumed = student.training_loop.Trainer(x, y, xv, yv, **kw)
    resumed.load(path)
    Path(path).unlink(missing_ok=True)  # exists here in local mode only (sandbox: private /tmp)
    resumed.fit()
    want = full.model.state_dict()
    for name, value in resumed.model.state_dict().items():
        assert torch.equal(value, want[name]), f"{name} differs from the uninterrupted run"


@part("training")
@points(2)
def test_digits_test_accuracy(student):
    """The default Trainer (MLP (64,), SGD momentum 0.9, lr 0.1, warm-up + cosine, 30 epochs)
    reaches >= 93% test accuracy on digits (the solution reaches about 95%)."""
    data = load_digits(seed=0)
    trainer = student.training_loop.Trainer(data["train"].x, data["train"].y, data["val"].x,
                                            data["val"].y, seed=0)
    trainer.fit()
    pred = trainer.predict(data["test"].x)
    assert isinstance(pred, torch.Tensor) and pred.shape == data["test"].y.shape, (
        "predict returns one label per example"
    )
    acc = float((pred.cpu().numpy() == data["test"].y).mean())
    assert acc >= 0.93, f"test accuracy {acc:.3f} is below 0.93"
