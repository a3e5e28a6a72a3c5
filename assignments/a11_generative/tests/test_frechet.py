"""Frechet distance: fits against numpy, the closed form for diagonal covariances."""

import numpy as np
import torch
from frechet import feature_frechet_distance, frechet_distance, gaussian_fit, sqrtm_psd


def test_fit_and_sqrt() -> None:
    x = torch.randn(20, 3, dtype=torch.float64)
    mu, sigma = gaussian_fit(x)
    np.testing.assert_allclose(mu.numpy(), x.numpy().mean(0))
    np.testing.assert_allclose(sigma.numpy(), np.cov(x.numpy(), rowvar=False))
    root = sqrtm_psd(sigma)
    torch.testing.assert_close(root @ root, sigma)


def test_diagonal_closed_form() -> None:
    a, b = torch.tensor([1.0, 4.0, 0.25]).double(), torch.tensor([9.0, 1.0, 1.0]).double()
    mu1, mu2 = torch.zeros(3).double(), torch.tensor([1.0, 0.0, 2.0]).double()
    want = 5.0 + ((a.sqrt() - b.sqrt()) ** 2).sum().item()
    assert np.isclose(frechet_distance(mu1, torch.diag(a), mu2, torch.diag(b)).item(), want)
    x = torch.randn(50, 4, dtype=torch.float64)
    assert abs(feature_frechet_distance(x, x).item()) < 1e-8
