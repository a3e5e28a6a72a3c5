"""Generated data and fixed networks for a11_generative (no downloads).

- ``ring_centres`` / ``gaussian_mixture_2d``: the classic GAN benchmark, ``modes`` isotropic
  Gaussians of standard deviation ``std`` whose centres lie evenly on a circle of ``radius``.
- ``mode_quality``: how a set of 2-D samples covers such a mixture (modes hit, share of samples
  within ``k`` standard deviations of their nearest centre).
- ``feature_net``: a small fixed convolutional network (weights drawn from a seeded generator,
  never trained, never downloaded) whose activations serve as style-transfer and Frechet
  features for 1- or 3-channel images.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def ring_centres(modes: int = 8, radius: float = 2.0) -> Tensor:
    """The (modes, 2) float64 centres ``radius * (cos 2 pi k / modes, sin 2 pi k / modes)``."""
    if modes < 1 or radius <= 0:
        raise ValueError("need modes >= 1 and radius > 0")
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    return radius * torch.stack([angles.cos(), angles.sin()], dim=1)


def gaussian_mixture_2d(n: int, *, modes: int = 8, radius: float = 2.0, std: float = 0.05,
                        seed: int = 0) -> tuple[Tensor, Tensor]:
    """``n`` float32 points (n, 2) of the ring mixture and their int64 mode labels (n,), drawn
    with equal weights from a ``torch.Generator`` seeded ``seed``."""
    if n < 0 or std <= 0:
        raise ValueError("need n >= 0 and std > 0")
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, modes, (n,), generator=g)
    noise = torch.randn(n, 2, generator=g, dtype=torch.float64)
    x = ring_centres(modes, radius)[labels] + std * noise
    return x.float(), labels


def mode_quality(samples: Tensor, centres: Tensor, std: float, *, k: float = 3.0,
                 min_count: int = 1) -> tuple[int, float]:
    """(modes covered, high-quality share) of (N, 2) samples: a sample is high quality when it
    lies within ``k * std`` of its nearest centre; a mode is covered when at least ``min_count``
    high-quality samples are nearest to it."""
    d = torch.cdist(samples.double().cpu(), centres.double().cpu())  # (N, modes)
    dist, nearest = d.min(dim=1)
    good = dist <= k * std
    counts = torch.bincount(nearest[good], minlength=len(centres))
    return int((counts >= min_count).sum()), float(good.double().mean()) if len(samples) else 0.0


def feature_net(in_channels: int = 1, *, seed: int = 0) -> nn.Sequential:
    """A fixed random conv net, float32, in eval mode with frozen weights:
    conv3x3(in, 16) ReLU conv3x3(16, 32) ReLU AvgPool2 conv3x3(32, 32) ReLU (indices 0..6),
    padding 1, Kaiming-uniform weights and zero biases drawn from a generator seeded ``seed``
    (the global generator is not touched)."""
    g = torch.Generator().manual_seed(seed)
    net = nn.Sequential(nn.Conv2d(in_channels, 16, 3, padding=1), nn.ReLU(),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU())
    with torch.no_grad():
        for m in net:
            if isinstance(m, nn.Conv2d):
                bound = math.sqrt(6.0 / (m.in_channels * 9))
                m.weight.copy_((torch.rand(m.weight.shape, generator=g) * 2 - 1) * bound)
                assert m.bias is not None
                m.bias.zero_()
    for p in net.parameters():
        p.requires_grad_(False)
    return net.eval()


def conv_critic(in_channels: int = 1, size: int = 8, *, seed: int = 0) -> nn.Sequential:
    """A small float32 image critic (B, C, size, size) -> (B, 1): Conv2d(C, 4, 3, padding=1)
    Tanh Flatten Linear(4 size^2, 1), weights from ``torch.manual_seed(seed)``'s default init
    (the global generator's state is restored afterwards)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Conv2d(in_channels, 4, 3, padding=1), nn.Tanh(), nn.Flatten(),
                             nn.Linear(4 * size * size, 1))
