"""A small fixed class-conditional critic for a11_generative's conditional GAN (never trained).

Graded tests give it to a student's conditional losses, so that a loss is checked against its
formula with a discriminator that is not the student's own.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class LabelCritic(nn.Module):
    """D(x, y) = out(tanh(hidden(x))) + bias[y], logits (B,): ``hidden`` = Linear(in_dim, 4),
    ``out`` = Linear(4, 1), ``bias`` = nn.Embedding(num_classes, 1)."""

    def __init__(self, in_dim: int, num_classes: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(in_dim, 4)
        self.out = nn.Linear(4, 1)
        self.bias = nn.Embedding(num_classes, 1)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        return (self.out(torch.tanh(self.hidden(x))) + self.bias(labels)).squeeze(-1)


def label_critic(in_dim: int = 2, num_classes: int = 8, *, seed: int = 0) -> LabelCritic:
    """A float32 LabelCritic with the default initialisation under ``torch.manual_seed(seed)``
    (the global generator's state is restored afterwards)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return LabelCritic(in_dim, num_classes)
