"""GEM metrics (written from the handout)."""

import torch
from torch import Tensor, nn

from cl_streams import Experience, mask_logits


def accuracy(model: nn.Module, x: Tensor, y: Tensor, classes: Tensor | None = None) -> float:
    """Fraction of correct argmax predictions."""
    n = y.numel()
    if n == 0:
        return 0.0
    with torch.no_grad():
        scores = model(x)
        if classes is not None:
            scores = mask_logits(scores, classes)
        hits = int(torch.sum(torch.argmax(scores, dim=1) == y))
    return hits / n


def evaluate_stream(model: nn.Module, stream: list[Experience], *,
                    task_incremental: bool = False) -> Tensor:
    """One row of R."""
    row = torch.zeros(len(stream), dtype=torch.float64)
    for j, e in enumerate(stream):
        row[j] = accuracy(model, e["x_test"], e["y_test"],
                          classes=e["classes"] if task_incremental else None)
    return row


def average_accuracy(r: Tensor) -> float:
    """ACC."""
    return float(r[r.shape[0] - 1].sum() / r.shape[1])


def backward_transfer(r: Tensor) -> float:
    """BWT."""
    t = r.shape[0]
    total = sum(float(r[t - 1, j] - r[j, j]) for j in range(t - 1))
    return total / (t - 1) if t > 1 else 0.0


def forward_transfer(r: Tensor, b: Tensor) -> float:
    """FWT."""
    t = r.shape[0]
    total = sum(float(r[j - 1, j] - b[j]) for j in range(1, t))
    return total / (t - 1) if t > 1 else 0.0


def forgetting(r: Tensor) -> float:
    """Average forgetting."""
    t = r.shape[0]
    if t < 2:
        return 0.0
    drops = [max(float(r[i, j]) for i in range(t - 1)) - float(r[t - 1, j]) for j in range(t - 1)]
    return sum(drops) / len(drops)
