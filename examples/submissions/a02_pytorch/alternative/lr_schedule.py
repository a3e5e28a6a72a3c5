"""Learning-rate schedule: linear warm-up, then cosine annealing, stepped once per epoch.

With W = warmup_epochs, T = total_epochs and m = min_factor, the learning rate of epoch e
(0-based) is base_lr * factor(e):

    factor(e) = (e + 1) / W                                   e < W
    factor(e) = m + (1 - m) (1 + cos(pi (e - W) / (T - W))) / 2   W <= e < T
    factor(e) = m                                             e >= T

Without warm-up (W = 0) this is torch.optim.lr_scheduler.CosineAnnealingLR with
T_max = T and eta_min = m base_lr.
"""

import math

import torch
from torch.optim.lr_scheduler import LambdaLR


def lr_factor(epoch: int, *, warmup_epochs: int, total_epochs: int, min_factor: float) -> float:
    """factor(epoch) of the module docstring, a float in [min_factor, 1]."""
    if epoch < warmup_epochs:
        return (epoch + 1) / warmup_epochs
    if epoch >= total_epochs:
        return float(min_factor)
    # (1 + cos(pi t)) / 2 = cos^2(pi t / 2): no cancellation as t approaches 1
    half_angle = 0.5 * math.pi * (epoch - warmup_epochs) / (total_epochs - warmup_epochs)
    return min_factor + (1.0 - min_factor) * math.cos(half_angle) ** 2


class _Factor:
    """A picklable callable epoch -> lr_factor(epoch, ...). LambdaLR's state_dict keeps the
    ``__dict__`` of callable objects (plain numbers here), so a checkpoint records the schedule."""

    def __init__(self, warmup_epochs: int, total_epochs: int, min_factor: float) -> None:
        self.warmup_epochs = int(warmup_epochs)
        self.total_epochs = int(total_epochs)
        self.min_factor = float(min_factor)

    def __call__(self, epoch: int) -> float:
        return lr_factor(epoch, warmup_epochs=self.warmup_epochs,
                         total_epochs=self.total_epochs, min_factor=self.min_factor)


def make_scheduler(
    optimizer: torch.optim.Optimizer, *, warmup_epochs: int, total_epochs: int, min_factor: float
) -> LambdaLR:
    """A LambdaLR whose factor is ``lr_factor``: right after construction the optimizer's lr is
    base_lr * factor(0), and after the k-th ``scheduler.step()`` it is base_lr * factor(k)."""
    schedule = _Factor(warmup_epochs, total_epochs, min_factor)
    return LambdaLR(optimizer, lr_lambda=[schedule] * len(optimizer.param_groups))


def lr_trajectory(
    base_lr: float, epochs: int, *, warmup_epochs: int, total_epochs: int, min_factor: float
) -> list[float]:
    """The lr of epochs 0 .. epochs-1 of an SGD optimizer driven by ``make_scheduler``."""
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler = make_scheduler(
        optimizer, warmup_epochs=warmup_epochs, total_epochs=total_epochs, min_factor=min_factor
    )
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs
