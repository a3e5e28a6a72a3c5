"""A training loop with validation, early stopping, an LR schedule and exact checkpoints.

Reproducibility rule: epoch e (0-based, over the whole run) starts with
``torch.manual_seed(seed + e)`` (dropout masks, augmentation) and shuffles with
``make_loader(..., shuffle=True, seed=seed + e)``. Together with a checkpoint of everything
that changes during training (weights, optimizer momentum, scheduler, counters), a run that is
stopped, saved and resumed continues bit-identically on the CPU.
"""

import copy  # noqa: F401  (for the checkpoint copies)
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: F401  (for the loss)
from digits_pipeline import DigitsDataset, RandomShift, make_loader  # noqa: F401
from lr_schedule import make_scheduler
from mlp import MLP

NUM_CLASSES = 10
History = dict[str, list[float]]


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
        torch.manual_seed(self.seed + self.epoch)
        loader = make_loader(
            self.train_set, self.batch_size, shuffle=True, seed=self.seed + self.epoch
        )
        self.model.train()
        losses = []
        for x, y in loader:
            x, y = x.to(self.device), y.to(self.device)
            self.optimizer.zero_grad()
            loss = F.cross_entropy(self.model(x), y)
            loss.backward()
            self.optimizer.step()
            losses.append(loss.item())
        self.scheduler.step()
        self.epoch += 1
        return sum(losses) / len(losses)

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(mean cross-entropy, accuracy) of the model on (x, y), in eval mode, without grad.

        Args:
            x: (N, 64) or (N, 1, 8, 8); y: (N,) labels.

        Returns:
            two Python floats; the accuracy is in [0, 1].
        """
        self.model.eval()
        images = torch.as_tensor(np.asarray(x), dtype=torch.float32).to(self.device)
        labels = torch.as_tensor(np.asarray(y), dtype=torch.int64).to(self.device)
        with torch.no_grad():
            logits = self.model(images)
            loss = F.cross_entropy(logits, labels).item()
            accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
        return loss, accuracy

    def predict(self, x: np.ndarray) -> torch.Tensor:
        """Predicted labels (N,), int64 on the CPU, from the model in eval mode."""
        self.model.eval()
        images = torch.as_tensor(np.asarray(x), dtype=torch.float32).to(self.device)
        with torch.no_grad():
            return self.model(images).argmax(dim=1).cpu()

    def update_early_stopping(self, val_loss: float) -> None:
        """Call after each epoch. An improvement is val_loss < best_val_loss - min_delta: then
        record best_val_loss, best_epoch (the index of that epoch, self.epoch - 1), best_state
        (a copy, e.g. cloned tensors, of the model's state_dict) and reset bad_epochs to 0.
        Otherwise add 1 to bad_epochs; when it reaches ``self.patience`` set ``self.stopped``."""
        if val_loss < self.best_val_loss - self.min_delta:
            self.best_val_loss = val_loss
            self.best_epoch = self.epoch - 1
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
            if self.bad_epochs >= self.patience:
                self.stopped = True

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
        end = self.max_epochs if epochs is None else min(self.max_epochs, self.epoch + epochs)
        while self.epoch < end and not self.stopped:
            lr = self.optimizer.param_groups[0]["lr"]
            train_loss = self.train_epoch()
            val_loss, val_acc = self.evaluate(self.x_val, self.y_val)
            for key, value in (("lr", lr), ("train_loss", train_loss), ("val_loss", val_loss),
                               ("val_acc", val_acc)):
                self.history[key].append(value)
            self.update_early_stopping(val_loss)
        if (self.stopped or self.epoch >= self.max_epochs) and self.best_state is not None:
            self.model.load_state_dict(self.best_state)
        return self.history

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly, as plain data (tensors, numbers, lists, dicts),
        copied so later training does not change it: "model", "optimizer" and "scheduler"
        (their state_dicts), "epoch", "best_val_loss", "best_epoch", "best_state",
        "bad_epochs", "stopped", "history"."""
        return copy.deepcopy({
            "model": self.model.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "epoch": self.epoch,
            "best_val_loss": self.best_val_loss,
            "best_epoch": self.best_epoch,
            "best_state": self.best_state,
            "bad_epochs": self.bad_epochs,
            "stopped": self.stopped,
            "history": self.history,
        })

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned (possibly from another Trainer built with the
        same arguments), so that ``fit`` continues exactly as the original would have."""
        state = copy.deepcopy(state)
        self.model.load_state_dict(state["model"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.epoch = int(state["epoch"])
        self.best_val_loss = float(state["best_val_loss"])
        self.best_epoch = int(state["best_epoch"])
        best = state["best_state"]
        self.best_state = None if best is None else {k: v.to(self.device) for k, v in best.items()}
        self.bad_epochs = int(state["bad_epochs"])
        self.stopped = bool(state["stopped"])
        self.history = {k: list(v) for k, v in state["history"].items()}

    def save(self, path: str | Path) -> None:
        """Write ``state_dict()`` to ``path`` with torch.save."""
        torch.save(self.state_dict(), path)

    def load(self, path: str | Path) -> None:
        """Read a checkpoint written by ``save`` (torch.load with weights_only=True and
        map_location=self.device) and restore it with ``load_state_dict``."""
        self.load_state_dict(torch.load(path, map_location=self.device, weights_only=True))
