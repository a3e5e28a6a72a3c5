"""Adversarial attacks on a classifier of [0, 1] images: FGSM and PGD (L-inf and L2).

Every attack takes a model (in eval mode, its parameters untouched), inputs ``x`` (N, ...) in
[0, 1], integer labels ``y`` (N,), and returns adversarial inputs of the same shape, dtype and
device, detached, with ``x`` left unchanged. The loss is the mean cross-entropy of the batch.
"""

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


def input_gradient(model: nn.Module, x: Tensor, y: Tensor) -> Tensor:
    """The gradient of the mean cross-entropy ``CE(model(x), y)`` with respect to ``x``.

    Returns a tensor shaped as ``x``; leaves ``x`` and the parameters' ``.grad`` unchanged.
    """
    xr = x.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(model(xr), y)
    (g,) = torch.autograd.grad(loss, xr)
    return g


def fgsm(model: nn.Module, x: Tensor, y: Tensor, eps: float) -> Tensor:
    """Fast gradient sign method: ``clip_[0,1](x + eps * sign(grad_x CE(model(x), y)))``."""
    return (x + eps * input_gradient(model, x, y).sign()).clamp(0, 1).detach()


def project_linf(delta: Tensor, eps: float) -> Tensor:
    """Project perturbations onto the L-inf ball of radius ``eps``: clip every entry to
    [-eps, eps]. ``delta`` (N, ...), a new tensor."""
    return delta.clamp(-eps, eps)


def project_l2(delta: Tensor, eps: float) -> Tensor:
    """Project each sample's perturbation onto the L2 ball of radius ``eps``:
    ``delta_i * min(1, eps / ||delta_i||_2)`` (norm over all but the first dimension; a zero
    row stays zero). ``delta`` (N, ...), a new tensor."""
    raise NotImplementedError


def random_start(x: Tensor, eps: float, norm: str = "linf", seed: int = 0) -> Tensor:
    """A random initial perturbation shaped as ``x``, drawn with a ``torch.Generator`` seeded
    with ``seed`` (on the CPU, then moved to ``x``'s device and dtype).

    - ``"linf"``: every entry uniform in [-eps, eps] (``torch.rand`` scaled).
    - ``"l2"``: per sample, a uniformly random direction (a normalised ``torch.randn`` row)
      times a radius ``eps * u`` with ``u ~ U[0, 1]`` (one ``torch.rand`` per sample), so the
      perturbation lies inside the L2 ball.

    ``ValueError`` for any other ``norm``.
    """
    gen = torch.Generator().manual_seed(seed)
    if norm == "linf":
        delta = (2 * torch.rand(x.shape, generator=gen, dtype=torch.float64) - 1) * eps
    elif norm == "l2":
        z = torch.randn(x.shape, generator=gen, dtype=torch.float64)
        z = z / z.flatten(1).norm(dim=1).view(-1, *([1] * (x.dim() - 1)))
        u = torch.rand(x.shape[0], generator=gen, dtype=torch.float64)
        delta = z * eps
    else:
        raise ValueError(f"norm must be 'linf' or 'l2', got {norm!r}")
    return delta.to(device=x.device, dtype=x.dtype)


def pgd(model: nn.Module, x: Tensor, y: Tensor, eps: float, alpha: float, steps: int,
        norm: str = "linf", delta0: Tensor | None = None) -> Tensor:
    """Projected gradient descent (ascent on the loss), Madry et al. 2018, as torchattacks.

    Start from ``x_0 = clip_[0,1](x + delta0)`` (``x`` itself when ``delta0`` is None), then
    ``steps`` times, with ``g = grad_x CE(model(x_t), y)``:

    - ``"linf"``: ``x' = x_t + alpha * sign(g)``;
    - ``"l2"``: ``x' = x_t + alpha * g / (||g||_2 + 1e-10)`` per sample;

    and ``x_{t+1} = clip_[0,1](x + P(x' - x))`` with ``P`` the projection onto the ball of
    radius ``eps`` of the norm (``project_linf`` / ``project_l2``). ``ValueError`` for any other
    ``norm`` or for ``steps < 0``.
    """
    if norm not in ("linf", "l2"):
        raise ValueError(f"norm must be 'linf' or 'l2', got {norm!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    x = x.detach()
    adv = x.clone()
    for _ in range(steps):
        g = input_gradient(model, adv, y)
        if norm == "linf":
            step = alpha * g.sign()
            proj = project_linf
        else:
            gn = g.flatten(1).norm(dim=1).view(-1, *([1] * (x.dim() - 1)))
            step = alpha * g / (gn + 1e-10)
            proj = project_l2
        adv = (x + proj(adv + step - x, eps)).clamp(0, 1).detach()
    return adv


def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """The fraction of rows of ``x`` that ``model`` classifies as ``y`` (argmax of the logits)."""
    with torch.no_grad():
        return (model(x).argmax(1) == y).double().mean().item()


def robust_accuracy_curve(model: nn.Module, x: Tensor, y: Tensor, eps_list: list[float],
                          steps: int = 10, norm: str = "linf") -> list[float]:
    """Accuracy under PGD (no random start, ``alpha = 2.5 * eps / steps``) at every ``eps`` of
    ``eps_list``; ``eps = 0`` gives the clean accuracy. A list of floats, one per ``eps``."""
    out = []
    for eps in eps_list:
        adv = pgd(model, x, y, eps, 2.5 * eps / steps, steps, norm) if eps > 0 else x
        out.append(accuracy(model, adv, y))
    return out
