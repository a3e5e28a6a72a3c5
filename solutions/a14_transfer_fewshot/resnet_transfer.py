"""Transfer of the course-pretrained ResNet to glyph classes it never saw, with few labels.

The backbone is ``dnn.glyph_resnet.SmallResNet`` (``dnn.backbone``'s network, written without
torchvision so that it imports fast): torchvision's ResNet layout (``conv1``, ``bn1``,
``layer1`` .. ``layer4``, ``avgpool``, ``fc``) with one BasicBlock per stage, widths 16-128 and
a 64-class ``fc``, pretrained by the course (a04) on glyph classes 0-63 and committed as
``datasets/glyph_resnet10_w16.pt``. The caller loads its state_dict
(``dnn.glyph_resnet.load_state()``) and hands it over. The new task: C of the held-out glyph
classes 64-99, a few labelled images each (``heldout_glyphs``).

**Head.** The *backbone* is every parameter and buffer outside ``fc``; the new head is
``fc = Linear(128, C)``.

**Freezing** the backbone takes two things: requires_grad False on its parameters (no
gradient, no update) AND its modules in eval mode. A BatchNorm in train mode normalises with
the batch's statistics and overwrites its buffers, running <- (1 - 0.1) running + 0.1 batch and
num_batches_tracked += 1, even when its weight and bias are frozen. ``model.train()`` puts every
module back in train mode, so a frozen backbone is frozen again after each ``model.train()``.

**Discriminative learning rates.** Two parameter groups: the pretrained backbone at a small
rate lr_b (its features are already good; large steps would destroy them), the new head at a
larger lr_h >= lr_b.

**Warm-up, then decay.** Over S optimizer steps with W warm-up steps, the rate of group g after
s steps (s = 0..S; s = 0 is the first step's rate) is lr_g * m(s) with

    m(s) = s / max(1, W)                                           for s < W,
    linear:  m(s) = max(0, (S - s) / max(1, S - W))                for s >= W,
    cosine:  m(s) = max(0, (1 + cos(pi (s - W) / max(1, S - W))) / 2)   for s >= W,

as transformers' ``get_linear_schedule_with_warmup`` and ``get_cosine_schedule_with_warmup``
(num_cycles 0.5) define it, with 0 <= W < S: the first step has rate 0 when W > 0, the peak
lr_g is reached at s = W, and m(S) = 0. The warm-up keeps Adam's first steps, taken with poor
second-moment estimates and a random head, from wrecking the pretrained features.
"""

import math

import numpy as np
import torch
from torch import Tensor, nn
from torch.optim.lr_scheduler import LambdaLR

from dnn.glyph_resnet import SmallResNet, normalise


def heldout_glyphs(classes: tuple[int, ...] | list[int], n_per_class: int, *, seed: int = 0
                   ) -> tuple[Tensor, Tensor]:
    """``n_per_class`` images of each glyph class in ``classes`` (given, not graded): x
    (C * n_per_class, 3, 32, 32) normalised as the backbone expects (``normalise``),
    y (C * n_per_class,) int64, class classes[j] relabelled j; drawn by
    ``make_glyphs(100 * n_per_class, num_classes=100, seed=seed)``."""
    from dnn.glyphs import make_glyphs  # here: dnn.glyphs imports scikit-learn (about 1 s)

    x, y = make_glyphs(100 * n_per_class, num_classes=100, seed=seed)
    keep = np.isin(y, classes)
    relabel = {c: j for j, c in enumerate(classes)}
    labels = torch.as_tensor([relabel[int(c)] for c in y[keep]], dtype=torch.int64)
    return normalise(x[keep]), labels


def new_head_model(state: dict[str, Tensor], num_classes: int, *, seed: int = 0) -> SmallResNet:
    """A ``SmallResNet`` with the pretrained ``state`` (float32, its own head of
    state["fc.weight"].shape[0] classes) loaded strictly, then its head replaced by
    ``nn.Linear(128, num_classes)`` created right after ``torch.manual_seed(seed)``; in train
    mode, every parameter trainable. ``state`` is not modified.

    Raises:
        ValueError: when num_classes < 1.
        RuntimeError: (load_state_dict's) when ``state`` misses a key or has an extra one.
    """
    ### BEGIN SOLUTION
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1, got {num_classes}")
    model = SmallResNet(state["fc.weight"].shape[0])
    model.load_state_dict(state)
    torch.manual_seed(seed)
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model
    ### END SOLUTION


def freeze_backbone(model: nn.Module) -> nn.Module:
    """Freezes everything outside ``model.fc``: requires_grad False on those parameters and
    True on fc's; ``model.train()``, then every submodule outside fc back to eval mode (the
    model itself and fc stay in train mode). Returns the model."""
    ### BEGIN SOLUTION
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name.startswith("fc."))
    model.train()
    for name, module in model.named_modules():
        if name and name != "fc" and not name.startswith("fc."):
            module.eval()
    return model
    ### END SOLUTION


