"""GAN losses on discriminator logits, the WGAN-GP penalty and a GAN on a 2-D mixture.

With D(x) = sigmoid(l(x)) on real logits r = l(x) and fake logits f = l(G(z)), each (B,) or
(B, 1), and means over the batch (Goodfellow et al. 2014; Miyato et al. 2018):

    minimax D:         -mean log s(r) - mean log(1 - s(f))
    minimax G:          mean log(1 - s(f))                    (saturates when D wins)
    non-saturating G:  -mean log s(f)
    hinge D:            mean relu(1 - r) + mean relu(1 + f)
    hinge G:           -mean f

log s(t) = -softplus(-t) and log(1 - s(t)) = -softplus(t) keep every loss finite for any logit.
WGAN-GP (Gulrajani et al. 2017): with x^ = alpha x + (1 - alpha) x~ (alpha per example),

    GP = mean_b (||grad_x^ critic(x^)_b||_2 - 1)^2,

differentiable in the critic's parameters (the gradient is taken with create_graph=True).
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def d_loss_minimax(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """The discriminator's minimax (binary cross-entropy) loss, a scalar."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss_minimax(fake_logits: Tensor) -> Tensor:
    """The generator's saturating minimax loss mean log(1 - D(G(z))), a scalar."""
    return -F.softplus(fake_logits).mean()


def g_loss_nonsaturating(fake_logits: Tensor) -> Tensor:
    """The generator's non-saturating loss -mean log D(G(z)), a scalar."""
    return F.softplus(-fake_logits).mean()


def d_loss_hinge(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """The discriminator's hinge loss, a scalar."""
    return (1.0 - real_logits).mean() + (1.0 + fake_logits).mean()


def g_loss_hinge(fake_logits: Tensor) -> Tensor:
    """The generator's hinge loss -mean f, a scalar."""
    return -fake_logits.mean()


def gradient_penalty(critic: nn.Module, real: Tensor, fake: Tensor, alpha: Tensor) -> Tensor:
    """The WGAN-GP penalty (scalar) at x^ = alpha * real + (1 - alpha) * fake; real and fake
    (B, ...), alpha (B,) broadcast over the other dimensions; the critic returns (B,) or (B, 1).
    Does not modify its arguments."""
    a = alpha.reshape(-1, *([1] * (real.dim() - 1)))
    mixed = (a * real + (1 - a) * fake).detach().requires_grad_(True)
    out = critic(mixed)
    (grad,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    norms = grad.flatten(1).norm(dim=1)
    return ((norms - 1.0) ** 2).mean()


def mlp(in_dim: int, hidden: int, out_dim: int) -> nn.Sequential:
    """Linear(in, H) ReLU Linear(H, H) ReLU Linear(H, out)."""
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Linear(hidden, out_dim))


def train_gan(data: Tensor, *, steps: int = 1000, latent: int = 2, hidden: int = 64,
              batch_size: int = 128, lr: float = 2e-3, seed: int = 0) -> nn.Sequential:
    """Train G = mlp(latent, hidden, 2) against D = mlp(2, hidden, 1) on the (N, 2) data with
    Adam(lr, betas=(0.5, 0.999)) for both: each step one D update on d_loss_minimax (a batch of
    data drawn with replacement, fakes detached) then one G update on g_loss_nonsaturating.
    torch.manual_seed(seed) before building G then D; a torch.Generator seeded ``seed`` (CPU)
    draws the batch indices and the latent z ~ N(0, I). Returns G (on data's device)."""
    torch.manual_seed(seed)
    gen = mlp(latent, hidden, 2).to(data.device)
    disc = mlp(2, hidden, 1).to(data.device)
    opt_g = torch.optim.Adam(gen.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=lr, betas=(0.5, 0.999))
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        idx = torch.randint(0, len(data), (batch_size,), generator=g).to(data.device)
        z = torch.randn(batch_size, latent, generator=g).to(data.device)
        fake = gen(z)
        loss_d = d_loss_minimax(disc(data[idx]), disc(fake.detach()))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = g_loss_nonsaturating(disc(fake))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return gen
