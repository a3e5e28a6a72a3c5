"""Losses for dense prediction: logits (B, C, H, W), integer targets (B, H, W).

**Pixel-wise cross-entropy** (``F.cross_entropy``'s semantics, written out): with
log-probabilities l = log_softmax(logits) over C, class weights w (ones by default) and the set V
of pixels whose target is not ``ignore_index``, the per-pixel loss is
``-w[y] l[y]`` (0 at ignored pixels) and

    mean = sum_V w[y] (-l[y]) / sum_V w[y]        sum = sum_V w[y] (-l[y])

(``mean`` of a batch with every pixel ignored is 0 / 0 = nan, as in torch).

**Soft Dice / soft Jaccard** (multi-class): p = softmax(logits) over C, t = one_hot(y). Sums run
over the batch and all valid pixels at once (pixels whose target is ``ignore_index`` are left
out of both p and t), per class c:

    I_c = sum p_c t_c,   P_c = sum p_c,   T_c = sum t_c
    dice_c = (2 I_c + s) / (P_c + T_c + s),         loss = 1 - mean_c dice_c
    jacc_c = (I_c + s) / (P_c + T_c - I_c + s),     loss = 1 - mean_c jacc_c

with smoothing s = ``smooth``; the mean is over all C classes, so a class absent from the target
that the prediction also avoids scores close to 1 (exactly 1 when P_c = 0 and s > 0).

**Focal loss** (Lin et al. 2017, torchvision's ``sigmoid_focal_loss``): for logits x and binary
targets t of any shape, p = sigmoid(x), ce = BCE-with-logits(x, t), p_t = p t + (1 - p)(1 - t),

    FL = alpha_t (1 - p_t)^gamma ce,     alpha_t = alpha t + (1 - alpha)(1 - t)

(no alpha_t factor when alpha < 0). Reductions "none" (elementwise), "mean", "sum".

No function modifies its arguments. Do not call ``F.cross_entropy``, ``F.nll_loss`` or
torchvision: they are the tests' oracles.
"""

import torch
import torch.nn.functional as F
from torch import Tensor

REDUCTIONS = ("none", "mean", "sum")


def pixel_cross_entropy(logits: Tensor, target: Tensor, weight: Tensor | None = None,
                        ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Weighted pixel-wise cross-entropy of logits (B, C, H, W) and targets (B, H, W) int64:
    a scalar ("mean", "sum") or (B, H, W) ("none", 0 at ignored pixels).

    Raises ValueError for an unknown reduction.
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    num_classes = logits.shape[1]
    log_p = torch.log_softmax(logits, dim=1)
    valid = target != ignore_index
    safe = torch.where(valid, target, torch.zeros_like(target))
    nll = -log_p.gather(1, safe.unsqueeze(1)).squeeze(1)
    w = torch.ones(num_classes, dtype=logits.dtype, device=logits.device) if weight is None \
        else weight.to(logits.dtype)
    pixel_w = w[safe] * valid.to(logits.dtype)
    losses = pixel_w * nll
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / pixel_w.sum()


def _class_sums(logits: Tensor, target: Tensor, ignore_index: int | None
                ) -> tuple[Tensor, Tensor, Tensor]:
    """Per-class (I_c, P_c, T_c), each (C,), over the batch and the valid pixels."""
    num_classes = logits.shape[1]
    p = torch.softmax(logits, dim=1)
    if ignore_index is None:
        valid = torch.ones_like(target, dtype=torch.bool)
    else:
        valid = target != ignore_index
    safe = torch.where(valid, target, torch.zeros_like(target))
    t = F.one_hot(safe, num_classes).permute(0, 3, 1, 2).to(p.dtype)
    v = valid.unsqueeze(1).to(p.dtype)
    p, t = p * v, t * v
    dims = (0, 2, 3)
    return (p * t).sum(dims), p.sum(dims), t.sum(dims)


def soft_dice_loss(logits: Tensor, target: Tensor, smooth: float = 1.0,
                   ignore_index: int | None = None) -> Tensor:
    """Multi-class soft Dice loss 1 - mean_c dice_c (module docstring): a scalar in [0, 1]."""
    inter, pred, true = _class_sums(logits, target, ignore_index)
    dice = (2 * inter + smooth) / (pred + true + smooth)
    return 1 - dice.mean()


def soft_jaccard_loss(logits: Tensor, target: Tensor, smooth: float = 1.0,
                      ignore_index: int | None = None) -> Tensor:
    """Multi-class soft Jaccard (IoU) loss 1 - mean_c jacc_c (module docstring): a scalar."""
    inter, pred, true = _class_sums(logits, target, ignore_index)
    jacc = (inter + smooth) / (pred + true - inter + smooth)
    return 1 - jacc.mean()


def sigmoid_focal_loss(inputs: Tensor, targets: Tensor, alpha: float = 0.25, gamma: float = 2.0,
                       reduction: str = "none") -> Tensor:
    """Binary focal loss of logits ``inputs`` and float targets in {0, 1} (same shape).

    Raises ValueError for an unknown reduction.
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    p = torch.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = alpha * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
