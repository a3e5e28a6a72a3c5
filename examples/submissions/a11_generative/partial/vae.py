"""The variational autoencoder (Kingma & Welling 2014) and beta-VAE (Higgins et al. 2017).

Encoder q(z|x) = N(mu(x), diag exp(logvar(x))), prior p(z) = N(0, I), decoder p(x|z). With
eps ~ N(0, I) the reparameterised sample z = mu + exp(logvar / 2) * eps is differentiable in
mu and logvar. Per example (shapes (B, K) for the latent, (B, D) for the data):

    KL(q || p) = 1/2 sum_k (exp(logvar_k) + mu_k^2 - 1 - logvar_k)
    ELBO(x)    = log p(x|z) - beta KL(q(z|x) || p(z))          (beta = 1: the VAE)

    Bernoulli:  log p(x|z) = sum_d x_d log s(l_d) + (1 - x_d) log(1 - s(l_d)),  s = sigmoid,
                l the decoder's logits (x_d in [0, 1] is allowed)
    Gaussian:   log p(x|z) = sum_d -1/2 (log(2 pi sigma^2) + (x_d - m_d)^2 / sigma^2)

The importance-weighted estimate (Burda et al. 2016) with z_1..z_S ~ q(z|x),

    log p(x) ~ log 1/S sum_s p(x|z_s) p(z_s) / q(z_s|x)

is a lower bound of log p(x) at least as tight as the ELBO (equal in expectation for S = 1).
"""

import math

import torch
from torch import Tensor, nn


def reparameterize(mu: Tensor, logvar: Tensor, eps: Tensor) -> Tensor:
    """z = mu + exp(logvar / 2) * eps, all (B, K); differentiable in mu and logvar."""
    return mu + torch.exp(0.5 * logvar) * eps


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu, diag exp(logvar)) || N(0, I)) of every example, (B,) from (B, K)."""
    return 0.5 * (logvar.exp() + mu ** 2 - 1.0 - logvar).mean(dim=-1)


def bernoulli_log_likelihood(logits: Tensor, x: Tensor) -> Tensor:
    """sum_d log Bernoulli(x_d; sigmoid(logits_d)), (B,) from (B, D); numerically stable for
    large |logits| (no log of a sigmoid)."""
    return -nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)


def gaussian_log_likelihood(mean: Tensor, x: Tensor, sigma: float = 1.0) -> Tensor:
    """sum_d log N(x_d; mean_d, sigma^2), (B,) from (B, D)."""
    return -0.5 * (math.log(2 * math.pi * sigma ** 2) + (x - mean) ** 2 / sigma ** 2).sum(-1)


def elbo(x: Tensor, decoded: Tensor, mu: Tensor, logvar: Tensor, *,
         likelihood: str = "bernoulli", beta: float = 1.0, sigma: float = 1.0) -> Tensor:
    """The per-example (beta-)ELBO (B,): log p(x|z) - beta KL, where ``decoded`` holds the
    decoder's logits (``likelihood="bernoulli"``) or means (``"gaussian"``, std ``sigma``).
    Raises ValueError for any other likelihood."""
    if likelihood == "bernoulli":
        rec = bernoulli_log_likelihood(decoded, x)
    elif likelihood == "gaussian":
        rec = gaussian_log_likelihood(decoded, x, sigma)
    else:
        raise ValueError(f"unknown likelihood {likelihood!r}")
    return rec - beta * gaussian_kl(mu, logvar)


class VAE(nn.Module):
    """body = Sequential(Linear(D, H), ReLU); heads ``mu`` = Linear(H, K), ``logvar`` =
    Linear(H, K); ``decoder`` = Sequential(Linear(K, H), ReLU, Linear(H, D)) giving logits (or
    means). Attributes named exactly ``body``, ``mu``, ``logvar``, ``decoder``."""

    def __init__(self, in_dim: int = 64, latent: int = 8, hidden: int = 128) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(),
                                     nn.Linear(hidden, in_dim))

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """x (B, D) -> (mu, logvar), each (B, K)."""
        h = self.body(x)
        return self.mu(h), self.logvar(h)

    def forward(self, x: Tensor, eps: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(decoded (B, D), mu, logvar) with z = reparameterize(mu, logvar, eps), eps (B, K)."""
        mu, logvar = self.encode(x)
        return self.decoder(reparameterize(mu, logvar, eps)), mu, logvar


def train_vae(model: VAE, x: Tensor, *, epochs: int = 30, lr: float = 3e-3, batch_size: int = 64,
              beta: float = 1.0, seed: int = 0) -> list[float]:
    """Adam(lr) on -mean Bernoulli (beta-)ELBO in minibatches; one torch.Generator g seeded
    ``seed`` (on the CPU) draws every epoch's order torch.randperm(N, generator=g) and then each
    batch's eps = torch.randn(b, K, generator=g); both are moved to x's device. Trains in place;
    returns the mean loss (-ELBO) of every epoch."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    latent = model.mu.out_features
    history = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g).to(x.device)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = x[order[start:start + batch_size]]
            eps = torch.randn(len(batch), latent, generator=g, dtype=x.dtype).to(x.device)
            logits, mu, logvar = model(batch, eps)
            loss = -elbo(batch, logits, mu, logvar, beta=beta).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        history.append(total / len(x))
    return history


def importance_weighted_log_likelihood(model: VAE, x: Tensor, eps: Tensor) -> Tensor:
    """The importance-weighted estimate of log p(x) (B,) for the Bernoulli decoder with the S
    samples z_s = reparameterize(mu, logvar, eps[s]), eps (S, B, K): log-mean-exp over s of
    log p(x|z_s) + log N(z_s; 0, I) - log q(z_s|x), computed stably (logsumexp), no gradients."""
    raise NotImplementedError('implement importance_weighted_log_likelihood in vae.py')
