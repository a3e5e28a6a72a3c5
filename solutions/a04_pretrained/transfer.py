"""Reusing a pretrained ResNet on a new task with few labels.

The model is any ResNet laid out as torchvision's (``conv1``, ``bn1``, ``layer1`` ..
``layer4``, ``avgpool``, ``fc``): yours from ``resnet.py``, torchvision's, or the course's
``dnn.backbone.SmallResNet``. Its parameters and buffers fall into six **stages**, from the
input to the output: "stem" (conv1, bn1), "layer1", "layer2", "layer3", "layer4", "fc".

Three regimes (``fit``):

- **linear** (feature extraction): only "fc" trains; every other stage is frozen: its
  parameters have requires_grad False, and its modules stay in eval mode, so batch norm uses and
  keeps its running statistics (a frozen BN in train mode would still normalise with batch
  statistics and overwrite running_mean / running_var).
- **finetune**: every stage trains, with *discriminative learning rates*: stage i (0 = stem,
  5 = fc) gets lr * decay ** (5 - i), so layers near the input (generic features) move less.
- **gradual** (gradual unfreezing): at epoch e the last 1 + e // unfreeze_every stages train
  (fc alone first, then fc and layer4, ...), the others are frozen as in "linear".
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

STAGES = ("stem", "layer1", "layer2", "layer3", "layer4", "fc")


def stage_of(name: str) -> str:
    """The stage of a parameter, buffer or module name of the model: "conv1.weight" and
    "bn1.running_mean" -> "stem", "layer3.1.bn2.bias" -> "layer3", "fc.weight" -> "fc".
    Raises ValueError for a name in no stage (e.g. "avgpool" or "")."""
    ### BEGIN SOLUTION
    top = name.split(".")[0]
    if top in ("conv1", "bn1"):
        return "stem"
    if top in STAGES:
        return top
    raise ValueError(f"{name!r} belongs to no stage")
    ### END SOLUTION


def replace_head(model: nn.Module, num_classes: int, seed: int = 0) -> nn.Module:
    """Replace ``model.fc`` by a new nn.Linear(fc.in_features, num_classes), created right after
    ``torch.manual_seed(seed)`` on the dtype and device of the old one; returns the model."""
    ### BEGIN SOLUTION
    old = model.fc
    torch.manual_seed(seed)
    model.fc = nn.Linear(old.in_features, num_classes).to(old.weight.device, old.weight.dtype)
    return model
    ### END SOLUTION


def set_trainable(model: nn.Module, stages: tuple[str, ...] | list[str]) -> nn.Module:
    """requires_grad True for the parameters of ``stages``, False for all others; returns the
    model. Raises ValueError for an unknown stage name."""
    ### BEGIN SOLUTION
    unknown = set(stages) - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stage(s) {sorted(unknown)}; stages are {STAGES}")
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(stage_of(name) in stages)
    return model
    ### END SOLUTION


def train_mode(model: nn.Module, stages: tuple[str, ...] | list[str]) -> nn.Module:
    """``model.train()``, then every submodule of a stage not in ``stages`` back to eval mode
    (so frozen batch norms neither use batch statistics nor update running ones); modules in
    no stage (relu, maxpool, avgpool) follow model.train(). Returns the model."""
    ### BEGIN SOLUTION
    model.train()
    for name, module in model.named_modules():
        stage = _stage_or_none(name)
        if stage is not None and stage not in stages:
            module.eval()
    return model
    ### END SOLUTION


def _stage_or_none(name: str) -> str | None:
    """stage_of(name), or None for a name in no stage."""
    try:
        return stage_of(name)
    except ValueError:
        return None


def param_groups(model: nn.Module, lr: float, decay: float = 1.0) -> list[dict]:
    """Optimizer parameter groups, one per stage that has parameters, in the order of STAGES:
    {"stage": name, "params": [its parameters, in named_parameters() order],
    "lr": lr * decay ** (5 - i)} for stage i. Every parameter is in exactly one group, frozen
    ones included (they have no gradient, so the optimizer skips them)."""
    ### BEGIN SOLUTION
    groups: dict[str, list[nn.Parameter]] = {stage: [] for stage in STAGES}
    for name, parameter in model.named_parameters():
        groups[stage_of(name)].append(parameter)
    return [{"stage": stage, "params": groups[stage], "lr": lr * decay ** (5 - i)}
            for i, stage in enumerate(STAGES) if groups[stage]]
    ### END SOLUTION


def unfrozen_stages(epoch: int, unfreeze_every: int) -> tuple[str, ...]:
    """The stages that train at ``epoch`` (0-based) under gradual unfreezing: the last
    min(6, 1 + epoch // unfreeze_every) entries of STAGES, in STAGES order. Raises ValueError
    when unfreeze_every < 1 or epoch < 0."""
    ### BEGIN SOLUTION
    if unfreeze_every < 1 or epoch < 0:
        raise ValueError(f"need unfreeze_every >= 1 and epoch >= 0, got {unfreeze_every}, "
                         f"{epoch}")
    count = min(len(STAGES), 1 + epoch // unfreeze_every)
    return STAGES[len(STAGES) - count:]
    ### END SOLUTION


def extract_features(model: nn.Module, x: np.ndarray | torch.Tensor, batch_size: int = 256
                     ) -> torch.Tensor:
    """The pooled features (N, C) that ``fc`` sees, flatten(avgpool(layer4(...))), computed in
    eval mode without gradients, batch_size images at a time, on the model's dtype and device.
    The model's training flags are restored afterwards."""
    ### BEGIN SOLUTION
    weight = next(model.parameters())
    x = torch.as_tensor(x).to(weight.device, weight.dtype)
    flags = {m: m.training for m in model.modules()}
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            h = x[start:start + batch_size]
            h = model.maxpool(model.relu(model.bn1(model.conv1(h))))
            h = model.layer4(model.layer3(model.layer2(model.layer1(h))))
            out.append(torch.flatten(model.avgpool(h), 1))
    for module, flag in flags.items():
        module.training = flag
    return torch.cat(out)
    ### END SOLUTION


def fit(model: nn.Module, x: np.ndarray | torch.Tensor, y: np.ndarray | torch.Tensor, *,
        regime: str = "finetune", epochs: int = 30, lr: float = 3e-3, batch_size: int = 32,
        decay: float = 0.5, unfreeze_every: int = 3, seed: int = 0) -> nn.Module:
    """Train ``model`` in place in one of the regimes of the module docstring and return it in
    eval mode.

    Recipe: ``torch.manual_seed(seed)``; AdamW over ``param_groups(model, lr, decay)``
    (weight decay 1e-4; in the "linear" regime only fc's group matters); each epoch, first set
    the trainable stages (``set_trainable``, ``train_mode``), then shuffle with a
    ``torch.Generator`` seeded seed + epoch and take every example once, in minibatches of at
    most batch_size (the last one may be smaller); cross-entropy loss. x (N, 3, H, W) are
    normalised images, y (N,) integer labels; tensors go to the model's dtype and device.
    Raises ValueError for an unknown regime.
    """
    ### BEGIN SOLUTION
    if regime not in ("linear", "finetune", "gradual"):
        raise ValueError(f"unknown regime {regime!r}")
    torch.manual_seed(seed)
    weight = next(model.parameters())
    x = torch.as_tensor(x).to(weight.device, weight.dtype)
    y = torch.as_tensor(y).to(weight.device, torch.int64)
    optimizer = torch.optim.AdamW(param_groups(model, lr, decay), weight_decay=1e-4)
    for epoch in range(epochs):
        stages = {"linear": ("fc",), "finetune": STAGES,
                  "gradual": unfrozen_stages(epoch, unfreeze_every)}[regime]
        set_trainable(model, stages)
        train_mode(model, stages)
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed + epoch))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size].to(x.device)
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return model.eval()
    ### END SOLUTION


def predict(model: nn.Module, x: np.ndarray | torch.Tensor, batch_size: int = 256
            ) -> np.ndarray:
    """int64 labels (N,): the argmax of the eval-mode logits, batch_size images at a time."""
    ### BEGIN SOLUTION
    weight = next(model.parameters())
    x = torch.as_tensor(x).to(weight.device, weight.dtype)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
    return logits.argmax(1).cpu().numpy().astype(np.int64)
    ### END SOLUTION
