"""Latent diffusion (Rombach et al. 2022) on 8x8 digits: diffusion in an autoencoder's latent space.

**Autoencoder** for pixels in [0, 1] (N, 64), latent dimension d, hidden width h:

    encoder = Linear(64, h), BatchNorm1d(h), SiLU, Linear(h, d)                 (N, 64) -> (N, d)
    decoder = Linear(d, h), BatchNorm1d(h), SiLU, Linear(h, 64), Sigmoid        (N, d) -> (N, 64)

trained on the reconstruction error mean((decoder(encoder(x)) - x)^2). Its BatchNorm layers make
train and eval mode differ: encoding and decoding for diffusion always run in eval mode (the
running statistics, no update of them) under no_grad.

**Latent scaling** (Stable Diffusion's ``scaling_factor``, with SD3's ``shift_factor``): over all
N d entries of the training latents z,

    shift = mean(z),   scale = 1 / std(z)   (the unbiased std, N d - 1 in the denominator)
    scaled = (z - shift) scale,   z = scaled / scale + shift

so the scaled latents have mean 0 and variance 1, the scale the noise schedule assumes of x_0.

**Latent diffusion**: train a denoiser with ``train_denoiser`` on the scaled latents of the training
images (the autoencoder frozen), sample scaled latents with ``ddim_sample`` from
z_T ~ N(0, I), unscale them and decode them to pixels.
"""

import torch
import torch.nn.functional as F
from denoiser import train_denoiser
from samplers import ddim_sample
from torch import Tensor, nn


class DigitAutoencoder(nn.Module):
    """The autoencoder of the module docstring: submodules ``encoder`` and ``decoder``
    (nn.Sequential, in the order given there); ``latent_dim`` = d."""

    def __init__(self, latent_dim: int = 8, hidden: int = 64) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.SiLU(),
                                     nn.Linear(hidden, latent_dim))
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.BatchNorm1d(hidden),
                                     nn.SiLU(), nn.Linear(hidden, 64), nn.Sigmoid())

    def encode(self, x: Tensor) -> Tensor:
        """Pixels x (N, 64) -> latents (N, d)."""
        return self.encoder(x)

    def decode(self, z: Tensor) -> Tensor:
        """Latents z (N, d) -> pixels (N, 64) in [0, 1]."""
        return self.decoder(z)

    def forward(self, x: Tensor) -> Tensor:
        """The reconstruction decode(encode(x)), (N, 64)."""
        return self.decode(self.encode(x))


def train_autoencoder(ae: nn.Module, x: Tensor, *, steps: int = 300, batch_size: int = 128,
                      lr: float = 3e-3, seed: int = 0) -> list[float]:
    """Train ``ae`` in place (train mode) on pixels x (N, 64) with Adam(lr); return the ``steps``
    losses mean((ae(x_b) - x_b)^2). Each step's batch is ``x[idx]`` with
    ``idx = torch.randint(0, N, (batch_size,), generator=g, device=x.device)`` from one
    ``g = torch.Generator(device=x.device).manual_seed(seed)``; the model is on x's device."""
    gen = torch.Generator(device=x.device).manual_seed(seed)
    opt = torch.optim.Adam(ae.parameters(), lr=lr)
    ae.train()
    losses = []
    for _ in range(steps):
        idx = torch.randint(0, len(x), (batch_size,), generator=gen, device=x.device)
        batch = x[idx]
        loss = F.mse_loss(ae(batch), batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def latent_scaling(z: Tensor) -> tuple[float, float]:
    """(shift, scale) = (mean(z), 1 / std(z)) over all entries of the latents z (N, d), the std
    unbiased."""
    return z.mean().item(), 1.0 / z.std().item()


def scale_latents(z: Tensor, shift: float, scale: float) -> Tensor:
    """(z - shift) scale, z's shape; z is not modified."""
    return (z - shift) * scale


def unscale_latents(z: Tensor, shift: float, scale: float) -> Tensor:
    """The inverse of scale_latents: z / scale + shift; z is not modified."""
    return z / scale + shift


def encode_latents(ae: nn.Module, x: Tensor, shift: float = 0.0, scale: float = 1.0) -> Tensor:
    """scale_latents(ae.encode(x), shift, scale) (N, d) of pixels x (N, 64), with ``ae`` in eval
    mode (it stays there) and no graph (no gradient reaches the encoder)."""
    ae.eval()
    with torch.no_grad():
        return scale_latents(ae.encode(x), shift, scale)


def decode_latents(ae: nn.Module, z: Tensor, shift: float, scale: float) -> Tensor:
    """ae.decode(unscale_latents(z, shift, scale)): pixels (N, 64) of scaled latents z (N, d), with
    ``ae`` in eval mode (it stays there) and no graph."""
    ae.eval()
    with torch.no_grad():
        return ae.decode(z)


def train_latent_denoiser(ae: nn.Module, model: nn.Module, x: Tensor, alphas_bar: Tensor, *,
                          steps: int = 400, batch_size: int = 128, lr: float = 1e-2,
                          seed: int = 0) -> tuple[float, float]:
    """Encode the pixels x (N, 64) with encode_latents, take (shift, scale) = latent_scaling of
    those latents, train ``model`` (a denoiser of dimension d) with train_denoiser(model, scaled
    latents, alphas_bar, steps=, batch_size=, lr=, seed=) and return (shift, scale). The
    autoencoder is not changed."""
    raw = encode_latents(ae, x)
    shift, scale = latent_scaling(raw)
    train_denoiser(model, scale_latents(raw, shift, scale), alphas_bar, steps=steps,
                   batch_size=batch_size, lr=lr, seed=seed)
    return shift, scale


def sample_latent_diffusion(ae: nn.Module, model: nn.Module, n: int, alphas_bar: Tensor,
                            shift: float, scale: float, *, num_steps: int = 20,
                            seed: int = 0) -> Tensor:
    """n decoded samples (n, 64): z_T = torch.randn((n, d), generator=g, device=alphas_bar's
    device) with ``g = torch.Generator(device=that device).manual_seed(seed)``, then
    ddim_sample(model, z_T, alphas_bar, num_steps, seed=seed) and decode_latents(..., shift,
    scale)."""
    dev = alphas_bar.device
    gen = torch.Generator(device=dev).manual_seed(seed)
    z_T = torch.randn((n, ae.latent_dim), generator=gen, device=dev)
    z0 = ddim_sample(model, z_T, alphas_bar, num_steps, seed=seed)
    return decode_latents(ae, z0, shift, scale)
