"""Adversarial training (Madry et al. 2018) with the L-inf PGD of ``attacks.py``, and a check
that the robustness it buys is not gradient masking.

Models classify flattened 8x8 digits ``x`` (N, 64) in [0, 1] with integer labels ``y`` (N,);
the loss is the mean cross-entropy of the batch. Adversarial examples are crafted with the
model in **eval mode** (batch norm uses its running statistics, which the attack leaves
unchanged; dropout is off), and the update on them is taken in **train mode**.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from attacks import pgd, random_start
from torch import Tensor, nn


def make_bn_classifier(hidden: int = 32, seed: int = 0) -> nn.Module:
    """A 64 -> hidden -> BatchNorm -> ReLU -> 10 MLP (given): its output depends on the mode."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                         nn.Linear(hidden, 10))


def make_sgd(model: nn.Module, lr: float = 0.05, momentum: float = 0.9) -> torch.optim.Optimizer:
    """SGD with momentum over the model's parameters (given)."""
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)


def craft_adversarial(model: nn.Module, x: Tensor, y: Tensor, eps: float, alpha: float,
                      steps: int, seed: int = 0) -> Tensor:
    """Madry's L-inf PGD example from a random start: ``delta0 = random_start(x, eps, "linf",
    seed)``, then ``pgd(model, x, y, eps, alpha, steps, "linf", delta0)`` (use your attacks.py).

    The attack runs with the model in eval mode; afterwards the model is back in the mode it
    had (``model.training`` as before), its parameters, gradients and buffers unchanged.
    Returns the detached adversarial batch shaped as ``x``; ``x`` is unchanged.
    """
    was_training = model.training
    model.eval()
    try:
        delta0 = random_start(x, eps, "linf", seed)
        return pgd(model, x, y, eps, alpha, steps, "linf", delta0)
    finally:
        model.train(was_training)


def mixed_adversarial_loss(model: nn.Module, x: Tensor, x_adv: Tensor, y: Tensor,
                           lam: float) -> Tensor:
    """``(1 - lam) * CE(model(x), y) + lam * CE(model(x_adv), y)``, a scalar differentiable in
    the parameters, computed in the model's current mode (no ``train()`` / ``eval()`` here).

    ``lam = 1`` is Madry's adversarial training, ``lam = 0`` standard training, ``lam = 0.5``
    Goodfellow et al.'s mix. The clean forward pass runs first, then the adversarial one; a term
    whose weight is 0 is skipped (no forward pass, so batch norm sees only the other batch).
    No gradient flows into ``x_adv``. ``ValueError`` unless ``0 <= lam <= 1``.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    loss = x.new_zeros(())
    if lam < 1:
        loss = loss + (1 - lam) * F.cross_entropy(model(x), y)
    if lam > 0:
        loss = loss + lam * F.cross_entropy(model(x_adv.detach()), y)
    return loss


def adversarial_training_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: Tensor,
                              y: Tensor, eps: float, alpha: float, steps: int, lam: float = 1.0,
                              seed: int = 0) -> float:
    """One step of PGD adversarial training on the batch ``(x, y)``:

    1. ``x_adv = craft_adversarial(model, x, y, eps, alpha, steps, seed)`` (eval mode);
    2. ``model.train()``, ``optimizer.zero_grad()`` (no gradient of an earlier call or of the
       attack may reach the update), ``loss = mixed_adversarial_loss(model, x, x_adv, y, lam)``,
       ``loss.backward()``, ``optimizer.step()``.

    Returns ``loss.item()`` (the loss before the update); the model is left in train mode and
    ``x`` is unchanged.
    """
    x_adv = craft_adversarial(model, x, y, eps, alpha, steps, seed)
    model.train()
    optimizer.zero_grad()
    loss = mixed_adversarial_loss(model, x, x_adv, y, lam)
    loss.backward()
    optimizer.step()
    return loss.item()


def train_adversarial(model: nn.Module, x: Tensor, y: Tensor, eps: float, alpha: float,
                      steps: int, epochs: int = 20, lr: float = 1e-2, lam: float = 1.0,
                      seed: int = 0) -> nn.Module:
    """Adversarial training with Adam (learning rate ``lr``), as ``attacks.train_classifier``
    batches: every epoch a ``torch.randperm(len(y), generator=gen)`` order (``gen`` a CPU
    ``torch.Generator`` seeded with ``seed``), batches of 128 in that order, and one
    ``adversarial_training_step`` per batch whose random start uses the seed ``seed + t`` for
    the ``t``-th step overall (t = 0, 1, ...). Returns the model in eval mode.
    """
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    t = 0
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen).to(y.device)
        for start in range(0, len(y), 128):
            idx = order[start : start + 128]
            adversarial_training_step(model, opt, x[idx], y[idx], eps, alpha, steps, lam,
                                      seed + t)
            t += 1
    return model.eval()


def attack_report(model: nn.Module, x: Tensor, y: Tensor, eps: float, steps: int = 10,
                  source: nn.Module | None = None) -> dict[str, float]:
    """Accuracies of ``model`` (in eval mode) that expose gradient masking, all with L-inf PGD
    without a random start at radius ``eps``:

    - ``"clean"``: on ``x``;
    - ``"pgd"``: under ``pgd`` with ``steps`` steps of ``alpha = 2.5 * eps / steps``;
    - ``"pgd_4x"``: under ``pgd`` with ``4 * steps`` steps of ``alpha = 2.5 * eps / (4 * steps)``;
    - ``"transfer"`` (only when ``source`` is given): on the ``steps``-step examples crafted
      on ``source`` (a black-box transfer attack).

    A sound defence has ``pgd_4x <= pgd`` and ``pgd <= transfer`` (up to noise): a stronger
    or white-box attack that does *worse* means the gradients are masked.
    """
    raise NotImplementedError
