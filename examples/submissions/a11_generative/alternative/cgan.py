"""A conditional GAN with a projection discriminator (written from the handout)."""

import torch
from torch import Tensor, nn


def _check(labels: Tensor, n: int, k: int) -> None:
    if labels.dtype not in (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8):
        raise ValueError("integer labels needed")
    if labels.dim() != 1 or labels.numel() != n:
        raise ValueError("one label per row needed")
    if bool(((labels < 0) | (labels >= k)).any()):
        raise ValueError("label out of range")


def condition(z: Tensor, labels: Tensor, num_classes: int) -> Tensor:
    _check(labels, z.shape[0], num_classes)
    eye = torch.eye(num_classes, dtype=z.dtype, device=z.device)
    return torch.hstack((z, eye.index_select(0, labels.to(z.device).long())))


class ConditionalGenerator(nn.Module):
    def __init__(self, latent: int, num_classes: int, hidden: int, out_dim: int = 2) -> None:
        super().__init__()
        self.num_classes = num_classes
        layers: list[nn.Module] = []
        widths = [latent + num_classes, hidden, hidden]
        for a, b in zip(widths[:-1], widths[1:], strict=True):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.net = nn.Sequential(*layers, nn.Linear(hidden, out_dim))

    def forward(self, z: Tensor, labels: Tensor) -> Tensor:
        return self.net(condition(z, labels, self.num_classes))


class ProjectionDiscriminator(nn.Module):
    def __init__(self, in_dim: int, num_classes: int, hidden: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.phi = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU())
        self.psi = nn.Linear(hidden, 1)
        self.embed = nn.Embedding(num_classes, hidden)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        _check(labels, x.shape[0], self.num_classes)
        h = self.phi(x)
        e = self.embed(labels.long())
        return torch.einsum("bh,bh->b", e, h) + self.psi(h)[:, 0]


def discriminator_loss(disc: nn.Module, real: Tensor, real_labels: Tensor, fake: Tensor,
                       fake_labels: Tensor) -> Tensor:
    with torch.no_grad():
        fake = fake.clone()
    lr = disc(real, real_labels)
    lf = disc(fake, fake_labels)
    return -nn.functional.logsigmoid(lr).mean() - nn.functional.logsigmoid(-lf).mean()


def generator_loss(disc: nn.Module, fake: Tensor, fake_labels: Tensor) -> Tensor:
    return -nn.functional.logsigmoid(disc(fake, fake_labels)).mean()


def train_conditional_gan(data: Tensor, labels: Tensor, num_classes: int, *, steps: int = 400,
                          latent: int = 2, hidden: int = 64, batch_size: int = 128,
                          lr: float = 2e-3, seed: int = 0) -> ConditionalGenerator:
    dev = data.device
    torch.manual_seed(seed)
    gen = ConditionalGenerator(latent, num_classes, hidden).to(dev)
    disc = ProjectionDiscriminator(2, num_classes, hidden).to(dev)
    opts = [torch.optim.Adam(m.parameters(), lr=lr, betas=(0.5, 0.999)) for m in (disc, gen)]
    rng = torch.Generator().manual_seed(seed)
    ys = labels.to(dev)
    for _ in range(steps):
        pick = torch.randint(len(data), (batch_size,), generator=rng).to(dev)
        noise = torch.randn(batch_size, latent, generator=rng).to(dev)
        y = ys.index_select(0, pick)
        fake = gen(noise, y)
        for opt, loss in ((opts[0], lambda: discriminator_loss(disc, data[pick], y, fake, y)),
                          (opts[1], lambda: generator_loss(disc, fake, y))):
            opt.zero_grad()
            loss().backward()
            opt.step()
    return gen
