"""VAE (alternative submission, written from the handout)."""

import math

import torch
from torch import Tensor, nn

LOG_2PI = math.log(2 * math.pi)


def reparameterize(mu: Tensor, logvar: Tensor, eps: Tensor) -> Tensor:
    """mu + sigma * eps."""
    return torch.addcmul(mu, (logvar / 2).exp(), eps)


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL to the standard normal, per example."""
    per_dim = mu.pow(2) + logvar.exp() - logvar - 1
    return per_dim.sum(-1) / 2


def bernoulli_log_likelihood(logits: Tensor, x: Tensor) -> Tensor:
    """Stable Bernoulli log-likelihood: x l - softplus(l)."""
    return (x * logits - torch.nn.functional.softplus(logits)).sum(-1)


def gaussian_log_likelihood(mean: Tensor, x: Tensor, sigma: float = 1.0) -> Tensor:
    """Isotropic Gaussian log-density per example."""
    d = x.shape[-1]
    sq = ((x - mean) / sigma).pow(2).sum(-1)
    return -0.5 * sq - d * (math.log(sigma) + 0.5 * LOG_2PI)


def elbo(x: Tensor, decoded: Tensor, mu: Tensor, logvar: Tensor, *,
         likelihood: str = "bernoulli", beta: float = 1.0, sigma: float = 1.0) -> Tensor:
    """Per-example beta-ELBO."""
    table = {"bernoulli": lambda: bernoulli_log_likelihood(decoded, x),
             "gaussian": lambda: gaussian_log_likelihood(decoded, x, sigma)}
    if likelihood not in table:
        raise ValueError("likelihood must be 'bernoulli' or 'gaussian'")
    return table[likelihood]() - gaussian_kl(mu, logvar) * beta


class VAE(nn.Module):
    """MLP VAE with a shared body, two heads and an MLP decoder."""

    def __init__(self, in_dim: int = 64, latent: int = 8, hidden: int = 128) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(),
                                     nn.Linear(hidden, in_dim))

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(mu, logvar)."""
        features = self.body(x)
        return self.mu(features), self.logvar(features)

    def forward(self, x: Tensor, eps: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(decoded, mu, logvar)."""
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar, eps)
        return self.decoder(z), mu, logvar


def train_vae(model: VAE, x: Tensor, *, epochs: int = 30, lr: float = 3e-3, batch_size: int = 64,
              beta: float = 1.0, seed: int = 0) -> list[float]:
    """Adam on -mean ELBO; one generator for orders and eps."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    k = model.logvar.weight.shape[0]
    out = []
    for _ in range(epochs):
        perm = torch.randperm(x.shape[0], generator=gen).to(x.device)
        acc, seen = 0.0, 0
        for idx in perm.split(batch_size):
            xb = x[idx]
            noise = torch.randn(idx.numel(), k, generator=gen, dtype=x.dtype).to(x.device)
            dec, mu, logvar = model(xb, noise)
            loss = -elbo(xb, dec, mu, logvar, beta=beta).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            acc += loss.item() * idx.numel()
            seen += idx.numel()
        out.append(acc / seen)
    return out


def importance_weighted_log_likelihood(model: VAE, x: Tensor, eps: Tensor) -> Tensor:
    """log-mean-exp of the importance weights over the S samples."""
    s = eps.shape[0]
    with torch.no_grad():
        mu, logvar = model.encode(x)
        estimates = []
        for e in eps:
            z = reparameterize(mu, logvar, e)
            log_lik = bernoulli_log_likelihood(model.decoder(z), x)
            log_prior = -0.5 * (z.pow(2).sum(-1) + z.shape[-1] * LOG_2PI)
            log_post = -0.5 * ((e.pow(2) + logvar).sum(-1) + z.shape[-1] * LOG_2PI)
            estimates.append(log_lik + log_prior - log_post)
        w = torch.stack(estimates)
        top = w.max(0).values
        return top + torch.log(torch.exp(w - top).sum(0) / s)
