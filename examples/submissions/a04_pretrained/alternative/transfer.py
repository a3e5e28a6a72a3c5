"""Transfer with few labels (independent write-up)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

STAGES = ("stem", "layer1", "layer2", "layer3", "layer4", "fc")
_STEM = {"conv1", "bn1"}


def stage_of(name: str) -> str:
    head = name.partition(".")[0]
    if head in _STEM:
        return "stem"
    if head in STAGES[1:]:
        return head
    raise ValueError(f"no stage for {name!r}")


def replace_head(model: nn.Module, num_classes: int, seed: int = 0) -> nn.Module:
    features = model.fc.in_features
    ref = model.fc.weight
    torch.manual_seed(seed)
    head = nn.Linear(features, num_classes)
    model.fc = head.to(device=ref.device, dtype=ref.dtype)
    return model


def set_trainable(model: nn.Module, stages: tuple[str, ...] | list[str]) -> nn.Module:
    wanted = set(stages)
    if not wanted <= set(STAGES):
        raise ValueError(f"bad stages {stages}")
    for name, p in model.named_parameters():
        p.requires_grad = stage_of(name) in wanted
    return model


def train_mode(model: nn.Module, stages: tuple[str, ...] | list[str]) -> nn.Module:
    model.train(True)
    for child_name, child in model.named_children():
        try:
            stage = stage_of(child_name)
        except ValueError:
            continue
        child.train(stage in stages)
    return model


def param_groups(model: nn.Module, lr: float, decay: float = 1.0) -> list[dict]:
    out = []
    for depth, stage in enumerate(STAGES):
        params = [p for n, p in model.named_parameters() if stage_of(n) == stage]
        if params:
            out.append({"stage": stage, "params": params,
                        "lr": lr * decay ** (len(STAGES) - 1 - depth)})
    return out


def unfrozen_stages(epoch: int, unfreeze_every: int) -> tuple[str, ...]:
    if epoch < 0:
        raise ValueError("epoch must be >= 0")
    if unfreeze_every <= 0:
        raise ValueError("unfreeze_every must be >= 1")
    n = 1 + epoch // unfreeze_every
    return tuple(STAGES[-min(n, len(STAGES)):])


def _body(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    x = model.conv1(x)
    x = model.bn1(x)
    x = model.relu(x)
    x = model.maxpool(x)
    for name in ("layer1", "layer2", "layer3", "layer4"):
        x = getattr(model, name)(x)
    return model.avgpool(x).flatten(1)


def extract_features(model: nn.Module, x: np.ndarray | torch.Tensor, batch_size: int = 256
                     ) -> torch.Tensor:
    p = next(model.parameters())
    data = torch.as_tensor(x).to(device=p.device, dtype=p.dtype)
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        chunks = [_body(model, chunk) for chunk in torch.split(data, batch_size)]
    for m, mode in modes:
        m.training = mode
    return torch.cat(chunks, 0)


def fit(model: nn.Module, x: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor, *,
        regime: str = "finetune", epochs: int = 30, lr: float = 3e-3, batch_size: int = 32,
        decay: float = 0.5, unfreeze_every: int = 3, seed: int = 0) -> nn.Module:
    schedules = {
        "linear": lambda e: ("fc",),
        "finetune": lambda e: STAGES,
        "gradual": lambda e: unfrozen_stages(e, unfreeze_every),
    }
    if regime not in schedules:
        raise ValueError(f"regime must be one of {sorted(schedules)}")
    torch.manual_seed(seed)
    p = next(model.parameters())
    inputs = torch.as_tensor(x).to(device=p.device, dtype=p.dtype)
    labels = torch.as_tensor(y).long().to(p.device)
    opt = torch.optim.AdamW(param_groups(model, lr, decay), lr=lr, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    n = inputs.shape[0]
    for epoch in range(epochs):
        stages = schedules[regime](epoch)
        set_trainable(model, stages)
        train_mode(model, stages)
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed + epoch))
        batches = [perm[i:i + batch_size] for i in range(0, n, batch_size)]
        for batch in batches:
            batch = batch.to(p.device)
            opt.zero_grad()
            loss_fn(model(inputs[batch]), labels[batch]).backward()
            opt.step()
    model.eval()
    return model


def predict(model: nn.Module, x: np.ndarray | torch.Tensor, batch_size: int = 256
            ) -> np.ndarray:
    p = next(model.parameters())
    data = torch.as_tensor(x).to(device=p.device, dtype=p.dtype)
    model.eval()
    labels = []
    with torch.no_grad():
        for chunk in torch.split(data, batch_size):
            labels.append(model(chunk).argmax(dim=1).cpu())
    return torch.cat(labels).numpy().astype(np.int64)
