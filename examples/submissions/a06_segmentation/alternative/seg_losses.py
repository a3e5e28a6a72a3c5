"""Segmentation losses (alternative submission: one-hot masks and explicit sums)."""

import torch
from torch import Tensor


def _reduce(values: Tensor, reduction: str) -> Tensor:
    if reduction == "sum":
        return values.sum()
    if reduction == "mean":
        return values.mean()
    if reduction == "none":
        return values
    raise ValueError(f"bad reduction {reduction}")


def pixel_cross_entropy(logits: Tensor, target: Tensor, weight: Tensor | None = None,
                        ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Weighted pixel-wise cross-entropy."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"bad reduction {reduction}")
    c = logits.shape[1]
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_prob = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    mask = (target != ignore_index)
    onehot = torch.zeros_like(logits)
    onehot.scatter_(1, torch.where(mask, target, 0).unsqueeze(1), 1.0)
    onehot = onehot * mask.unsqueeze(1)
    w = logits.new_ones(c) if weight is None else weight.to(dtype=logits.dtype)
    w = w.view(1, c, 1, 1)
    per_pixel = -(onehot * w * log_prob).sum(dim=1)
    if reduction == "none":
        return per_pixel
    if reduction == "sum":
        return per_pixel.sum()
    return per_pixel.sum() / (onehot * w).sum()


def _overlaps(logits: Tensor, target: Tensor, ignore_index: int | None):
    prob = logits.softmax(dim=1)
    keep = torch.ones_like(target, dtype=torch.bool) if ignore_index is None \
        else target.ne(ignore_index)
    classes = torch.arange(logits.shape[1], device=logits.device).view(1, -1, 1, 1)
    truth = (target.unsqueeze(1) == classes) & keep.unsqueeze(1)
    prob = prob.masked_fill(~keep.unsqueeze(1), 0.0)
    truth = truth.to(prob.dtype)
    inter = torch.einsum("bchw,bchw->c", prob, truth)
    return inter, prob.sum(dim=(0, 2, 3)), truth.sum(dim=(0, 2, 3))


def soft_dice_loss(logits: Tensor, target: Tensor, smooth: float = 1.0,
                   ignore_index: int | None = None) -> Tensor:
    """1 - mean Dice."""
    i, p, t = _overlaps(logits, target, ignore_index)
    return 1.0 - ((i * 2.0 + smooth) / (p + t + smooth)).mean()


def soft_jaccard_loss(logits: Tensor, target: Tensor, smooth: float = 1.0,
                      ignore_index: int | None = None) -> Tensor:
    """1 - mean Jaccard."""
    i, p, t = _overlaps(logits, target, ignore_index)
    union = p + t - i
    return 1.0 - ((i + smooth) / (union + smooth)).mean()


def sigmoid_focal_loss(inputs: Tensor, targets: Tensor, alpha: float = 0.25, gamma: float = 2.0,
                       reduction: str = "none") -> Tensor:
    """Focal loss."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"bad reduction {reduction}")
    # stable BCE with logits: max(x, 0) - x t + log(1 + exp(-|x|))
    bce = inputs.clamp(min=0) - inputs * targets + torch.log1p(torch.exp(-inputs.abs()))
    prob = torch.sigmoid(inputs)
    p_t = prob * targets + (1 - prob) * (1 - targets)
    out = bce * (1 - p_t).pow(gamma)
    if alpha >= 0:
        out = out * (targets * alpha + (1 - targets) * (1 - alpha))
    return _reduce(out, reduction)
