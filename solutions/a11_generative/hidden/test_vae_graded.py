"""Graded: reparameterisation, the Gaussian KL against torch.distributions, Bernoulli and
Gaussian likelihoods, the (beta-)ELBO, the VAE, the importance-weighted bound and a trained VAE
on digits (part "vae", 20 points)."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Bernoulli, Normal, kl_divergence

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.data import load_digits

TOL = {"rtol": 1e-9, "atol": 1e-10}


def gauss(rng, shape, device, scale=1.0):
    return torch.as_tensor(rng.normal(size=shape) * scale, device=device)


@part("vae")
@points(1)
def test_reparameterize(student, rng, device):
    """reparameterize is mu + exp(logvar / 2) * eps and leaves its arguments unchanged."""
    mu, logvar, eps = (gauss(rng, (5, 3), device) for _ in range(3))
    call = watch_call(student.vae.reparameterize, mu, logvar, eps)
    assert not call.changed, f"reparameterize modified {call.changed}"
    std = Normal(mu, torch.exp(0.5 * logvar)).stddev
    assert_close(call.result, mu + std * eps, **TOL, name="z")


@part("vae")
@points(2)
def test_gaussian_kl_against_torch_distributions(student, rng, device):
    """gaussian_kl matches torch.distributions.kl_divergence(N(mu, sigma), N(0, 1)) summed over
    the latent (float64), and is 0 for the standard normal."""
    mu, logvar = gauss(rng, (6, 4), device, 2.0), gauss(rng, (6, 4), device, 1.5)
    want = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)),
                         Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(-1)
    got = student.vae.gaussian_kl(mu, logvar)
    assert tuple(got.shape) == (6,), "gaussian_kl should return one KL per example"
    assert_close(got, want, **TOL, name="KL")
    zero = student.vae.gaussian_kl(torch.zeros_like(mu), torch.zeros_like(mu))
    assert_close(zero, torch.zeros(6, dtype=mu.dtype, device=device), atol=1e-12,
                 name="KL of N(0, I)")


@part("vae")
@points(2)
def test_bernoulli_log_likelihood(student, rng, device):
    """bernoulli_log_likelihood matches torch.distributions.Bernoulli(logits).log_prob summed over
    pixels, for binary and for grey-level targets, and stays finite at logits of +-200."""
    logits = gauss(rng, (4, 10), device, 3.0)
    for x in (torch.as_tensor(rng.integers(0, 2, (4, 10)), dtype=torch.float64, device=device),
              torch.as_tensor(rng.uniform(size=(4, 10)), device=device)):
        want = Bernoulli(logits=logits, validate_args=False).log_prob(x).sum(-1)
        assert_close(student.vae.bernoulli_log_likelihood(logits, x), want, **TOL,
                     name="log p(x|z)")
    big = torch.tensor([[200.0, -200.0, 200.0]], dtype=torch.float64, device=device)
    x = torch.tensor([[0.0, 1.0, 1.0]], dtype=torch.float64, device=device)
    got = student.vae.bernoulli_log_likelihood(big, x)
    assert torch.isfinite(got).all(), "the log-likelihood overflows at large logits"
    assert_close(got, torch.tensor([-400.0], dtype=torch.float64, device=device), rtol=1e-9,
                 name="log p(x|z) at logits +-200")


@part("vae")
@points(1)
def test_gaussian_log_likelihood(student, rng, device):
    """gaussian_log_likelihood matches torch.distributions.Normal(mean, sigma).log_prob summed
    over the data dimensions, for sigma 1 and 0.3."""
    mean, x = gauss(rng, (5, 7), device), gauss(rng, (5, 7), device)
    for sigma in (1.0, 0.3):
        want = Normal(mean, sigma).log_prob(x).sum(-1)
        assert_close(student.vae.gaussian_log_likelihood(mean, x, sigma), want, **TOL,
                     name=f"log N with sigma={sigma}")


@part("vae")
@points(2)
def test_elbo_and_beta(student, rng, device):
    """elbo = log p(x|z) - beta KL for both likelihoods and several beta, per example; an unknown
    likelihood raises ValueError."""
    x = torch.as_tensor(rng.uniform(size=(4, 6)), device=device)
    dec = gauss(rng, (4, 6), device)
    mu, logvar = gauss(rng, (4, 3), device), gauss(rng, (4, 3), device)
    kl = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)).sum(-1)
    bern = Bernoulli(logits=dec, validate_args=False).log_prob(x).sum(-1)
    for beta in (1.0, 4.0, 0.25):
        got = student.vae.elbo(x, dec, mu, logvar, likelihood="bernoulli", beta=beta)
        assert_close(got, bern - beta * kl, **TOL, name=f"Bernoulli ELBO with beta={beta}")
    gaus = Normal(dec, 0.5).log_prob(x).sum(-1)
    got = student.vae.elbo(x, dec, mu, logvar, likelihood="gaussian", beta=2.0, sigma=0.5)
    assert_close(got, gaus - 2.0 * kl, **TOL, name="Gaussian ELBO with beta=2, sigma=0.5")
    assert_close(student.vae.elbo(x, dec, mu, logvar), bern - kl, **TOL,
                 name="the default ELBO (Bernoulli, beta 1)")
    with pytest.raises(StudentError, match="ValueError"):
        student.vae.elbo(x, dec, mu, logvar, likelihood="laplace")


def functional_vae(sd, x, eps):
    """The handout's VAE written out from a state_dict."""
    h = F.relu(F.linear(x, sd["body.0.weight"], sd["body.0.bias"]))
    mu = F.linear(h, sd["mu.weight"], sd["mu.bias"])
    logvar = F.linear(h, sd["logvar.weight"], sd["logvar.bias"])
    z = mu + torch.exp(0.5 * logvar) * eps
    hd = F.relu(F.linear(z, sd["decoder.0.weight"], sd["decoder.0.bias"]))
    return F.linear(hd, sd["decoder.2.weight"], sd["decoder.2.bias"]), mu, logvar


