"""Frechet distance (alternative submission, written from the handout)."""

import torch
from torch import Tensor


def gaussian_fit(features: Tensor) -> tuple[Tensor, Tensor]:
    """Mean and unbiased covariance."""
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError("gaussian_fit needs at least two rows of features")
    return features.mean(0), torch.cov(features.T)


def sqrtm_psd(matrix: Tensor) -> Tensor:
    """PSD square root through eigh."""
    sym = (matrix + matrix.T) / 2
    vals, vecs = torch.linalg.eigh(sym)
    root = torch.sqrt(torch.clamp(vals, min=0.0))
    return vecs @ torch.diag(root) @ vecs.T


def frechet_distance(mu1: Tensor, sigma1: Tensor, mu2: Tensor, sigma2: Tensor) -> Tensor:
    """||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^1/2)."""
    r2 = sqrtm_psd(sigma2)
    inner = r2 @ sigma1 @ r2
    cross = torch.linalg.eigvalsh((inner + inner.T) / 2).clamp_min(0).sqrt().sum()
    diff = mu1 - mu2
    return diff @ diff + sigma1.diagonal().sum() + sigma2.diagonal().sum() - 2 * cross


def feature_frechet_distance(a: Tensor, b: Tensor) -> Tensor:
    """Frechet distance of the two feature sets' Gaussian fits."""
    mu_a, cov_a = gaussian_fit(a)
    mu_b, cov_b = gaussian_fit(b)
    return frechet_distance(mu_a, cov_a, mu_b, cov_b)