def param_groups(model: nn.Module, backbone_lr: float, head_lr: float) -> list[dict]:
    """Two optimizer groups: ``[{"name": "backbone", "params": [...], "lr": backbone_lr},
    {"name": "head", "params": [...], "lr": head_lr}]``, the head being fc's parameters; each
    list in ``named_parameters()`` order; every parameter in exactly one group, frozen ones too.

    Raises:
        ValueError: unless 0 <= backbone_lr <= head_lr and head_lr > 0.
    """
    ### BEGIN SOLUTION
    if not 0 <= backbone_lr <= head_lr or head_lr <= 0:
        raise ValueError(f"need 0 <= backbone_lr <= head_lr, head_lr > 0; got {backbone_lr}, "
                         f"{head_lr}")
    named = list(model.named_parameters())
    head = [p for n, p in named if n.startswith("fc.")]
    body = [p for n, p in named if not n.startswith("fc.")]
    return [{"name": "backbone", "params": body, "lr": backbone_lr},
            {"name": "head", "params": head, "lr": head_lr}]
    ### END SOLUTION


def make_optimizer(model: nn.Module, backbone_lr: float, head_lr: float, *,
                   weight_decay: float = 1e-4) -> torch.optim.AdamW:
    """``torch.optim.AdamW(param_groups(model, backbone_lr, head_lr),
    weight_decay=weight_decay)`` (Adam's other defaults)."""
    ### BEGIN SOLUTION
    return torch.optim.AdamW(param_groups(model, backbone_lr, head_lr),
                             weight_decay=weight_decay)
    ### END SOLUTION


def warmup_multiplier(step: int, warmup_steps: int, total_steps: int, decay: str = "cosine"
                      ) -> float:
    """m(step) of the module docstring, for step = 0..total_steps.

    Raises:
        ValueError: when decay is not "linear" or "cosine", warmup_steps is not in
            0..total_steps - 1 (so total_steps >= 1), or step is not in 0..total_steps.
    """
    ### BEGIN SOLUTION
    if decay not in ("linear", "cosine"):
        raise ValueError(f"decay must be 'linear' or 'cosine', got {decay!r}")
    if not 0 <= warmup_steps < total_steps or not 0 <= step <= total_steps:
        raise ValueError(f"need 0 <= warmup_steps < total_steps and 0 <= step <= total_steps; "
                         f"got warmup_steps {warmup_steps}, total_steps {total_steps}, step {step}")
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    if decay == "linear":
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))
    ### END SOLUTION


def warmup_scheduler(optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int,
                     decay: str = "cosine") -> LambdaLR:
    """A ``LambdaLR`` on ``optimizer`` whose multiplier after s calls of ``.step()`` is
    ``warmup_multiplier(s, warmup_steps, total_steps, decay)``, the same for every group.
    Raises ValueError for the arguments ``warmup_multiplier`` rejects, when it is built."""
    ### BEGIN SOLUTION
    warmup_multiplier(0, warmup_steps, total_steps, decay)  # checks the arguments now
    return LambdaLR(optimizer, lambda s: warmup_multiplier(s, warmup_steps, total_steps, decay))
    ### END SOLUTION


def fine_tune(model: nn.Module, x: Tensor, y: Tensor, *, epochs: int = 10, batch_size: int = 25,
              backbone_lr: float = 1e-3, head_lr: float = 1e-2, warmup_steps: int = 4,
              decay: str = "cosine", freeze: bool = False, seed: int = 0) -> nn.Module:
    """Trains ``model`` in place on images x (N, 3, H, W) and labels y (N,), returns it in
    eval mode.

    Recipe: ``torch.manual_seed(seed)``; ``make_optimizer(model, backbone_lr, head_lr)``;
    ``warmup_scheduler`` over S = epochs * ceil(N / batch_size) steps with ``warmup_steps`` and
    ``decay``. Each epoch: ``model.train()`` (then ``freeze_backbone(model)`` when ``freeze``);
    the order ``torch.randperm(N, generator=torch.Generator().manual_seed(seed + epoch))``,
    minibatches of batch_size in that order (the last may be smaller); per minibatch the mean
    cross-entropy, zero_grad, backward, optimizer step, scheduler step. x and y go to the
    model's device (x to its dtype).
    """
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    weight = next(model.parameters())
    x, y = x.to(weight.device, weight.dtype), y.to(weight.device)
    optimizer = make_optimizer(model, backbone_lr, head_lr)
    steps = epochs * math.ceil(len(x) / batch_size)
    scheduler = warmup_scheduler(optimizer, warmup_steps, steps, decay)
    for epoch in range(epochs):
        model.train()
        if freeze:
            freeze_backbone(model)
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed + epoch))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size].to(x.device)
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
    return model.eval()
    ### END SOLUTION
