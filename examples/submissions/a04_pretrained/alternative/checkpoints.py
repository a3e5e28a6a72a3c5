"""Loading other people's checkpoints (independent write-up)."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

WEIGHT_FILES = {
    "resnet18": "resnet18-f37072fd.pth",
    "resnet34": "resnet34-b627a593.pth",
    "resnet50": "resnet50-11ad3fa6.pth",
    "vgg11": "vgg11-8a719046.pth",
    "vgg16": "vgg16-397923af.pth",
    "vgg16_bn": "vgg16_bn-6c64b313.pth",
    "googlenet": "googlenet-1378be20.pth",
}


def clean_state_dict(state: dict, renames: dict[str, str] | None = None
                     ) -> dict[str, torch.Tensor]:
    if "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    elif "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    renames = renames or {}
    result: dict[str, torch.Tensor] = {}
    for original, tensor in state.items():
        key = original
        while key[:7] == "module.":
            key = key[7:]
        match = next((old for old in renames if key.startswith(old)), None)
        if match is not None:
            key = renames[match] + key[len(match):]
        if key in result:
            raise ValueError(f"duplicate key after cleaning: {key}")
        result[key] = tensor
    return result


def load_checkpoint(model: nn.Module, path: str | os.PathLike, *,
                    renames: dict[str, str] | None = None, head: str | None = "fc"
                    ) -> list[str]:
    loaded = clean_state_dict(torch.load(path, map_location="cpu", weights_only=True), renames)
    current = model.state_dict()

    def is_head(key: str) -> bool:
        return head is not None and key.startswith(f"{head}.")

    problems = []
    for key in loaded:
        if key not in current and not is_head(key):
            problems.append(f"unexpected key {key}")
    final, untouched = {}, []
    for key, mine in current.items():
        if key in loaded and loaded[key].shape == mine.shape:
            final[key] = loaded[key]
        elif is_head(key):
            final[key] = mine
            untouched.append(key)
        elif key not in loaded:
            problems.append(f"missing key {key}")
        else:
            problems.append(f"{key}: {tuple(loaded[key].shape)} vs {tuple(mine.shape)}")
    if problems:
        raise ValueError("; ".join(problems))
    model.load_state_dict(final)
    return sorted(untouched)


def load_torchvision_weights(model: nn.Module, arch: str, root: str | os.PathLike) -> None:
    filename = WEIGHT_FILES[arch]
    path = Path(root, "hub", "checkpoints", filename)
    if not path.exists():
        raise FileNotFoundError(f"expected {path}; fetch https://download.pytorch.org/models/"
                                f"{filename} elsewhere and copy it there")
    load_checkpoint(model, path, head=None)
