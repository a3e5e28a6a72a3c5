"""Small facts about a module that graded tests read without moving its weights around."""

from __future__ import annotations

import torch
from torch import nn


def state_shapes(model: nn.Module) -> dict[str, list[int]]:
    """{state_dict key: shape} of ``model``: what ``load_state_dict(strict=True)`` checks."""
    return {key: list(value.shape) for key, value in model.state_dict().items()}


def module_types(model: nn.Module) -> dict[str, str]:
    """{name in named_modules(): class name} of every submodule (the root is "")."""
    return {name: type(module).__name__ for name, module in model.named_modules()}


def freeze(model: nn.Module, prefixes: list[str]) -> nn.Module:
    """requires_grad False for the parameters whose names start with one of ``prefixes``."""
    for name, parameter in model.named_parameters():
        if any(name.startswith(prefix) for prefix in prefixes):
            parameter.requires_grad_(False)
    return model


class CostProbe(nn.Module):
    """A small network with the cases a cost counter must get right: a strided, padded conv;
    a grouped conv; a dilated depthwise conv; a module called twice (``shared``); a Linear on a
    3-D input (N, T, F); a layer that is never called (``unused``)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 5, stride=2, padding=2)
        self.grouped = nn.Conv2d(8, 12, 3, padding=1, groups=4, bias=False)
        self.depthwise = nn.Conv2d(12, 12, 3, padding=2, dilation=2, groups=12)
        self.shared = nn.Conv2d(12, 12, 1)
        self.mix = nn.Linear(6, 5)
        self.head = nn.Linear(12 * 5, 4)
        self.unused = nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, 24) -> (N, 4) for H a multiple of 4 (``mix`` acts on the width axis,
        6 after the stem's stride and the pool)."""
        x = torch.relu(self.stem(x))
        x = torch.relu(self.grouped(x))
        x = self.shared(torch.relu(self.shared(self.depthwise(x))))
        x = nn.functional.avg_pool2d(x, 2)  # (N, 12, H/4, 6)
        x = self.mix(x).mean(dim=2)  # Linear on (N, 12, H/4, 6) -> mean -> (N, 12, 5)
        return self.head(torch.flatten(x, 1))


def cost_probe() -> CostProbe:
    """A CostProbe (seed it with ``torch.manual_seed`` first); inputs (N, 3, H, 24)."""
    return CostProbe()


def hook_count(model: nn.Module) -> int:
    """How many forward, forward-pre and backward hooks the modules of ``model`` hold."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               for m in model.modules())


def grad_count(model: nn.Module) -> int:
    """How many parameters of ``model`` hold a ``.grad``."""
    return sum(p.grad is not None for p in model.parameters())


def trainable_names(model: nn.Module) -> list[str]:
    """The names of the parameters with requires_grad, in named_parameters() order."""
    return [name for name, p in model.named_parameters() if p.requires_grad]


def training_flags(model: nn.Module) -> dict[str, bool]:
    """{name in named_modules(): module.training} (the root is "")."""
    return {name: module.training for name, module in model.named_modules()}
