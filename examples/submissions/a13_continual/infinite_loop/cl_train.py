"""Training on a stream, the naive way: fine-tune on each experience in turn.

Naive fine-tuning minimises only the current experience's loss, so what the weights held for
earlier experiences is overwritten: catastrophic forgetting (McCloskey & Cohen 1989). It is the
baseline every strategy of this assignment is measured against.
"""

from collections.abc import Callable

import torch
import torch.nn.functional as F
from cl_metrics import evaluate_stream
from cl_streams import Experience, mask_logits
from torch import Tensor, nn

Regularizer = Callable[[nn.Module, Tensor], Tensor]


def make_mlp(n_in: int = 64, n_hidden: int = 64, n_out: int = 10, *, seed: int = 0) -> nn.Module:
    """Linear(n_in, n_hidden) -> ReLU -> Linear(n_hidden, n_out), initialised after
    torch.manual_seed(seed) (given, not graded)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_out))


def fit_experience(
    model: nn.Module, x: Tensor, y: Tensor, *, epochs: int = 5, lr: float = 0.1,
    batch_size: int = 32, seed: int = 0, classes: Tensor | None = None,
    regularizer: Regularizer | None = None,
) -> list[float]:
    """Train ``model`` in place on one experience with plain SGD (no momentum) and cross-entropy.

    One ``g = torch.Generator().manual_seed(seed)`` orders every epoch: the batches of an epoch
    are ``torch.randperm(N, generator=g)`` cut into ``batch_size`` pieces, the last one partial.
    Each batch's loss is CE(model(x_b), y_b) (over ``mask_logits(., classes)`` when ``classes``
    is given) plus ``regularizer(model, x_b)`` when one is given.

    Args:
        x: (N, D) inputs; y: (N,) labels (neither modified).

    Returns:
        The loss of every batch, in order (epochs * ceil(N / batch_size) floats). The model is
        left in eval mode.
    """
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        perm = torch.randperm(len(y), generator=g).to(y.device)
        for start in range(0, len(y), batch_size):
            idx = perm[start:start + batch_size]
            logits = model(x[idx])
            if classes is not None:
                logits = mask_logits(logits, classes)
            loss = F.cross_entropy(logits, y[idx])
            if regularizer is not None:
                loss = loss + regularizer(model, x[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    model.eval()
    return losses


def train_naive(model: nn.Module, stream: list[Experience], *, epochs: int = 5, lr: float = 0.1,
                batch_size: int = 32, seed: int = 0, task_incremental: bool = False) -> Tensor:
    """Fine-tune on the experiences in order and return the (T, T) float64 accuracy matrix R.

    Experience t is trained with ``fit_experience(..., seed=seed + t)`` (masked to its classes
    when ``task_incremental``); row t of R is ``evaluate_stream`` right after it.
    """
    rows = []
    for t, exp in enumerate(stream):
        fit_experience(model, exp["x_train"], exp["y_train"], epochs=epochs, lr=lr,
                       batch_size=batch_size, seed=seed + t,
                       classes=exp["classes"] if task_incremental else None)
        rows.append(evaluate_stream(model, stream, task_incremental=task_incremental))
    return torch.stack(rows)
