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
    raise NotImplementedError('implement stage_of in transfer.py')


def replace_head(model: nn.Module, num_classes: int, seed: int = 0) -> nn.Module:
    """Replace ``model.fc`` by a new nn.Linear(fc.in_features, num_classes), created right after
    ``torch.manual_seed(seed)`` on the dtype and device of the old one; returns the model."""
    raise NotImplementedError('implement replace_head in transfer.py')


def set_trainable(model: nn.Module, stages: tuple[str, ...] | list[str]) -> nn.Module:
    """requires_grad True for the parameters of ``stages``, False for all others; returns the
    model. Raises ValueError for an unknown stage name."""
    raise NotImplementedError('implement set_trainable in transfer.py')


def train_mode(model: nn.Module, stages: tuple[str, ...] | list[str]) -> nn.Module:
    """``model.train()``, then every submodule of a stage not in ``stages`` back to eval mode
    (so frozen batch norms neither use batch statistics nor update running ones); modules in
    no stage (relu, maxpool, avgpool) follow model.train(). Returns the model."""
    raise NotImplementedError('implement train_mode in transfer.py')


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
    raise NotImplementedError('implement param_groups in transfer.py')


def unfrozen_stages(epoch: int, unfreeze_every: int) -> tuple[str, ...]:
    """The stages that train at ``epoch`` (0-based) under gradual unfreezing: the last
    min(6, 1 + epoch // unfreeze_every) entries of STAGES, in STAGES order. Raises ValueError
    when unfreeze_every < 1 or epoch < 0."""
    raise NotImplementedError('implement unfrozen_stages in transfer.py')


def extract_features(model: nn.Module, x: np.ndarray | torch.Tensor, batch_size: int = 256
                     ) -> torch.Tensor:
    """The pooled features (N, C) that ``fc`` sees, flatten(avgpool(layer4(...))), computed in
    eval mode without gradients, batch_size images at a time, on the model's dtype and device.
    The model's training flags are restored afterwards."""
    raise NotImplementedError('implement extract_features in transfer.py')


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
    raise NotImplementedError('implement fit in transfer.py')


def predict(model: nn.Module, x: np.ndarray | torch.Tensor, batch_size: int = 256
            ) -> np.ndarray:
    """int64 labels (N,): the argmax of the eval-mode logits, batch_size images at a time."""
    raise NotImplementedError('implement predict in transfer.py')
