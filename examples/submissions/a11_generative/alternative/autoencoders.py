"""Autoencoders (alternative submission, written from the handout)."""

import torch
from torch import Tensor, nn


class Autoencoder(nn.Module):
    """Deep (ReLU MLP) or linear autoencoder with ``encoder`` and ``decoder`` Sequentials."""

    def __init__(self, in_dim: int, latent: int, hidden: int | None = None) -> None:
        super().__init__()
        if latent <= 0 or latent >= in_dim:
            raise ValueError(f"latent must lie in 1..{in_dim - 1}")
        widths = [in_dim, latent] if hidden is None else [in_dim, hidden, latent]

        def stack(ws: list[int]) -> nn.Sequential:
            layers: list[nn.Module] = []
            for k, (a, b) in enumerate(zip(ws[:-1], ws[1:], strict=True)):
                if k:
                    layers.append(nn.ReLU())
                layers.append(nn.Linear(a, b))
            return nn.Sequential(*layers)

        self.encoder = stack(widths)
        self.decoder = stack(widths[::-1])

    def forward(self, x: Tensor) -> Tensor:
        """decoder(encoder(x))."""
        code = self.encoder(x)
        return self.decoder(code)


def corrupt(x: Tensor, std: float, seed: int) -> Tensor:
    """x plus seeded Gaussian noise."""
    gen = torch.Generator()
    gen.manual_seed(seed)
    noise = torch.randn(tuple(x.shape), generator=gen, dtype=x.dtype)
    return torch.add(x, noise.to(x.device), alpha=std)


def reconstruction_loss(x_hat: Tensor, x: Tensor) -> Tensor:
    """Mean squared error."""
    diff = (x_hat - x).flatten()
    return diff.dot(diff) / diff.numel()


def train_autoencoder(model: nn.Module, x: Tensor, *, epochs: int = 50, lr: float = 1e-2,
                      batch_size: int = 64, noise_std: float = 0.0, seed: int = 0) -> list[float]:
    """Adam training with a seeded order; per-epoch mean losses."""
    params = list(model.parameters())
    optimiser = torch.optim.Adam(params, lr=lr)
    order_gen = torch.Generator().manual_seed(seed)
    n = x.shape[0]
    losses: list[float] = []
    step = 0
    for _epoch in range(epochs):
        perm = torch.randperm(n, generator=order_gen).to(x.device)
        batches = torch.split(perm, batch_size)
        weighted = []
        for idx in batches:
            clean = x.index_select(0, idx)
            inp = clean if noise_std <= 0 else corrupt(clean, noise_std, seed + step)
            step += 1
            loss = reconstruction_loss(model(inp), clean)
            for p in params:
                p.grad = None
            loss.backward()
            optimiser.step()
            weighted.append(float(loss) * idx.numel())
        losses.append(sum(weighted) / n)
    return losses


def decoder_basis(model: "Autoencoder") -> Tensor:
    """Orthonormal basis of the decoder's column space via the SVD."""
    weight = model.decoder[0].weight.detach()
    u, _, _ = torch.linalg.svd(weight, full_matrices=False)
    return u