def student_vae(student, rng, device, in_dim=12, latent=3, hidden=10):
    model = student.vae.VAE(in_dim, latent, hidden)
    sd = {k: torch.as_tensor(rng.normal(size=tuple(v.shape)) * 0.5, device=device)
          for k, v in model.state_dict().items()}
    model.double()
    model.to(device)
    model.load_state_dict(sd)
    return model, sd


@part("vae")
@points(3)
def test_vae_architecture_and_forward(student, rng, device):
    """VAE has the handout's parameters (by shape) and forward returns (decoded, mu, logvar)
    for the given eps; encode returns (mu, logvar)."""
    model = student.vae.VAE(12, 3, 10)
    want = {"body.0.weight": (10, 12), "body.0.bias": (10,), "mu.weight": (3, 10),
            "mu.bias": (3,), "logvar.weight": (3, 10), "logvar.bias": (3,),
            "decoder.0.weight": (10, 3), "decoder.0.bias": (10,), "decoder.2.weight": (12, 10),
            "decoder.2.bias": (12,)}
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == want, \
        "the VAE's parameters differ from the handout's"
    model, sd = student_vae(student, rng, device)
    x, eps = torch.as_tensor(rng.uniform(size=(5, 12)), device=device), gauss(rng, (5, 3), device)
    got = model(x, eps)
    want_out = functional_vae(sd, x, eps)
    for g, w, name in zip(got, want_out, ("decoded", "mu", "logvar"), strict=True):
        assert_close(g, w, **TOL, name=name)
    mu, logvar = model.encode(x)
    assert_close(mu, want_out[1], **TOL, name="encode's mu")
    assert_close(logvar, want_out[2], **TOL, name="encode's logvar")


