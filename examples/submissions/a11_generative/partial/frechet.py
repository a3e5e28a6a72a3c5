"""The Frechet distance between Gaussian fits of two feature sets (the FID of Heusel et al.
2017 when the features come from a fixed network).

For features X (N, F) the fit is mu = 1/N sum_n x_n and the unbiased covariance
Sigma = 1/(N-1) sum_n (x_n - mu)(x_n - mu)^T. Between N(mu1, S1) and N(mu2, S2):

    d^2 = ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^{1/2}).

tr (S1 S2)^{1/2} = sum_i sqrt(lambda_i), where lambda_i are the eigenvalues of the symmetric PSD
matrix S1^{1/2} S2 S1^{1/2} (negative round-off clamped to 0), so no non-symmetric square root
is needed.
"""

import torch
from torch import Tensor


def gaussian_fit(features: Tensor) -> tuple[Tensor, Tensor]:
    """(mu (F,), Sigma (F, F)) of features (N, F), N >= 2; raises ValueError for N < 2."""
    if features.dim() != 2 or len(features) < 2:
        raise ValueError("need features (N, F) with N >= 2")
    mu = features.mean(dim=0)
    centred = features - mu
    return mu, centred.T @ centred / len(features)


def sqrtm_psd(matrix: Tensor) -> Tensor:
    """The symmetric PSD square root of a symmetric PSD matrix (F, F) by eigendecomposition,
    eigenvalues clamped at 0."""
    vals, vecs = torch.linalg.eigh(matrix)
    return (vecs * vals.clamp(min=0).sqrt()) @ vecs.T


def frechet_distance(mu1: Tensor, sigma1: Tensor, mu2: Tensor, sigma2: Tensor) -> Tensor:
    """The squared Frechet distance d^2 (a scalar tensor) between two Gaussians."""
    root1 = sqrtm_psd(sigma1)
    middle = root1 @ sigma2 @ root1
    tr_cross = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    return ((mu1 - mu2) ** 2).sum() + torch.trace(sigma1) + torch.trace(sigma2) - 2 * tr_cross


def feature_frechet_distance(a: Tensor, b: Tensor) -> Tensor:
    """frechet_distance of the Gaussian fits of two feature sets a (N, F) and b (M, F)."""
    return frechet_distance(*gaussian_fit(a), *gaussian_fit(b))
