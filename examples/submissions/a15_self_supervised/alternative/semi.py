"""Semi-supervised learning on digits: pseudo-labels, FixMatch and a mean teacher (alternative)."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def pseudo_labels(logits: Tensor, threshold: float) -> tuple[Tensor, Tensor]:
    """Argmax labels and the mask max softmax >= threshold."""
    if threshold < 0 or threshold > 1 or logits.ndim != 2:
        raise ValueError("bad threshold or logits shape")
    with torch.no_grad():
        shifted = logits - logits.max(dim=1, keepdim=True).values
        probs = shifted.exp() / shifted.exp().sum(dim=1, keepdim=True)
        best = torch.argmax(probs, dim=1)
        conf = probs.gather(1, best[:, None]).squeeze(1)
    return best.long(), torch.ge(conf, threshold)


def masked_cross_entropy(logits: Tensor, labels: Tensor, mask: Tensor) -> Tensor:
    """(1 / N) sum of the kept rows' cross-entropies."""
    logp = torch.log_softmax(logits, dim=-1)
    picked = -logp.gather(1, labels.view(-1, 1)).view(-1)
    kept = picked[mask]
    return kept.sum() / logits.shape[0]


def fixmatch_loss(weak_logits: Tensor, strong_logits: Tensor, threshold: float = 0.95) -> Tensor:
    """Masked CE of the strong logits against the weak logits' pseudo-labels."""
    target, keep = pseudo_labels(weak_logits.detach().clone(), threshold)
    return masked_cross_entropy(strong_logits, target, keep)


def strong_view(x: Tensor, seed: int, drop: float = 0.3, noise: float = 0.2) -> Tensor:
    """Drop pixels, add noise, clip."""
    g = torch.Generator()
    g.manual_seed(seed)
    u = torch.rand(x.shape, generator=g, dtype=torch.float64)
    e = torch.randn(x.shape, generator=g, dtype=torch.float64)
    dropped = torch.where(u.to(x.device) < drop, torch.zeros_like(x), x)
    noisy = dropped + (noise * e).to(x.device).to(x.dtype)
    return torch.minimum(torch.maximum(noisy, torch.zeros_like(noisy)), torch.ones_like(noisy))


def ema_update(teacher: nn.Module, student: nn.Module, decay: float) -> None:
    """theta_t <- decay theta_t + (1 - decay) theta_s; buffers copied."""
    if decay < 0 or decay > 1:
        raise ValueError("decay must be in [0, 1]")
    t_names = [n for n, _ in teacher.named_parameters()] + [n for n, _ in teacher.named_buffers()]
    s_names = [n for n, _ in student.named_parameters()] + [n for n, _ in student.named_buffers()]
    if sorted(t_names) != sorted(s_names):
        raise ValueError("the models differ")
    s_params = dict(student.named_parameters())
    s_buffers = dict(student.named_buffers())
    for name, p in teacher.named_parameters():
        p.data = p.data * decay + s_params[name].data * (1 - decay)
    for name, b in teacher.named_buffers():
        b.data.copy_(s_buffers[name].data)


def make_bn_classifier(hidden: int = 32, seed: int = 0) -> nn.Module:
    """A 64 -> hidden -> BatchNorm -> ReLU -> 10 MLP, a model with buffers (given)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                         nn.Linear(hidden, 10))


def train_fixmatch(model: nn.Module, x_lab: Tensor, y_lab: Tensor, x_unlab: Tensor,
                   steps: int = 200, warmup: int = 50, threshold: float = 0.9,
                   lam: float = 1.0, lr: float = 1e-2, seed: int = 0
                   ) -> tuple[list[float], list[float]]:
    """FixMatch with full batches and Adam."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses: list[float] = []
    kept: list[float] = []
    t = 0
    while t < steps:
        logits = model(x_lab)
        total = -torch.log_softmax(logits, 1)[torch.arange(len(y_lab)), y_lab].mean()
        frac = 0.0
        if t >= warmup:
            with torch.no_grad():
                weak = model(x_unlab)
            strong = model(strong_view(x_unlab, seed * 100003 + t))
            total = total + lam * fixmatch_loss(weak, strong, threshold)
            frac = pseudo_labels(weak, threshold)[1].float().mean().item()
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        losses.append(total.item())
        kept.append(frac)
        t += 1
    return losses, kept
