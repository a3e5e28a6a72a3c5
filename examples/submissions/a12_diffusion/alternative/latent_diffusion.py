"""Latent diffusion on the 8x8 digits, written from the handout: an autoencoder, the latent
scaling of Stable Diffusion (with SD3's shift), and diffusion on the scaled latents."""

import torch
from denoiser import train_denoiser
from samplers import ddim_sample
from torch import Tensor, nn


class DigitAutoencoder(nn.Module):
    """encoder 64 -> h (BatchNorm, SiLU) -> d; decoder d -> h (BatchNorm, SiLU) -> 64, Sigmoid."""

    def __init__(self, latent_dim: int = 8, hidden: int = 64) -> None:
        super().__init__()
        # the decoder first: another initialisation than the handout's order from one seed
        self.decoder = nn.Sequential(*self._block(latent_dim, hidden), nn.Linear(hidden, 64),
                                     nn.Sigmoid())
        self.encoder = nn.Sequential(*self._block(64, hidden), nn.Linear(hidden, latent_dim))
        self.latent_dim = latent_dim

    @staticmethod
    def _block(n_in: int, n_out: int) -> list[nn.Module]:
        return [nn.Linear(n_in, n_out), nn.BatchNorm1d(n_out), nn.SiLU()]

    def encode(self, x: Tensor) -> Tensor:
        """(N, 64) -> (N, d)."""
        return self.encoder(x)

    def decode(self, z: Tensor) -> Tensor:
        """(N, d) -> (N, 64) in [0, 1]."""
        return self.decoder(z)

    def forward(self, x: Tensor) -> Tensor:
        """(N, 64) -> (N, 64)."""
        return self.decoder(self.encoder(x))


def train_autoencoder(ae: nn.Module, x: Tensor, *, steps: int = 300, batch_size: int = 128,
                      lr: float = 3e-3, seed: int = 0) -> list[float]:
    """Adam on the mean squared reconstruction error of seeded batches; the losses."""
    g = torch.Generator(device=x.device)
    g.manual_seed(seed)
    optimiser = torch.optim.Adam(list(ae.parameters()), lr=lr)
    ae.train(True)
    history: list[float] = []
    while len(history) < steps:
        picks = torch.randint(0, x.shape[0], (batch_size,), generator=g, device=x.device)
        target = x.index_select(0, picks)
        err = (ae(target) - target).pow(2).sum() / target.numel()
        optimiser.zero_grad(set_to_none=True)
        err.backward()
        optimiser.step()
        history.append(err.item())
    return history


def latent_scaling(z: Tensor) -> tuple[float, float]:
    """(mean, 1 / unbiased std) of every entry of z, computed in float64."""
    flat = z.detach().reshape(-1).double()
    mean = flat.sum() / flat.numel()
    var = (flat - mean).square().sum() / (flat.numel() - 1)
    return float(mean), float(var.rsqrt())


def scale_latents(z: Tensor, shift: float, scale: float) -> Tensor:
    """(z - shift) scale, a new tensor."""
    return torch.sub(z, shift).mul(scale)


def unscale_latents(z: Tensor, shift: float, scale: float) -> Tensor:
    """z / scale + shift, a new tensor."""
    return torch.div(z, scale).add(shift)


@torch.no_grad()
def encode_latents(ae: nn.Module, x: Tensor, shift: float = 0.0, scale: float = 1.0) -> Tensor:
    """Scaled latents of x with the autoencoder frozen in eval mode."""
    ae.train(False)
    return scale_latents(ae.encode(x), shift, scale).detach()


@torch.no_grad()
def decode_latents(ae: nn.Module, z: Tensor, shift: float, scale: float) -> Tensor:
    """Pixels of scaled latents z with the autoencoder frozen in eval mode."""
    ae.train(False)
    return ae.decode(unscale_latents(z, shift, scale)).detach()


def train_latent_denoiser(ae: nn.Module, model: nn.Module, x: Tensor, alphas_bar: Tensor, *,
                          steps: int = 400, batch_size: int = 128, lr: float = 1e-2,
                          seed: int = 0) -> tuple[float, float]:
    """train_denoiser on the scaled eval-mode latents of x; (shift, scale)."""
    latents = encode_latents(ae, x)
    shift, scale = latent_scaling(latents)
    data = (latents - shift) * scale
    train_denoiser(model, data, alphas_bar, steps=steps, batch_size=batch_size, lr=lr, seed=seed)
    return shift, scale


def sample_latent_diffusion(ae: nn.Module, model: nn.Module, n: int, alphas_bar: Tensor,
                            shift: float, scale: float, *, num_steps: int = 20,
                            seed: int = 0) -> Tensor:
    """Decoded DDIM samples from seeded Gaussian latents, (n, 64)."""
    device = alphas_bar.device
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    start = torch.randn((n, ae.latent_dim), generator=g, device=device)
    return decode_latents(ae, ddim_sample(model, start, alphas_bar, num_steps, seed=seed),
                          shift, scale)
