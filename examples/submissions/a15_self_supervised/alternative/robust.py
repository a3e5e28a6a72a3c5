"""Adversarial training with PGD, written from the handout."""

from __future__ import annotations

import attacks
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def make_bn_classifier(hidden: int = 32, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                         nn.Linear(hidden, 10))


def make_sgd(model: nn.Module, lr: float = 0.05, momentum: float = 0.9) -> torch.optim.Optimizer:
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)


def craft_adversarial(model: nn.Module, x: Tensor, y: Tensor, eps: float, alpha: float,
                      steps: int, seed: int = 0) -> Tensor:
    mode = bool(model.training)
    model.train(False)
    start = attacks.random_start(x, eps, norm="linf", seed=seed)
    out = attacks.pgd(model, x, y, eps, alpha, steps, norm="linf", delta0=start)
    model.train(mode)
    return out.detach()


def mixed_adversarial_loss(model: nn.Module, x: Tensor, x_adv: Tensor, y: Tensor,
                           lam: float) -> Tensor:
    if lam < 0 or lam > 1:
        raise ValueError("lam outside [0, 1]")
    terms = []
    if lam != 1:
        terms.append((1.0 - lam) * F.nll_loss(F.log_softmax(model(x), dim=1), y))
    if lam != 0:
        terms.append(lam * F.nll_loss(F.log_softmax(model(x_adv.detach()), dim=1), y))
    return torch.stack(terms).sum()


def adversarial_training_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: Tensor,
                              y: Tensor, eps: float, alpha: float, steps: int, lam: float = 1.0,
                              seed: int = 0) -> float:
    adv = craft_adversarial(model, x, y, eps, alpha, steps, seed)
    model.train(True)
    for group in optimizer.param_groups:
        for p in group["params"]:
            p.grad = None
    objective = mixed_adversarial_loss(model, x, adv, y, lam)
    objective.backward()
    optimizer.step()
    return float(objective.detach())


def train_adversarial(model: nn.Module, x: Tensor, y: Tensor, eps: float, alpha: float,
                      steps: int, epochs: int = 20, lr: float = 1e-2, lam: float = 1.0,
                      seed: int = 0) -> nn.Module:
    gen = torch.Generator()
    gen.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    count = 0
    epoch = 0
    while epoch < epochs:
        perm = torch.randperm(len(y), generator=gen).to(y.device)
        batches = perm.split(128)
        for idx in batches:
            adversarial_training_step(model, optimizer, x[idx], y[idx], eps, alpha, steps,
                                      lam=lam, seed=seed + count)
            count += 1
        epoch += 1
    model.eval()
    return model


def attack_report(model: nn.Module, x: Tensor, y: Tensor, eps: float, steps: int = 10,
                  source: nn.Module | None = None) -> dict[str, float]:
    def run(m: nn.Module, k: int) -> Tensor:
        return attacks.pgd(m, x, y, eps, 2.5 * eps / k, k, "linf")

    report = {"clean": attacks.accuracy(model, x, y),
              "pgd": attacks.accuracy(model, run(model, steps), y),
              "pgd_4x": attacks.accuracy(model, run(model, 4 * steps), y)}
    if source is not None:
        report["transfer"] = attacks.accuracy(model, run(source, steps), y)
    return report
