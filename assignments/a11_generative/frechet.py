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
    raise NotImplementedError('implement gaussian_fit in frechet.py')


def sqrtm_psd(matrix: Tensor) -> Tensor:
    """The symmetric PSD square root of a symmetric PSD matrix (F, F) by eigendecomposition,
    eigenvalues clamped at 0."""
    raise NotImplementedError('implement sqrtm_psd in frechet.py')


def frechet_distance(mu1: Tensor, sigma1: Tensor, mu2: Tensor, sigma2: Tensor) -> Tensor:
    """The squared Frechet distance d^2 (a scalar tensor) between two Gaussians."""
    raise NotImplementedError('implement frechet_distance in frechet.py')


def feature_frechet_distance(a: Tensor, b: Tensor) -> Tensor:
    """frechet_distance of the Gaussian fits of two feature sets a (N, F) and b (M, F)."""
    raise NotImplementedError('implement feature_frechet_distance in frechet.py')
