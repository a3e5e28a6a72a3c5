"""Shared by the graded tests: torchvision oracles with random batch-norm statistics."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def randomize_bn(model: nn.Module, seed: int) -> nn.Module:
    """Random BN weights, biases and running statistics, so eval-mode BN is not the identity
    and a wrong eps, a missing BN or a swapped order shows in the outputs."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                c = module.num_features
                module.weight.copy_(0.5 + torch.rand(c, generator=generator))
                module.bias.copy_(0.2 * torch.randn(c, generator=generator))
                module.running_mean.copy_(0.2 * torch.randn(c, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(c, generator=generator))
    return model


def shapes(model: nn.Module) -> dict[str, list[int]]:
    """{state_dict key: shape}, as dnn.modelinfo.state_shapes gives them from the sandbox."""
    return {key: list(value.shape) for key, value in model.state_dict().items()}


def images(rng: np.random.Generator, n: int, size: int, device: str) -> torch.Tensor:
    """Random float64 images (n, 3, size, size) on ``device``."""
    return torch.from_numpy(rng.standard_normal((n, 3, size, size))).to(device)


def compare_shapes(got: dict, want: dict, what: str) -> None:
    """Same keys and the same shape per key, or an assertion naming the first difference."""
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    assert not missing, f"{what}: state_dict lacks torchvision's key {missing[0]!r}"
    assert not extra, f"{what}: state_dict has a key torchvision's lacks: {extra[0]!r}"
    for key in want:
        assert list(got[key]) == list(want[key]), (
            f"{what}: {key} has shape {list(got[key])}, torchvision's has another")


def kaiming(model: nn.Module, seed: int) -> nn.Module:
    """Kaiming-normal (fan-in) conv and linear weights: torchvision's GoogLeNet starts with std
    0.01, under which its activations vanish and every input gives nearly the same logits."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                w = module.weight
                fan_in = w[0].numel()
                w.copy_(torch.randn(w.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
    return model
