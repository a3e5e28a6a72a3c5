"""Classifier-free guidance (Ho & Salimans 2021).

One network learns both the conditional eps(x_t, t, y) and the unconditional eps(x_t, t, 0):
in training, each label is replaced by the "no label" token (label index K = num_classes) with
probability p_uncond. At sampling time the two predictions are mixed with guidance weight w:

    eps_guided = (1 + w) eps(x_t, t, y) - w eps(x_t, t, no label)

w = 0 is the plain conditional model; larger w pushes samples towards where the class is more
likely than the data overall (sharper, less diverse classes).
"""

import torch
from samplers import ddim_sample
from torch import Tensor, nn


def drop_labels(y: Tensor, p_uncond: float, null_label: int, seed: int) -> Tensor:
    """A copy of y (B,) int64 with each label independently replaced by null_label with
    probability p_uncond, drawn from ``torch.Generator(device=y.device).manual_seed(seed)``;
    y itself is not modified.

    Raises:
        ValueError: unless 0 <= p_uncond <= 1.
    """
    raise NotImplementedError("drop_labels")


def guided_noise(eps_cond: Tensor, eps_uncond: Tensor, w: float) -> Tensor:
    """(1 + w) eps_cond - w eps_uncond."""
    return (1 + w) * eps_cond - w * eps_uncond


class GuidedModel(nn.Module):
    """model(x, t) = guided_noise(inner(x, t, y), inner(x, t, null), w) for fixed labels y (B,),
    null = inner.num_classes: a conditional epsilon model turned into one a sampler can call."""

    def __init__(self, inner: nn.Module, y: Tensor, w: float) -> None:
        super().__init__()
        self.inner, self.y, self.w = inner, y, w

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        y = self.y.to(x.device)
        null = torch.full_like(y, int(self.inner.num_classes))
        return guided_noise(self.inner(x, t, y), self.inner(x, t, null), self.w)


def guided_sample(model: nn.Module, x_T: Tensor, y: Tensor, alphas_bar: Tensor, w: float, *,
                  num_steps: int = 50, seed: int = 0) -> Tensor:
    """Deterministic DDIM (eta = 0, num_steps steps) of GuidedModel(model, y, w) from x_T."""
    return ddim_sample(GuidedModel(model, y, w), x_T, alphas_bar, num_steps, seed=seed)
