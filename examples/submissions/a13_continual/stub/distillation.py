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
    raise NotImplementedError('implement soft_targets in distillation.py')


def distillation_loss(new_logits: Tensor, old_logits: Tensor, temperature: float = 2.0) -> Tensor:
    """L_distill above for (B, C) logits: a scalar, differentiable in ``new_logits`` only (the old
    logits are targets: no gradient flows into them). Neither argument is modified.

    Raises:
        ValueError: when temperature <= 0.
    """
    raise NotImplementedError('implement distillation_loss in distillation.py')


def train_lwf(model: nn.Module, stream: list[Experience], *, alpha: float = 1.0,
              temperature: float = 2.0, epochs: int = 5, lr: float = 0.1, batch_size: int = 32,
              seed: int = 0) -> Tensor:
    """Train on the stream with LwF; return the (T, T) float64 accuracy matrix.

    Experience t >= 1 is trained with ``fit_experience(..., seed=seed + t)`` whose regularizer is
    alpha * distillation_loss(model(x_b)[:, seen], old(x_b)[:, seen], T), where ``old`` is a
    frozen copy of the model before experience t and ``seen`` the classes of experiences < t
    (experience 0 has no regularizer). Row t of R is ``evaluate_stream`` after experience t.
    """
    raise NotImplementedError('implement train_lwf in distillation.py')
