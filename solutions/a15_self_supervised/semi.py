"""Semi-supervised learning on 8x8 digits with few labels: confidence-thresholded pseudo-labels,
FixMatch's weak/strong consistency loss and the mean teacher's moving average of the weights.

Logits are rows of a (N, C) tensor, labels int64 (N,), images flattened rows of a (N, 64)
tensor in [0, 1]. Randomness comes from a ``torch.Generator`` seeded with the ``seed`` argument,
on the CPU, drawn in the order each docstring states.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def pseudo_labels(logits: Tensor, threshold: float) -> tuple[Tensor, Tensor]:
    """Hard pseudo-labels and their confidence mask from logits (N, C).

    With ``p = softmax(logits)`` per row: ``labels_i = argmax_c p_ic`` (the first maximum on a
    tie, as ``torch.argmax``) and ``mask_i = max_c p_ic >= threshold``: a confidence exactly at
    the threshold is kept, as in FixMatch. Returns ``(labels (N,) int64, mask (N,) bool)``,
    neither carrying a gradient; ``logits`` is unchanged. ``ValueError`` unless ``logits`` is
    2-D and ``0 <= threshold <= 1``.
    """
    ### BEGIN SOLUTION
    if logits.dim() != 2:
        raise ValueError(f"need (N, C) logits, got shape {tuple(logits.shape)}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold}")
    conf, labels = logits.detach().softmax(1).max(1)
    return labels, conf >= threshold
    ### END SOLUTION


def masked_cross_entropy(logits: Tensor, labels: Tensor, mask: Tensor) -> Tensor:
    """The pseudo-label loss of a batch, a scalar:
    ``(1 / N) sum_i mask_i * CE(logits_i, labels_i)`` with ``CE(z, y) = -log softmax(z)_y``.

    It is divided by the batch size N, not by the number of kept rows (FixMatch's convention:
    the loss grows as more pseudo-labels pass the threshold, and a batch with no kept row gives
    0, with a zero gradient). ``logits`` (N, C), ``labels`` (N,) int64, ``mask`` (N,) bool.
    """
    ### BEGIN SOLUTION
    ce = F.cross_entropy(logits, labels, reduction="none")  # (N,)
    return torch.where(mask, ce, torch.zeros_like(ce)).sum() / len(logits)
    ### END SOLUTION


def fixmatch_loss(weak_logits: Tensor, strong_logits: Tensor, threshold: float = 0.95) -> Tensor:
    """FixMatch's unlabelled loss (Sohn et al. 2020), a scalar: pseudo-labels and mask from the
    weak view's logits (N, C) by ``pseudo_labels(weak_logits, threshold)``, treated as
    constants (no gradient flows to ``weak_logits``), then ``masked_cross_entropy`` of the
    strong view's logits (N, C) against them."""
    ### BEGIN SOLUTION
    labels, mask = pseudo_labels(weak_logits.detach(), threshold)
    return masked_cross_entropy(strong_logits, labels, mask)
    ### END SOLUTION


def strong_view(x: Tensor, seed: int, drop: float = 0.3, noise: float = 0.2) -> Tensor:
    """The strong view of images (N, 64) -> (N, 64), with a fresh
    ``torch.Generator().manual_seed(seed)`` and these draws, in this order:

    1. ``keep = torch.rand(N, 64) >= drop``: pixels with ``keep`` false are set to 0;
    2. ``eps = torch.randn(N, 64)``: add ``noise * eps``;

    then clip to [0, 1]. The draws are float64 on the CPU, moved to ``x``'s device; the result
    has ``x``'s dtype and device and ``x`` is unchanged. (The weak view is the image itself: on
    8x8 digits a one-pixel shift already changes what an MLP sees too much.)
    """
    ### BEGIN SOLUTION
    gen = torch.Generator().manual_seed(seed)
    keep = torch.rand(x.shape, generator=gen, dtype=torch.float64) >= drop
    eps = torch.randn(x.shape, generator=gen, dtype=torch.float64)
    out = x * keep.to(x.device) + noise * eps.to(device=x.device, dtype=x.dtype)
    return out.clamp(0, 1)
    ### END SOLUTION


def ema_update(teacher: nn.Module, student: nn.Module, decay: float) -> None:
    """The mean teacher's update (Tarvainen & Valpola 2017), in place on ``teacher`` and without
    recording gradients: every parameter becomes

    ``theta_t <- decay * theta_t + (1 - decay) * theta_s``

    with ``theta_s`` the student's parameter of the same name, and every buffer of the teacher
    (BatchNorm's running mean and variance and its ``num_batches_tracked``) becomes a copy of
    the student's (FixMatch's EMA model does the same). The teacher's parameters stay the same
    tensors, with their ``requires_grad`` and no ``.grad``; the student is unchanged. Returns
    None. ``ValueError`` unless ``0 <= decay <= 1`` and both models have the same parameter
    and buffer names.
    """
    ### BEGIN SOLUTION
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must be in [0, 1], got {decay}")
    params, buffers = dict(student.named_parameters()), dict(student.named_buffers())
    t_params, t_buffers = dict(teacher.named_parameters()), dict(teacher.named_buffers())
    if params.keys() != t_params.keys() or buffers.keys() != t_buffers.keys():
        raise ValueError("teacher and student have different parameter or buffer names")
    with torch.no_grad():
        for name, p in t_params.items():
            p.mul_(decay).add_(params[name], alpha=1.0 - decay)
        for name, b in t_buffers.items():
            b.copy_(buffers[name])
    ### END SOLUTION


def make_bn_classifier(hidden: int = 32, seed: int = 0) -> nn.Module:
    """A 64 -> hidden -> BatchNorm -> ReLU -> 10 MLP, a model with buffers (given)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                         nn.Linear(hidden, 10))


def train_fixmatch(model: nn.Module, x_lab: Tensor, y_lab: Tensor, x_unlab: Tensor,
                   steps: int = 200, warmup: int = 50, threshold: float = 0.9,
                   lam: float = 1.0, lr: float = 1e-2, seed: int = 0
                   ) -> tuple[list[float], list[float]]:
    """FixMatch training of ``model`` in place with one ``torch.optim.Adam(lr)``, full batches.

    At step ``t = 0 .. steps - 1`` the loss is the mean cross-entropy ``CE(model(x_lab), y_lab)``
    of the labelled rows plus, from step ``warmup`` on,
    ``lam * fixmatch_loss(model(x_unlab), model(strong_view(x_unlab, seed * 100003 + t)),
    threshold)`` (the weak view is ``x_unlab`` itself); one Adam step per ``t``. Returns
    ``(losses, kept)``: the loss of each step and the fraction of unlabelled rows whose
    pseudo-label passed the threshold (0.0 during the warm-up), ``steps`` floats each.
    """
    ### BEGIN SOLUTION
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses, kept = [], []
    for t in range(steps):
        loss = F.cross_entropy(model(x_lab), y_lab)
        rate = 0.0
        if t >= warmup:
            weak = model(x_unlab)
            strong = model(strong_view(x_unlab, seed * 100003 + t))
            loss = loss + lam * fixmatch_loss(weak, strong, threshold)
            rate = pseudo_labels(weak, threshold)[1].double().mean().item()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        kept.append(rate)
    return losses, kept
    ### END SOLUTION
