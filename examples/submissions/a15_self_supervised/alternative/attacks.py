"""Adversarial attacks (alternative submission, written from the handout)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def make_classifier(hidden: int = 64, seed: int = 0) -> nn.Module:
    """A 64 -> hidden -> 10 ReLU MLP for flattened 8x8 digits (given)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def train_classifier(model: nn.Module, x: Tensor, y: Tensor, epochs: int = 30,
                     lr: float = 1e-2, seed: int = 0) -> nn.Module:
    """Plain supervised training with Adam, full batches of 128 (given). Returns the model."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen).to(y.device)
        for start in range(0, len(y), 128):
            idx = order[start : start + 128]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


def _rows(t: Tensor) -> Tensor:
    """Per-sample L2 norms, shaped to broadcast against t."""
    return t.reshape(t.shape[0], -1).pow(2).sum(1).sqrt().reshape((-1,) + (1,) * (t.dim() - 1))


def input_gradient(model: nn.Module, x: Tensor, y: Tensor) -> Tensor:
    """d mean-CE / d x without touching parameter grads."""
    inp = x.detach().clone()
    inp.requires_grad = True
    out = model(inp)
    loss = F.nll_loss(F.log_softmax(out, dim=1), y)
    return torch.autograd.grad(loss, [inp])[0].detach()


def fgsm(model: nn.Module, x: Tensor, y: Tensor, eps: float) -> Tensor:
    """One signed-gradient step, clipped to [0, 1]."""
    g = input_gradient(model, x, y)
    return torch.clamp(x.detach() + eps * torch.sign(g), 0.0, 1.0)


def project_linf(delta: Tensor, eps: float) -> Tensor:
    """Entrywise clip."""
    return torch.maximum(torch.minimum(delta, torch.full_like(delta, eps)),
                         torch.full_like(delta, -eps))


def project_l2(delta: Tensor, eps: float) -> Tensor:
    """Per-sample rescale into the L2 ball."""
    n = _rows(delta)
    scale = torch.ones_like(n)
    outside = n > eps
    scale[outside] = eps / n[outside]
    return delta * scale


def random_start(x: Tensor, eps: float, norm: str = "linf", seed: int = 0) -> Tensor:
    """Seeded random start inside the ball."""
    if norm not in ("linf", "l2"):
        raise ValueError("unknown norm")
    g = torch.Generator()
    g.manual_seed(seed)
    if norm == "linf":
        r = torch.rand(tuple(x.shape), generator=g, dtype=torch.float64)
        out = eps * (r * 2.0 - 1.0)
    else:
        direction = torch.randn(tuple(x.shape), generator=g, dtype=torch.float64)
        direction = direction / _rows(direction)
        radius = torch.rand(x.shape[0], generator=g, dtype=torch.float64)
        out = direction * radius.reshape((-1,) + (1,) * (x.dim() - 1)) * eps
    return out.to(x.device, x.dtype)


def pgd(model: nn.Module, x: Tensor, y: Tensor, eps: float, alpha: float, steps: int,
        norm: str = "linf", delta0: Tensor | None = None) -> Tensor:
    """Projected gradient ascent, torchattacks-style."""
    if norm != "linf" and norm != "l2":
        raise ValueError("unknown norm")
    if steps < 0:
        raise ValueError("negative steps")
    base = x.detach()
    cur = base.clone() if delta0 is None else torch.clamp(base + delta0, 0.0, 1.0)
    t = 0
    while t < steps:
        g = input_gradient(model, cur, y)
        if norm == "linf":
            cur = cur + alpha * torch.sign(g)
            delta = project_linf(cur - base, eps)
        else:
            cur = cur + alpha * g / (_rows(g) + 1e-10)
            delta = project_l2(cur - base, eps)
        cur = torch.clamp(base + delta, 0.0, 1.0).detach()
        t += 1
    return cur


def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Argmax accuracy."""
    with torch.no_grad():
        pred = model(x).max(dim=1).indices
    return float((pred == y).sum().item()) / len(y)


def robust_accuracy_curve(model: nn.Module, x: Tensor, y: Tensor, eps_list: list[float],
                          steps: int = 10, norm: str = "linf") -> list[float]:
    """PGD accuracy per eps."""
    res = []
    for e in eps_list:
        if e == 0:
            res.append(accuracy(model, x, y))
        else:
            res.append(accuracy(model, pgd(model, x, y, e, 2.5 * e / steps, steps, norm), y))
    return res
