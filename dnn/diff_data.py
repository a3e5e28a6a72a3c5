"""2-D data, sample distances and a fixed toy denoiser for a12_diffusion.

- ``two_moons(n, seed)``: scikit-learn's two moons (noise 0.05), centred and scaled by fixed
  constants to roughly unit variance, float32 (n, 2); the dataset card is
  ``datasets/cards/two_moons.md``.
- ``blobs(n, seed)``: a conditional task, ``NUM_BLOB_CLASSES`` overlapping Gaussians (std
  ``BLOB_STD``) centred on a circle of radius ``BLOB_RADIUS``; ``(x (n, 2) float32, y (n,)
  int64)``. ``nearest_centre(x)`` is the Bayes classifier of equal-weight, equal-std classes.
- ``mmd_rbf(x, y)``: the squared maximum mean discrepancy with a sum of RBF kernels (biased
  V-statistic, float64), 0 for equal sets; ``sliced_wasserstein(x, y)`` the mean over random
  directions of the 1-D Wasserstein-1 distance of the projections (equal sizes).
- ``ToyDenoiser``: a fixed, seeded, smooth function of (x, t, y) shaped like a denoiser, to run
  samplers against diffusers' schedulers without training anything.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.datasets import make_moons
from torch import Tensor, nn

__all__ = ["BLOB_RADIUS", "BLOB_STD", "NUM_BLOB_CLASSES", "ToyDenoiser", "blob_centres",
           "blobs", "gaussian_baseline", "mmd_rbf", "nearest_centre", "sliced_wasserstein",
           "two_moons"]

_MOONS_CENTRE = np.array([0.5, 0.25])
_MOONS_SCALE = np.array([0.87, 0.5])
NUM_BLOB_CLASSES = 3
BLOB_RADIUS = 1.0
BLOB_STD = 0.65


def two_moons(n: int, seed: int = 0, noise: float = 0.05) -> Tensor:
    """n points of two moons (both moons equally often), float32 (n, 2), about unit variance."""
    x, _ = make_moons(n, noise=noise, random_state=seed)
    return torch.as_tensor((x - _MOONS_CENTRE) / _MOONS_SCALE, dtype=torch.float32)


def blob_centres() -> Tensor:
    """(NUM_BLOB_CLASSES, 2) float32: the class centres, evenly spaced on the circle."""
    angle = 2 * math.pi * torch.arange(NUM_BLOB_CLASSES, dtype=torch.float64) / NUM_BLOB_CLASSES
    return (BLOB_RADIUS * torch.stack([angle.cos(), angle.sin()], 1)).float()


def blobs(n: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """n labelled points of the overlapping blobs: x (n, 2) float32, y (n,) int64."""
    gen = np.random.default_rng(seed)
    y = gen.integers(0, NUM_BLOB_CLASSES, n)
    x = blob_centres().numpy()[y] + BLOB_STD * gen.standard_normal((n, 2))
    return torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.int64)


def nearest_centre(x: Tensor) -> Tensor:
    """(n,) int64: the class whose centre is nearest to each point of x (n, 2)."""
    centres = blob_centres().to(x.device, torch.float64)
    return torch.cdist(x.double(), centres).argmin(1)


def gaussian_baseline(x: Tensor, n: int, seed: int = 0) -> Tensor:
    """n float32 samples of the Gaussian with x's mean and covariance: the baseline to beat."""
    data = x.double().cpu().numpy()
    gen = np.random.default_rng(seed)
    out = gen.multivariate_normal(data.mean(0), np.cov(data.T), size=n)
    return torch.as_tensor(out, dtype=torch.float32)


def mmd_rbf(x: Tensor, y: Tensor, bandwidths: tuple[float, ...] = (0.05, 0.2, 0.8)) -> float:
    """Squared MMD of x (n, d) and y (m, d) with k(a, b) = sum_s exp(-|a - b|^2 / (2 s^2))."""
    x, y = x.double().cpu(), y.double().cpu()

    def kernel(a: Tensor, b: Tensor) -> Tensor:
        d2 = torch.cdist(a, b) ** 2
        return sum(torch.exp(-d2 / (2 * s * s)) for s in bandwidths)  # type: ignore[return-value]

    return float(kernel(x, x).mean() + kernel(y, y).mean() - 2 * kernel(x, y).mean())


def sliced_wasserstein(x: Tensor, y: Tensor, num_projections: int = 128, seed: int = 0) -> float:
    """Mean over random unit directions of W1 between the 1-D projections of x and y (n, d)."""
    if x.shape != y.shape:
        raise ValueError("sliced_wasserstein compares two sets of the same size")
    gen = torch.Generator().manual_seed(seed)
    dirs = torch.randn(x.shape[1], num_projections, generator=gen, dtype=torch.float64)
    dirs = dirs / dirs.norm(dim=0, keepdim=True)
    px = (x.double().cpu() @ dirs).sort(0).values
    py = (y.double().cpu() @ dirs).sort(0).values
    return float((px - py).abs().mean())


class ToyDenoiser(nn.Module):
    """out = tanh(x W + sin(t / T * f) V + E[y]) / 2: a fixed, seeded, smooth model(x, t, y).

    ``y`` (B,) int64 in 0..num_classes (the last is "no label") or None (= no label).
    """

    def __init__(self, dim: int = 2, num_steps: int = 100, num_classes: int = 3,
                 seed: int = 0) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.num_steps, self.num_classes = num_steps, num_classes
        self.w = nn.Parameter(torch.randn(dim, dim, generator=gen) * 0.8)
        self.f = nn.Parameter(torch.randn(8, generator=gen) * 3)
        self.v = nn.Parameter(torch.randn(8, dim, generator=gen) * 0.5)
        self.e = nn.Parameter(torch.randn(num_classes + 1, dim, generator=gen) * 0.5)

    def forward(self, x: Tensor, t: Tensor, y: Tensor | None = None) -> Tensor:
        if y is None:
            y = torch.full((x.shape[0],), self.num_classes, dtype=torch.long, device=x.device)
        time = torch.sin(t.to(x.dtype)[:, None] / self.num_steps * self.f)   # (B, 8)
        return torch.tanh(x @ self.w + time @ self.v + self.e[y]) / 2
