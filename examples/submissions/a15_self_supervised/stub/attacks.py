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
    raise NotImplementedError('implement input_gradient in attacks.py')


def fgsm(model: nn.Module, x: Tensor, y: Tensor, eps: float) -> Tensor:
    """Fast gradient sign method: ``clip_[0,1](x + eps * sign(grad_x CE(model(x), y)))``."""
    raise NotImplementedError('implement fgsm in attacks.py')


def project_linf(delta: Tensor, eps: float) -> Tensor:
    """Project perturbations onto the L-inf ball of radius ``eps``: clip every entry to
    [-eps, eps]. ``delta`` (N, ...), a new tensor."""
    raise NotImplementedError('implement project_linf in attacks.py')


def project_l2(delta: Tensor, eps: float) -> Tensor:
    """Project each sample's perturbation onto the L2 ball of radius ``eps``:
    ``delta_i * min(1, eps / ||delta_i||_2)`` (norm over all but the first dimension; a zero
    row stays zero). ``delta`` (N, ...), a new tensor."""
    raise NotImplementedError('implement project_l2 in attacks.py')


def random_start(x: Tensor, eps: float, norm: str = "linf", seed: int = 0) -> Tensor:
    """A random initial perturbation shaped as ``x``, drawn with a ``torch.Generator`` seeded
    with ``seed`` (on the CPU, then moved to ``x``'s device and dtype).

    - ``"linf"``: every entry uniform in [-eps, eps] (``torch.rand`` scaled).
    - ``"l2"``: per sample, a uniformly random direction (a normalised ``torch.randn`` row)
      times a radius ``eps * u`` with ``u ~ U[0, 1]`` (one ``torch.rand`` per sample), so the
      perturbation lies inside the L2 ball.

    ``ValueError`` for any other ``norm``.
    """
    raise NotImplementedError('implement random_start in attacks.py')


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
    raise NotImplementedError('implement pgd in attacks.py')


def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """The fraction of rows of ``x`` that ``model`` classifies as ``y`` (argmax of the logits)."""
    raise NotImplementedError('implement accuracy in attacks.py')


def robust_accuracy_curve(model: nn.Module, x: Tensor, y: Tensor, eps_list: list[float],
                          steps: int = 10, norm: str = "linf") -> list[float]:
    """Accuracy under PGD (no random start, ``alpha = 2.5 * eps / steps``) at every ``eps`` of
    ``eps_list``; ``eps = 0`` gives the clean accuracy. A list of floats, one per ``eps``."""
    raise NotImplementedError('implement robust_accuracy_curve in attacks.py')