@part("vae")
@points(3)
def test_importance_weighted_estimate(student, rng, device):
    """importance_weighted_log_likelihood matches log-mean-exp of log p(x|z) + log p(z) -
    log q(z|x) (torch.distributions, float64), equals the one-sample ELBO for S = 1, and with
    S = 64 its mean is above the mean ELBO of the same samples."""
    model, sd = student_vae(student, rng, device)
    x = torch.as_tensor(rng.uniform(size=(6, 12)), device=device)
    eps = gauss(rng, (64, 6, 3), device)
    logits, mu, logvar = functional_vae(sd, x.expand(64, 6, 12), eps)
    z = mu + torch.exp(0.5 * logvar) * eps
    log_w = (Bernoulli(logits=logits, validate_args=False).log_prob(x).sum(-1)
             + Normal(0.0, 1.0).log_prob(z).sum(-1)
             - Normal(mu, torch.exp(0.5 * logvar)).log_prob(z).sum(-1))  # (S, B)
    want = torch.logsumexp(log_w, 0) - math.log(64)
    got = student.vae.importance_weighted_log_likelihood(model, x, eps)
    assert_close(got, want, rtol=1e-8, atol=1e-8, name="IW estimate with S=64")
    one = student.vae.importance_weighted_log_likelihood(model, x, eps[:1])
    assert_close(one, log_w[0], rtol=1e-8, atol=1e-8, name="IW estimate with S=1")
    kl = kl_divergence(Normal(mu[0], torch.exp(0.5 * logvar[0])), Normal(0.0, 1.0)).sum(-1)
    elbo = Bernoulli(logits=logits, validate_args=False).log_prob(x).sum(-1).mean(0) - kl
    assert got.mean() > elbo.mean(), "the importance-weighted estimate is not above the ELBO"


@part("vae")
@points(1)
def test_train_vae_recipe(student, rng, device):
    """train_vae follows the handout's recipe (Adam, one generator drawing each epoch's order
    and then each batch's eps, -mean ELBO with beta, the per-epoch mean loss): losses and final
    weights match a replay from the student's own initial weights."""
    model = student.vae.VAE(6, 2, 5)
    model.double()
    model.to(device)
    init = model.state_dict()
    x = torch.as_tensor(rng.uniform(size=(13, 6)), device=device)
    got = student.vae.train_vae(model, x, epochs=2, lr=0.01, batch_size=5, beta=2.0, seed=4)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in init.items()}
    opt = torch.optim.Adam(list(params.values()), lr=0.01)
    g = torch.Generator().manual_seed(4)
    want = []
    for _ in range(2):
        order = torch.randperm(13, generator=g).to(device)
        total = 0.0
        for start in range(0, 13, 5):
            batch = x[order[start:start + 5]]
            eps = torch.randn(len(batch), 2, generator=g, dtype=x.dtype).to(device)
            logits, mu, logvar = functional_vae(params, batch, eps)
            kl = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)).sum(-1)
            rec = Bernoulli(logits=logits, validate_args=False).log_prob(batch).sum(-1)
            loss = -(rec - 2.0 * kl).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        want.append(total / 13)
    assert_close(torch.tensor(got), torch.tensor(want), rtol=1e-6, atol=1e-9,
                 name="per-epoch losses")
    assert_close(model.state_dict()["decoder.2.weight"], params["decoder.2.weight"].detach(),
                 rtol=1e-6, atol=1e-9, name="final decoder weight")


@part("vae")
@points(3)
def test_trained_vae_heldout_elbo(student, device):
    """train_vae (10 epochs, latent 8, hidden 128) reaches a held-out ELBO above -23 nats on
    binarised digits (the best image-independent model, the mean image, has -25; a correct VAE
    about -20.5); returns 10 losses that fall; the 64-sample IW estimate of the trained model is
    above its ELBO."""
    splits = load_digits(seed=0)
    x = torch.as_tensor(splits["train"].x > 0.5, dtype=torch.float32, device=device)
    test = torch.as_tensor(splits["test"].x > 0.5, dtype=torch.float32, device=device)
    model = student.vae.VAE(64, 8, 128)
    model.to(device)
    hist = student.vae.train_vae(model, x, epochs=10, lr=3e-3, batch_size=64, seed=0)
    assert len(hist) == 10 and hist[-1] < hist[0], "train_vae should return 10 falling losses"
    sd = {k: v.to(torch.float32) for k, v in model.state_dict().items()}
    eps = torch.randn(64, len(test), 8, generator=torch.Generator().manual_seed(3)).to(device)
    with torch.no_grad():
        logits, mu, logvar = functional_vae(sd, test, eps[0])
    kl = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)).sum(-1)
    heldout = (Bernoulli(logits=logits, validate_args=False).log_prob(test).sum(-1) - kl).mean()
    assert heldout > -23.0, f"held-out ELBO {heldout:.2f} nats is too low"
    iw = student.vae.importance_weighted_log_likelihood(model, test, eps).mean()
    assert iw > heldout, "the importance-weighted estimate is not above the held-out ELBO"
