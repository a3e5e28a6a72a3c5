"""A class-conditional GAN (Mirza & Osindero 2014) with a projection discriminator (Miyato &
Koyama 2018), on the ring of Gaussians with the mode as the label.

Labels y are integer tensors (B,) with values in {0, ..., K - 1}. The generator sees its label
as a one-hot vector appended to the noise, z first:

    condition(z, y) = cat[z, one_hot(y, K)]                        (B, L + K), z's dtype
    G(z, y) = mlp(L + K, H, out)(condition(z, y))

The projection discriminator scores x with features h = phi(x) (B, H), a linear head psi and
a class embedding E (K, H):

    D(x, y) = psi(h) + <E[y], h>       (B,) logits

(the inner product is the "projection" of h on the class's embedding). With non-saturating
losses, real pairs (x, y), fakes x~ = G(z, y~) and means over the batch:

    D loss = mean softplus(-D(x, y)) + mean softplus(D(x~, y~))      (x~ detached)
    G loss = mean softplus(-D(x~, y~))

The D loss never sends gradients into the generator: the fakes are detached, so that one
batch of fakes can serve the D step and then the G step.
"""

import torch
import torch.nn.functional as F
from gan import mlp
from torch import Tensor, nn


def condition(z: Tensor, labels: Tensor, num_classes: int) -> Tensor:
    """cat[z, one_hot(labels, K)] along dim 1: z (B, L) and integer labels (B,) -> (B, L + K) in
    z's dtype and on its device (z first, then the K one-hot columns). Does not modify its
    arguments. Raises ValueError when labels is not an integer tensor of shape (B,) or a label
    is outside {0, ..., K - 1}."""
    raise NotImplementedError('implement condition in cgan.py')


class ConditionalGenerator(nn.Module):
    """G(z, y) = net(condition(z, y, K)) with ``net = gan.mlp(latent + num_classes, hidden,
    out_dim)``; ``num_classes`` is kept as an attribute."""

    def __init__(self, latent: int, num_classes: int, hidden: int, out_dim: int = 2) -> None:
        super().__init__()
        raise NotImplementedError('implement ConditionalGenerator.__init__ in cgan.py')

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        """z (B, latent), labels (B,) -> (B, out_dim)."""
        raise NotImplementedError('implement ConditionalGenerator.forward in cgan.py')


class ProjectionDiscriminator(nn.Module):
    """D(x, y) = psi(phi(x)) + <embed(y), phi(x)> with ``phi`` = Sequential(Linear(in_dim, H),
    ReLU, Linear(H, H), ReLU), ``psi`` = Linear(H, 1) and ``embed`` = nn.Embedding(K, H) (default
    initialisations); ``num_classes`` is kept as an attribute."""

    def __init__(self, in_dim: int, num_classes: int, hidden: int) -> None:
        super().__init__()
        raise NotImplementedError('implement ProjectionDiscriminator.__init__ in cgan.py')

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        """x (B, in_dim), labels (B,) -> logits (B,). Raises ValueError, as ``condition`` does,
        for labels that are not integers of shape (B,) in {0, ..., K - 1}."""
        raise NotImplementedError('implement ProjectionDiscriminator.forward in cgan.py')


def discriminator_loss(disc: nn.Module, real: Tensor, real_labels: Tensor, fake: Tensor,
                       fake_labels: Tensor) -> Tensor:
    """The conditional D loss above, a scalar: mean softplus(-D(real, real_labels)) +
    mean softplus(D(fake, fake_labels)), with ``fake`` detached (no gradient reaches it or
    whatever produced it)."""
    raise NotImplementedError('implement discriminator_loss in cgan.py')


def generator_loss(disc: nn.Module, fake: Tensor, fake_labels: Tensor) -> Tensor:
    """The non-saturating conditional G loss mean softplus(-D(fake, fake_labels)), a scalar,
    differentiable in ``fake``."""
    raise NotImplementedError('implement generator_loss in cgan.py')


def train_conditional_gan(data: Tensor, labels: Tensor, num_classes: int, *, steps: int = 400,
                          latent: int = 2, hidden: int = 64, batch_size: int = 128,
                          lr: float = 2e-3, seed: int = 0) -> ConditionalGenerator:
    """Train G = ConditionalGenerator(latent, K, hidden, 2) against D = ProjectionDiscriminator(2,
    K, hidden) on (N, 2) data with integer labels (N,), Adam(lr, betas=(0.5, 0.999)) for both.
    torch.manual_seed(seed) before building G then D; a torch.Generator seeded ``seed`` (CPU)
    draws, each step, the batch indices (batch_size,) with replacement and then the latent
    z ~ N(0, I) (batch_size, latent). Each step: fake = G(z, y) with y the batch's labels; one D
    update on discriminator_loss(D, x, y, fake, y), then one G update on
    generator_loss(D, fake, y). Returns G (on data's device)."""
    raise NotImplementedError('implement train_conditional_gan in cgan.py')
