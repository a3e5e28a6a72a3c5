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
    raise NotImplementedError('implement d_loss_minimax in gan.py')


def g_loss_minimax(fake_logits: Tensor) -> Tensor:
    """The generator's saturating minimax loss mean log(1 - D(G(z))), a scalar."""
    raise NotImplementedError('implement g_loss_minimax in gan.py')


def g_loss_nonsaturating(fake_logits: Tensor) -> Tensor:
    """The generator's non-saturating loss -mean log D(G(z)), a scalar."""
    raise NotImplementedError('implement g_loss_nonsaturating in gan.py')


def d_loss_hinge(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """The discriminator's hinge loss, a scalar."""
    raise NotImplementedError('implement d_loss_hinge in gan.py')


def g_loss_hinge(fake_logits: Tensor) -> Tensor:
    """The generator's hinge loss -mean f, a scalar."""
    raise NotImplementedError('implement g_loss_hinge in gan.py')


def gradient_penalty(critic: nn.Module, real: Tensor, fake: Tensor, alpha: Tensor) -> Tensor:
    """The WGAN-GP penalty (scalar) at x^ = alpha * real + (1 - alpha) * fake; real and fake
    (B, ...), alpha (B,) broadcast over the other dimensions; the critic returns (B,) or (B, 1).
    Does not modify its arguments."""
    raise NotImplementedError('implement gradient_penalty in gan.py')


def mlp(in_dim: int, hidden: int, out_dim: int) -> nn.Sequential:
    """Linear(in, H) ReLU Linear(H, H) ReLU Linear(H, out)."""
    raise NotImplementedError('implement mlp in gan.py')


def train_gan(data: Tensor, *, steps: int = 1000, latent: int = 2, hidden: int = 64,
              batch_size: int = 128, lr: float = 2e-3, seed: int = 0) -> nn.Sequential:
    """Train G = mlp(latent, hidden, 2) against D = mlp(2, hidden, 1) on the (N, 2) data with
    Adam(lr, betas=(0.5, 0.999)) for both: each step one D update on d_loss_minimax (a batch of
    data drawn with replacement, fakes detached) then one G update on g_loss_nonsaturating.
    torch.manual_seed(seed) before building G then D; a torch.Generator seeded ``seed`` (CPU)
    draws the batch indices and the latent z ~ N(0, I). Returns G (on data's device)."""
    raise NotImplementedError('implement train_gan in gan.py')
