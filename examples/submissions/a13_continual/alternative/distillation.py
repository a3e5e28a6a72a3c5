"""LwF distillation (written from the handout)."""

import copy

import torch
from torch import Tensor, nn

from cl_metrics import evaluate_stream
from cl_streams import Experience
from cl_train import fit_experience


def soft_targets(logits: Tensor, temperature: float) -> Tensor:
    """softmax(z / T), by hand with the max subtracted."""
    z = logits / temperature
    z = z - z.max(dim=-1, keepdim=True).values
    e = z.exp()
    return e / e.sum(dim=-1, keepdim=True)


def distillation_loss(new_logits: Tensor, old_logits: Tensor, temperature: float = 2.0) -> Tensor:
    """T^2 mean_b cross-entropy of the softened distributions."""
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    with torch.no_grad():
        p = soft_targets(old_logits, temperature)
    log_q = torch.log_softmax(new_logits / temperature, dim=-1)
    per_row = -(p * log_q).sum(dim=-1)
    return per_row.mean() * temperature * temperature


def train_lwf(model: nn.Module, stream: list[Experience], *, alpha: float = 1.0,
              temperature: float = 2.0, epochs: int = 5, lr: float = 0.1, batch_size: int = 32,
              seed: int = 0) -> Tensor:
    """LwF over the stream."""
    r = torch.zeros(len(stream), len(stream), dtype=torch.float64)
    seen: list[int] = []
    for t, e in enumerate(stream):
        teacher = copy.deepcopy(model)
        teacher.requires_grad_(False)
        cols = torch.tensor(sorted(seen), dtype=torch.long, device=e["x_train"].device)

        def reg(m: nn.Module, xb: Tensor, teacher: nn.Module = teacher,
                cols: Tensor = cols) -> Tensor:
            with torch.no_grad():
                old = teacher(xb).index_select(1, cols)
            return alpha * distillation_loss(m(xb).index_select(1, cols), old, temperature)

        fit_experience(model, e["x_train"], e["y_train"], epochs=epochs, lr=lr,
                       batch_size=batch_size, seed=seed + t, regularizer=reg if t else None)
        seen = sorted(set(seen) | set(e["classes"].tolist()))
        r[t] = evaluate_stream(model, stream)
    return r
