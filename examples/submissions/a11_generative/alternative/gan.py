"""GAN losses and training (alternative submission, written from the handout)."""

import torch
from torch import Tensor, nn


def _log_sigmoid(t: Tensor) -> Tensor:
    return torch.nn.functional.logsigmoid(t)


def d_loss_minimax(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """-mean log s(r) - mean log(1 - s(f))."""
    return -(_log_sigmoid(real_logits).mean() + _log_sigmoid(-fake_logits).mean())


def g_loss_minimax(fake_logits: Tensor) -> Tensor:
    """mean log(1 - s(f))."""
    return _log_sigmoid(-fake_logits).mean()


def g_loss_nonsaturating(fake_logits: Tensor) -> Tensor:
    """-mean log s(f)."""
    return -_log_sigmoid(fake_logits).mean()


def d_loss_hinge(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Hinge loss of the discriminator."""
    return torch.clamp(1 - real_logits, min=0).mean() + torch.clamp(1 + fake_logits, min=0).mean()


def g_loss_hinge(fake_logits: Tensor) -> Tensor:
    """-mean f."""
    return fake_logits.mean().neg()


def gradient_penalty(critic: nn.Module, real: Tensor, fake: Tensor, alpha: Tensor) -> Tensor:
    """mean (||grad critic(x^)|| - 1)^2."""
    shape = [alpha.shape[0]] + [1] * (real.ndim - 1)
    a = alpha.view(shape)
    x_hat = torch.lerp(fake.detach(), real.detach(), a).requires_grad_()
    scores = critic(x_hat)
    grads = torch.autograd.grad(scores, x_hat, grad_outputs=torch.ones_like(scores),
                                create_graph=True)[0]
    norm = grads.reshape(grads.shape[0], -1).pow(2).sum(1).sqrt()
    return (norm - 1).pow(2).mean()


def mlp(in_dim: int, hidden: int, out_dim: int) -> nn.Sequential:
    """Three linear layers with ReLUs."""
    dims = [in_dim, hidden, hidden, out_dim]
    layers: list[nn.Module] = []
    for i in range(3):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train_gan(data: Tensor, *, steps: int = 1000, latent: int = 2, hidden: int = 64,
              batch_size: int = 128, lr: float = 2e-3, seed: int = 0) -> nn.Sequential:
    """Non-saturating GAN with one D and one G step per iteration."""
    dev = data.device
    torch.manual_seed(seed)
    generator = mlp(latent, hidden, 2)
    critic = mlp(2, hidden, 1)
    generator.to(dev)
    critic.to(dev)
    rng = torch.Generator()
    rng.manual_seed(seed)
    opts = [torch.optim.Adam(m.parameters(), lr=lr, betas=(0.5, 0.999))
            for m in (critic, generator)]
    for _ in range(steps):
        rows = torch.randint(len(data), (batch_size,), generator=rng).to(dev)
        noise = torch.randn((batch_size, latent), generator=rng).to(dev)
        samples = generator(noise)
        d_loss = d_loss_minimax(critic(data[rows]), critic(samples.detach()))
        opts[0].zero_grad()
        d_loss.backward()
        opts[0].step()
        g_loss = g_loss_nonsaturating(critic(samples))
        opts[1].zero_grad()
        g_loss.backward()
        opts[1].step()
    return generator
