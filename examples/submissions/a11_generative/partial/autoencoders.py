"""Undercomplete and denoising autoencoders on flat inputs.

An autoencoder maps x (B, D) to a code h = f(x) (B, K), K < D, and back to x_hat = g(h) (B, D),
trained to minimise the mean squared reconstruction error

    L = 1/(B D) sum_{b, d} (x_hat_bd - x_bd)^2.

With a linear encoder and decoder (and centred data) the optimum spans the same subspace as the
top-K principal components (Baldi & Hornik 1989): the column space of the decoder weight (D, K)
is the PCA subspace, though the weights themselves need not be orthonormal. A denoising
autoencoder (Vincent et al. 2008) sees a corrupted x~ = x + sigma eps, eps ~ N(0, I), and is
trained to output the clean x.
"""

import torch
from torch import Tensor, nn


class Autoencoder(nn.Module):
    """encoder: Linear(D, H) act Linear(H, K); decoder: Linear(K, H) act Linear(H, D), with
    act = ReLU. With ``hidden=None`` each side is a single Linear (D -> K, K -> D) and no
    activation: the linear autoencoder. Attributes ``encoder`` and ``decoder`` are
    ``nn.Sequential``. Raises ValueError unless 0 < latent < in_dim."""

    def __init__(self, in_dim: int, latent: int, hidden: int | None = None) -> None:
        super().__init__()
        if not 0 < latent < in_dim:
            raise ValueError("an undercomplete autoencoder needs 0 < latent < in_dim")
        if hidden is None:
            self.encoder = nn.Sequential(nn.Linear(in_dim, latent))
            self.decoder = nn.Sequential(nn.Linear(latent, in_dim))
        else:
            self.encoder = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(),
                                         nn.Linear(hidden, latent))
            self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(),
                                         nn.Linear(hidden, in_dim))

    def forward(self, x: Tensor) -> Tensor:
        """x (B, D) -> reconstruction (B, D) = decoder(encoder(x))."""
        return self.decoder(self.encoder(x))


def corrupt(x: Tensor, std: float, seed: int) -> Tensor:
    """x + std * eps with eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))
    drawn on the CPU in x's dtype and moved to x's device. Does not modify x."""
    g = torch.Generator().manual_seed(seed)
    eps = torch.randn(x.shape, generator=g, dtype=x.dtype)
    return x + std * eps.to(x.device)


def reconstruction_loss(x_hat: Tensor, x: Tensor) -> Tensor:
    """The mean squared error over all B * D entries, a scalar."""
    return ((x_hat - x) ** 2).sum(dim=1).mean()


def train_autoencoder(model: nn.Module, x: Tensor, *, epochs: int = 50, lr: float = 1e-2,
                      batch_size: int = 64, noise_std: float = 0.0, seed: int = 0) -> list[float]:
    """Adam(lr) on reconstruction_loss(model(x~), x) in minibatches; every epoch visits x (N, D)
    in the order torch.randperm(N, generator=g) of one generator g seeded ``seed``; with
    noise_std > 0, x~ = corrupt(batch, noise_std, seed + step) (step counts the minibatches from
    0), else x~ = batch. Trains in place; returns the mean training loss of every epoch."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    history, step = [], 0
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g).to(x.device)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = x[order[start:start + batch_size]]
            noisy = corrupt(batch, noise_std, seed + step) if noise_std > 0 else batch
            loss = reconstruction_loss(model(noisy), batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
            step += 1
        history.append(total / len(x))
    return history


def decoder_basis(model: Autoencoder) -> Tensor:
    """An orthonormal basis (D, K) of the column space of the linear autoencoder's decoder
    weight (D, K), e.g. the Q of its reduced QR decomposition, detached."""
    w = model.decoder[0].weight.detach()
    q, _ = torch.linalg.qr(w)
    return q
