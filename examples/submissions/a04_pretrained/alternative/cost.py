"""Parameters, MACs, receptive field (independent write-up)."""

from __future__ import annotations

import torch
from torch import nn


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    seen: dict[int, int] = {}
    for p in model.parameters():
        if trainable_only and not p.requires_grad:
            continue
        seen[id(p)] = p.numel()
    return int(sum(seen.values()))


def layer_macs(model: nn.Module, input_shape: tuple[int, ...]) -> dict[str, int]:
    names = {id(m): n for n, m in model.named_modules()}
    totals: dict[str, int] = {}

    def record(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        if isinstance(module, nn.Linear):
            cost = out.numel() // module.out_features * module.in_features * module.out_features
        else:
            kh, kw = module.kernel_size
            cost = out.numel() * kh * kw * module.in_channels // module.groups
        key = names[id(module)]
        totals[key] = totals.get(key, 0) + int(cost)

    hooks = []
    for module in model.modules():
        if type(module) in (nn.Conv2d, nn.Linear) or isinstance(module, (nn.Conv2d, nn.Linear)):
            hooks.append(module.register_forward_hook(record))
    mode = model.training
    p = next(iter(model.parameters()))
    model.train(False)
    try:
        with torch.inference_mode():
            model(torch.zeros(*input_shape, dtype=p.dtype, device=p.device))
    finally:
        for h in hooks:
            h.remove()
        model.train(mode)
    return totals


def receptive_field(layers: list[tuple[int, int, int]]) -> tuple[int, int]:
    field, jump = 1, 1
    for k, s, d in layers:
        if k < 1 or s < 1 or d < 1:
            raise ValueError("kernel, stride and dilation must all be at least 1")
        effective = d * (k - 1) + 1
        field = field + (effective - 1) * jump
        jump = jump * s
    return field, jump
