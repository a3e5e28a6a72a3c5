"""Classifier-free guidance (alternative submission)."""

import torch
from samplers import ddim_sample
from torch import Tensor, nn


def drop_labels(y: Tensor, p_uncond: float, null_label: int, seed: int) -> Tensor:
    """Drop labels with probability p_uncond."""
    if p_uncond < 0 or p_uncond > 1:
        raise ValueError("p_uncond must be in [0, 1]")
    g = torch.Generator(device=y.device)
    g.manual_seed(seed)
    keep = torch.bernoulli(torch.full(y.shape, 1 - p_uncond, device=y.device), generator=g)
    out = y.clone()
    out[keep == 0] = null_label
    return out


def guided_noise(eps_cond: Tensor, eps_uncond: Tensor, w: float) -> Tensor:
    """eps_c + w (eps_c - eps_u)."""
    return eps_cond + w * (eps_cond - eps_uncond)


class GuidedModel(nn.Module):
    """Guided epsilon model with fixed labels."""

    def __init__(self, inner: nn.Module, y: Tensor, w: float) -> None:
        super().__init__()
        self.inner, self.y, self.w = inner, y, w

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        y = self.y.to(x.device)
        both = self.inner(torch.cat([x, x]), torch.cat([t, t]),
                          torch.cat([y, torch.full_like(y, self.inner.num_classes)]))
        cond, uncond = both.chunk(2)
        return guided_noise(cond, uncond, self.w)


def guided_sample(model: nn.Module, x_T: Tensor, y: Tensor, alphas_bar: Tensor, w: float, *,
                  num_steps: int = 50, seed: int = 0) -> Tensor:
    """Guided DDIM, eta 0."""
    return ddim_sample(GuidedModel(model, y, w), x_T, alphas_bar, num_steps, eta=0.0, seed=seed)
