"""Learning without Forgetting (Li & Hoiem 2016): keep the old model's answers as soft targets.

Before learning experience t, a frozen copy of the model records its logits o on the new inputs;
the new model's logits z for the same (old) classes are pulled towards them with the
temperature-scaled distillation loss (Hinton et al. 2015)

    p_T = softmax(o / T),   q_T = softmax(z / T)
    L_distill = T^2 * 1/B sum_b ( - sum_c p_T[b, c] log q_T[b, c] )

T > 1 softens both distributions so the small logits (the "dark knowledge") count; the T^2 keeps
the gradient's scale independent of T. The total loss is CE(z, y) + alpha L_distill.
"""

import copy

import torch
import torch.nn.functional as F
from cl_metrics import evaluate_stream
from cl_streams import Experience
from cl_train import fit_experience
from torch import Tensor, nn


def soft_targets(logits: Tensor, temperature: float) -> Tensor:
    """softmax(logits / T) over the last axis, any shape (B, C)."""
    return F.softmax(logits / temperature, dim=-1)


def distillation_loss(new_logits: Tensor, old_logits: Tensor, temperature: float = 2.0) -> Tensor:
    """L_distill above for (B, C) logits: a scalar, differentiable in ``new_logits`` only (the old
    logits are targets: no gradient flows into them). Neither argument is modified.

    Raises:
        ValueError: when temperature <= 0.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    target = soft_targets(old_logits.detach(), temperature)
    log_q = F.log_softmax(new_logits / temperature, dim=-1)
    return temperature ** 2 * -(target * log_q).sum(-1).mean()


def train_lwf(model: nn.Module, stream: list[Experience], *, alpha: float = 1.0,
              temperature: float = 2.0, epochs: int = 5, lr: float = 0.1, batch_size: int = 32,
              seed: int = 0) -> Tensor:
    """Train on the stream with LwF; return the (T, T) float64 accuracy matrix.

    Experience t >= 1 is trained with ``fit_experience(..., seed=seed + t)`` whose regularizer is
    alpha * distillation_loss(model(x_b)[:, seen], old(x_b)[:, seen], T), where ``old`` is a
    frozen copy of the model before experience t and ``seen`` the classes of experiences < t
    (experience 0 has no regularizer). Row t of R is ``evaluate_stream`` after experience t.
    """
    rows = []
    seen = torch.zeros(0, dtype=torch.int64)
    for t, exp in enumerate(stream):
        old = copy.deepcopy(model).eval()
        for p in old.parameters():
            p.requires_grad_(False)
        cols = seen.to(exp["y_train"].device)

        def regularizer(m: nn.Module, xb: Tensor, old: nn.Module = old,
                        cols: Tensor = cols) -> Tensor:
            return alpha * distillation_loss(m(xb)[:, cols], old(xb)[:, cols], temperature)

        fit_experience(model, exp["x_train"], exp["y_train"], epochs=epochs, lr=lr,
                       batch_size=batch_size, seed=seed + t,
                       regularizer=regularizer if t > 0 else None)
        seen = torch.unique(torch.cat([seen, exp["classes"].cpu()]))
        rows.append(evaluate_stream(model, stream))
    return torch.stack(rows)
