"""Continual-learning metrics from the accuracy matrix (Lopez-Paz & Ranzato 2017, GEM).

After training on experiences 0..i, the model is tested on every experience j of the stream:
R[i, j] is that test accuracy, a (T, T) matrix. With b[j] the accuracy of a randomly initialised
model on experience j,

    ACC = 1/T sum_j R[T-1, j]                                   (average accuracy at the end)
    BWT = 1/(T-1) sum_{j<T-1} (R[T-1, j] - R[j, j])            (backward transfer; < 0: forgetting)
    FWT = 1/(T-1) sum_{j>=1} (R[j-1, j] - b[j])                 (forward transfer)
    F   = 1/(T-1) sum_{j<T-1} max_{l<T-1} (R[l, j] - R[T-1, j]) (average forgetting, Chaudhry 2018)

BWT and FWT are 0 and F is 0 when T = 1 (no earlier experience).
"""

import torch
from cl_streams import Experience, mask_logits
from torch import Tensor, nn


def accuracy(model: nn.Module, x: Tensor, y: Tensor, classes: Tensor | None = None) -> float:
    """The fraction of ``x`` the model classifies as ``y``; with ``classes``, the argmax is taken
    over those classes only (task-incremental). Runs without gradients and without changing the
    model's training mode. Returns 0.0 for an empty set."""
    if len(y) == 0:
        return 0.0
    with torch.no_grad():
        logits = model(x)
    if classes is not None:
        logits = mask_logits(logits, classes)
    return (logits.argmax(-1) == y).float().mean().item()


def evaluate_stream(model: nn.Module, stream: list[Experience], *,
                    task_incremental: bool = False) -> Tensor:
    """One row of R: the test accuracy on every experience of the stream, a (T,) float64 tensor
    on the CPU (masked to each experience's ``classes`` when ``task_incremental``)."""
    return torch.tensor([accuracy(model, e["x_test"], e["y_test"],
                                  e["classes"] if task_incremental else None) for e in stream],
                        dtype=torch.float64)


def average_accuracy(r: Tensor) -> float:
    """ACC of the (T, T) accuracy matrix r (the mean of its last row)."""
    return r[-1].mean().item()


def backward_transfer(r: Tensor) -> float:
    """BWT of the (T, T) accuracy matrix r; 0.0 when T = 1."""
    t = r.shape[0]
    if t == 1:
        return 0.0
    return (r[-1, :-1] - torch.diagonal(r)[:-1]).mean().item()


def forward_transfer(r: Tensor, b: Tensor) -> float:
    """FWT of the (T, T) accuracy matrix r against the (T,) accuracies b of a random model;
    0.0 when T = 1."""
    t = r.shape[0]
    if t == 1:
        return 0.0
    return (torch.diagonal(r, offset=1) - b[1:]).mean().item()


def forgetting(r: Tensor) -> float:
    """Average forgetting F of the (T, T) accuracy matrix r; 0.0 when T = 1."""
    t = r.shape[0]
    if t == 1:
        return 0.0
    best = r[:-1, :-1].max(dim=0).values
    return (best - r[-1, :-1]).mean().item()
