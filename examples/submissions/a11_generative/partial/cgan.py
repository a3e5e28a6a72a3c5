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
from torch import Tensor, nn

from gan import mlp


def condition(z: Tensor, labels: Tensor, num_classes: int) -> Tensor:
    """cat[z, one_hot(labels, K)] along dim 1: z (B, L) and integer labels (B,) -> (B, L + K) in
    z's dtype and on its device (z first, then the K one-hot columns). Does not modify its
    arguments. Raises ValueError when labels is not an integer tensor of shape (B,) or a label
    is outside {0, ..., K - 1}."""
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise ValueError("labels must be an integer tensor")
    if labels.shape != (z.shape[0],):
        raise ValueError("labels must have shape (B,) for z of shape (B, L)")
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError("labels must lie in {0, ..., num_classes - 1}")
    one_hot = F.one_hot(labels.long(), num_classes).to(dtype=z.dtype, device=z.device)
    return torch.cat([z, one_hot], dim=1)


class ConditionalGenerator(nn.Module):
    """G(z, y) = net(condition(z, y, K)) with ``net = gan.mlp(latent + num_classes, hidden,
    out_dim)``; ``num_classes`` is kept as an attribute."""

    def __init__(self, latent: int, num_classes: int, hidden: int, out_dim: int = 2) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.net = mlp(latent + num_classes, hidden, out_dim)

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        """z (B, latent), labels (B,) -> (B, out_dim)."""
        return self.net(condition(z, labels, self.num_classes))


class ProjectionDiscriminator(nn.Module):
    """D(x, y) = psi(phi(x)) + <embed(y), phi(x)> with ``phi`` = Sequential(Linear(in_dim, H),
    ReLU, Linear(H, H), ReLU), ``psi`` = Linear(H, 1) and ``embed`` = nn.Embedding(K, H) (default
    initialisations); ``num_classes`` is kept as an attribute."""

    def __init__(self, in_dim: int, num_classes: int, hidden: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.phi = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                 nn.ReLU())
        self.psi = nn.Linear(hidden, 1)
        self.embed = nn.Embedding(num_classes, hidden)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        """x (B, in_dim), labels (B,) -> logits (B,). Raises ValueError, as ``condition`` does,
        for labels that are not integers of shape (B,) in {0, ..., K - 1}."""
        if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
            raise ValueError("labels must be an integer tensor")
        if labels.shape != (x.shape[0],):
            raise ValueError("labels must have shape (B,) for x of shape (B, D)")
        if len(labels) and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError("labels must lie in {0, ..., num_classes - 1}")
        h = self.phi(x)
        return self.psi(h).squeeze(-1) + (self.embed(labels.long()) * h).sum(dim=-1)


def discriminator_loss(disc: nn.Module, real: Tensor, real_labels: Tensor, fake: Tensor,
                       fake_labels: Tensor) -> Tensor:
    """The conditional D loss above, a scalar: mean softplus(-D(real, real_labels)) +
    mean softplus(D(fake, fake_labels)), with ``fake`` detached (no gradient reaches it or
    whatever produced it)."""
    real_logits = disc(real, real_labels)
    fake_logits = disc(fake.detach(), fake_labels)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss(disc: nn.Module, fake: Tensor, fake_labels: Tensor) -> Tensor:
    """The non-saturating conditional G loss mean softplus(-D(fake, fake_labels)), a scalar,
    differentiable in ``fake``."""
    return F.softplus(-disc(fake, fake_labels)).mean()


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
    torch.manual_seed(seed)
    gen = ConditionalGenerator(latent, num_classes, hidden, 2).to(data.device)
    disc = ProjectionDiscriminator(2, num_classes, hidden).to(data.device)
    opt_g = torch.optim.Adam(gen.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=lr, betas=(0.5, 0.999))
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        idx = torch.randint(0, len(data), (batch_size,), generator=g).to(data.device)
        z = torch.randn(batch_size, latent, generator=g).to(data.device)
        y = labels.to(data.device)[idx]
        fake = gen(z, y)
        loss_d = discriminator_loss(disc, data[idx], y, fake, y)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = generator_loss(disc, fake, y)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return gen
