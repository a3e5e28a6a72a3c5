"""Naive fine-tuning (written from the handout)."""

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from cl_metrics import evaluate_stream
from cl_streams import Experience, mask_logits

Regularizer = Callable[[nn.Module, Tensor], Tensor]


def make_mlp(n_in: int = 64, n_hidden: int = 64, n_out: int = 10, *, seed: int = 0) -> nn.Module:
    """Given."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_out))


def fit_experience(
    model: nn.Module, x: Tensor, y: Tensor, *, epochs: int = 5, lr: float = 0.1,
    batch_size: int = 32, seed: int = 0, classes: Tensor | None = None,
    regularizer: Regularizer | None = None,
) -> list[float]:
    """Plain SGD over seeded batches, written by hand (no torch.optim)."""
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    ce = nn.CrossEntropyLoss()
    n = y.shape[0]
    out: list[float] = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen).to(x.device)
        for b in range(math.ceil(n / batch_size)):
            sel = order[b * batch_size:(b + 1) * batch_size]
            scores = model(x[sel])
            scores = scores if classes is None else mask_logits(scores, classes)
            loss = ce(scores, y[sel])
            if regularizer is not None:
                loss = loss + regularizer(model, x[sel])
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads, strict=True):
                    p.sub_(lr * g)
            out.append(float(loss))
    model.eval()
    return out


def train_naive(model: nn.Module, stream: list[Experience], *, epochs: int = 5, lr: float = 0.1,
                batch_size: int = 32, seed: int = 0, task_incremental: bool = False) -> Tensor:
    """R of fine-tuning."""
    r = torch.zeros(len(stream), len(stream), dtype=torch.float64)
    for t in range(len(stream)):
        e = stream[t]
        fit_experience(model, e["x_train"], e["y_train"], epochs=epochs, lr=lr,
                       batch_size=batch_size, seed=seed + t,
                       classes=e["classes"] if task_incremental else None)
        r[t] = evaluate_stream(model, stream, task_incremental=task_incremental)
    return r
