"""VAE: the KL, the likelihoods and the ELBO against torch.distributions; the IW bound."""

import math

import pytest
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence
from vae import (
    VAE,
    bernoulli_log_likelihood,
    elbo,
    gaussian_kl,
    gaussian_log_likelihood,
    importance_weighted_log_likelihood,
    reparameterize,
)


def test_kl_and_reparameterisation() -> None:
    mu, logvar, eps = torch.randn(3, 2, 4, dtype=torch.float64)
    want = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(gaussian_kl(mu, logvar), want)
    torch.testing.assert_close(reparameterize(mu, logvar, eps), mu + (0.5 * logvar).exp() * eps)


def test_likelihoods_and_elbo() -> None:
    logits, x = torch.randn(5, 6, dtype=torch.float64) * 3, torch.rand(5, 6, dtype=torch.float64)
    want = Bernoulli(logits=logits, validate_args=False).log_prob(x).sum(-1)
    torch.testing.assert_close(bernoulli_log_likelihood(logits, x), want)
    big = torch.tensor([[100.0, -100.0]], dtype=torch.float64)
    assert torch.isfinite(bernoulli_log_likelihood(big, torch.tensor([[0.0, 1.0]]).double())).all()
    torch.testing.assert_close(gaussian_log_likelihood(logits, x, 0.5),
                               Normal(logits, 0.5).log_prob(x).sum(-1))
    mu, logvar = torch.randn(5, 2, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)
    torch.testing.assert_close(elbo(x, logits, mu, logvar, beta=3.0),
                               want - 3.0 * gaussian_kl(mu, logvar))
    with pytest.raises(ValueError):
        elbo(x, logits, mu, logvar, likelihood="poisson")


def test_vae_and_importance_weighting() -> None:
    torch.manual_seed(0)
    model = VAE(12, 3, 10).double()
    assert tuple(model.mu.weight.shape) == (3, 10)
    assert tuple(model.decoder[2].weight.shape) == (12, 10)
    x, eps = torch.rand(4, 12, dtype=torch.float64), torch.randn(1, 4, 3, dtype=torch.float64)
    logits, mu, logvar = model(x, eps[0])
    z = reparameterize(mu, logvar, eps[0])
    log_w = (bernoulli_log_likelihood(logits, x) + Normal(0.0, 1.0).log_prob(z).sum(-1)
             - Normal(mu, (0.5 * logvar).exp()).log_prob(z).sum(-1))
    torch.testing.assert_close(importance_weighted_log_likelihood(model, x, eps), log_w.detach())
    many = torch.randn(20, 4, 3, dtype=torch.float64)
    iw = importance_weighted_log_likelihood(model, x, many)
    singles = torch.stack([importance_weighted_log_likelihood(model, x, e[None]) for e in many])
    assert (iw >= singles.mean(0)).all()  # Jensen: log-mean-exp >= mean of the same samples
    torch.testing.assert_close(iw, torch.logsumexp(singles, 0) - math.log(20))
