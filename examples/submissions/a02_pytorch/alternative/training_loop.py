"""A training loop with validation, early stopping, an LR schedule and exact checkpoints.

Reproducibility rule: epoch e (0-based, over the whole run) starts with
``torch.manual_seed(seed + e)`` (dropout masks, augmentation) and shuffles with
``make_loader(..., shuffle=True, seed=seed + e)``. Together with a checkpoint of everything
that changes during training (weights, optimizer momentum, scheduler, counters), a run that is
stopped, saved and resumed continues bit-identically on the CPU.
"""

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from digits_pipeline import DigitsDataset, RandomShift, make_loader
from lr_schedule import make_scheduler
from mlp import MLP

NUM_CLASSES = 10
History = dict[str, list[float]]
HISTORY_KEYS = ("lr", "train_loss", "val_loss", "val_acc")


def _per_example_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """-log softmax(logits)[label] per row, as logsumexp(row) - row[label]: (N,)."""
    picked = torch.gather(logits, 1, labels.unsqueeze(1)).squeeze(1)
    return torch.logsumexp(logits, dim=1) - picked


def _detached_copy(value: Any) -> Any:
    """A deep copy of nested plain data in which every tensor is detached and cloned."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {key: _detached_copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_detached_copy(item) for item in value)
    return value


class Trainer:
    """Trains an MLP on digits with SGD (momentum), warm-up + cosine LR and early stopping."""

    def __init__(
        self,
        x_train: np.ndarray,
        y_train: np.ndarray,
        x_val: np.ndarray,
        y_val: np.ndarray,
        *,
        hidden: tuple[int, ...] = (64,),
        dropout: float = 0.0,
        lr: float = 0.1,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        batch_size: int = 64,
        max_epochs: int = 30,
        warmup_epochs: int = 2,
        min_lr_factor: float = 0.01,
        patience: int = 5,
        min_delta: float = 0.0,
        augment: bool = False,
        seed: int = 0,
        device: str = "cpu",
    ) -> None:
        """x_*: (N, 64) or (N, 1, 8, 8) pixels in [0, 1]; y_*: (N,) labels in 0..9."""
        self.device = torch.device(device)
        self.seed, self.batch_size, self.max_epochs = seed, batch_size, max_epochs
        self.patience, self.min_delta = patience, min_delta
        transform = RandomShift(1) if augment else None
        self.train_set = DigitsDataset(x_train, y_train, transform=transform)
        self.x_val, self.y_val = x_val, y_val
        torch.manual_seed(seed)  # the initial weights are a function of the seed
        self.model = MLP(64, tuple(hidden), NUM_CLASSES, dropout=dropout).to(self.device)
        self.optimizer = torch.optim.SGD(
            self.model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay
        )
        self.scheduler = make_scheduler(
            self.optimizer,
            warmup_epochs=warmup_epochs,
            total_epochs=max_epochs,
            min_factor=min_lr_factor,
        )
        self.epoch = 0  # epochs trained so far
        self.best_val_loss = math.inf
        self.best_epoch = -1
        self.best_state: dict[str, torch.Tensor] | None = None
        self.bad_epochs = 0  # epochs since the last improvement
        self.stopped = False  # set by early stopping
        self.history: History = {"train_loss": [], "val_loss": [], "val_acc": [], "lr": []}

    def train_epoch(self) -> float:
        """Train one epoch (number e = self.epoch) in train mode, on ``self.device``.

        Seed as the module docstring says; for each batch (x, y) of the shuffled loader over
        ``self.train_set`` (batch size ``self.batch_size``): zero the gradients, compute the
        mean cross-entropy of ``self.model(x)`` against y, back-propagate, ``optimizer.step()``.
        After the last batch step the scheduler once and add 1 to ``self.epoch``.

        Returns:
            the mean over batches of the batch losses, a Python float.
        """
        epoch_seed = self.seed + self.epoch
        torch.manual_seed(epoch_seed)
        batches = make_loader(self.train_set, self.batch_size, shuffle=True, seed=epoch_seed)
        self.model.train(True)
        # batch losses are summed on the device (in float64) and read back once, at the end
        total = torch.zeros((), dtype=torch.float64, device=self.device)
        count = 0
        for images, labels in batches:
            images = images.to(self.device, non_blocking=True)
            labels = labels.to(self.device, non_blocking=True)
            self.model.zero_grad(set_to_none=True)
            loss = _per_example_cross_entropy(self.model(images), labels).mean()
            loss.backward()
            self.optimizer.step()
            total += loss.detach().double()
            count += 1
        self.scheduler.step()
        self.epoch += 1
        return total.item() / count

    def _logits(self, x: np.ndarray) -> torch.Tensor:
        """Eval-mode logits (N, 10) of the float32 images x, without recording a graph."""
        self.model.eval()
        images = torch.from_numpy(np.array(x, dtype=np.float32)).to(self.device)
        with torch.inference_mode():
            return self.model(images)

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(mean cross-entropy, accuracy) of the model on (x, y), in eval mode, without grad.

        Args:
            x: (N, 64) or (N, 1, 8, 8); y: (N,) labels.

        Returns:
            two Python floats; the accuracy is in [0, 1].
        """
        logits = self._logits(x)
        labels = torch.from_numpy(np.asarray(y).astype(np.int64)).to(self.device)
        losses = _per_example_cross_entropy(logits, labels).double()
        correct = torch.count_nonzero(logits.argmax(dim=1) == labels).item()
        return losses.sum().item() / len(labels), correct / len(labels)

    def predict(self, x: np.ndarray) -> torch.Tensor:
        """Predicted labels (N,), int64 on the CPU, from the model in eval mode."""
        return torch.argmax(self._logits(x), dim=-1).to(device="cpu", dtype=torch.int64)

    def update_early_stopping(self, val_loss: float) -> None:
        """Call after each epoch. An improvement is val_loss < best_val_loss - min_delta: then
        record best_val_loss, best_epoch (the index of that epoch, self.epoch - 1), best_state
        (a copy, e.g. cloned tensors, of the model's state_dict) and reset bad_epochs to 0.
        Otherwise add 1 to bad_epochs; when it reaches ``self.patience`` set ``self.stopped``."""
        if self.best_val_loss - val_loss > self.min_delta:
            self.best_val_loss = float(val_loss)
            self.best_epoch = self.epoch - 1
            self.best_state = _detached_copy(self.model.state_dict())
            self.bad_epochs = 0
            return
        self.bad_epochs += 1
        self.stopped = self.stopped or self.bad_epochs >= self.patience

    def fit(self, epochs: int | None = None) -> History:
        """Train until ``epochs`` more epochs are done (all remaining when None), max_epochs is
        reached, or early stopping fires; whichever comes first.

        After each epoch append to ``self.history``: "lr" (the lr the epoch trained with),
        "train_loss", then "val_loss" and "val_acc" from ``evaluate`` on the validation set,
        and call ``update_early_stopping``. When training has ended (stopped, or
        self.epoch == max_epochs) load ``best_state`` back into the model.

        Returns:
            self.history.
        """
        budget = self.max_epochs - self.epoch if epochs is None else epochs
        budget = min(budget, self.max_epochs - self.epoch)
        for _ in range(max(budget, 0)):
            if self.stopped:
                break
            lr = self.scheduler.get_last_lr()[0]
            train_loss = self.train_epoch()
            val_loss, val_acc = self.evaluate(self.x_val, self.y_val)
            for key, value in zip(HISTORY_KEYS, (lr, train_loss, val_loss, val_acc), strict=True):
                self.history[key].append(value)
            self.update_early_stopping(val_loss)
        finished = self.stopped or self.epoch >= self.max_epochs
        if finished and self.best_state is not None:
            self.model.load_state_dict(self.best_state)
        return self.history

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly, as plain data (tensors, numbers, lists, dicts),
        copied so later training does not change it: "model", "optimizer" and "scheduler"
        (their state_dicts), "epoch", "best_val_loss", "best_epoch", "best_state",
        "bad_epochs", "stopped", "history"."""
        state: dict[str, Any] = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
        }
        for name in ("epoch", "best_val_loss", "best_epoch", "best_state", "bad_epochs",
                     "stopped", "history"):
            state[name] = getattr(self, name)
        return _detached_copy(state)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned (possibly from another Trainer built with the
        same arguments), so that ``fit`` continues exactly as the original would have."""
        state = _detached_copy(state)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.epoch = int(state["epoch"])
        self.best_val_loss = float(state["best_val_loss"])
        self.best_epoch = int(state["best_epoch"])
        best = state["best_state"]
        if best is not None:
            best = {name: tensor.to(self.device) for name, tensor in best.items()}
        self.best_state = best
        self.bad_epochs = int(state["bad_epochs"])
        self.stopped = bool(state["stopped"])
        self.history = {key: list(values) for key, values in state["history"].items()}

    def save(self, path: str | Path) -> None:
        """Write ``state_dict()`` to ``path`` with torch.save."""
        with open(path, "wb") as handle:
            torch.save(self.state_dict(), handle)

    def load(self, path: str | Path) -> None:
        """Read a checkpoint written by ``save`` (torch.load with weights_only=True and
        map_location=self.device) and restore it with ``load_state_dict``."""
        with open(path, "rb") as handle:
            state = torch.load(handle, map_location=self.device, weights_only=True)
        self.load_state_dict(state)
