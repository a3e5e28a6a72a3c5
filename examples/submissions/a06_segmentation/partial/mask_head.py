"""Mask R-CNN's mask head: its targets, its loss, pasting its masks back, and mask IoU.

Boxes are (x1, y1, x2, y2) in pixels of an (H, W) image; masks are float (0/1) or bool.

**Targets** (torchvision's ``project_masks_on_boxes``). Proposal k, matched to ground-truth
instance ``matched_idxs[k]``, gets the M x M target ``RoIAlign(gt_masks[matched_idxs[k]],
box_k)`` with spatial scale 1, ``aligned=False`` and an adaptive sampling grid: the RoI is
w = max(x2 - x1, 1) by h = max(y2 - y1, 1), bin (i, j) averages g_h x g_w bilinear samples at

    y = y1 + i h/M + (a + 0.5) h/(M g_h),   x = x1 + j w/M + (b + 0.5) w/(M g_w),
    g_h = ceil(h / M), g_w = ceil(w / M),   a < g_h, b < g_w.

A sample with y < -1 or y > H (or x < -1 or x > W) is 0; otherwise y (and x) is clamped to
>= 0, and bilinear interpolation uses rows floor(y) and floor(y) + 1, both H - 1 (with y = H - 1)
when floor(y) >= H - 1.

**Loss** (``maskrcnn_loss``): logits (K, C, M, M) of all images' proposals (concatenated in
image order); only the channel of the matched ground-truth class ``gt_labels[matched_idxs[k]]``
of each proposal is scored, by the mean binary cross-entropy with logits against its target.
With no proposal at all the loss is ``mask_logits.sum() * 0``.

**Pasting** (``paste_masks_in_image``): each M x M probability mask is zero-padded by
``padding`` on every side, its box scaled about its centre by s = (M + 2 padding) / M and cast
to int64 (truncation toward zero); the padded mask is resized bilinearly (align_corners=False)
to (y2 - y1 + 1) x (x2 - x1 + 1) pixels (at least 1 x 1) and written at rows y1.., columns
x1.. of a zero image, clipped to the image.

**Mask IoU**: |A and B| / |A or B| of binary masks, 0 when both are empty.

No function modifies its arguments; outputs are on the inputs' device.
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor


def _sample_axis(start: float, length: float, bins: int, limit: int
                 ) -> tuple[Tensor, Tensor, Tensor, Tensor, int]:
    """Bilinear sample positions along one axis: (low index, high index, weight of low, weight
    of high incl. validity, grid size)."""
    grid = max(math.ceil(length / bins), 1)
    step = length / bins
    i = torch.arange(bins, dtype=torch.float64)[:, None]
    a = torch.arange(grid, dtype=torch.float64)[None, :]
    pos = (start + i * step + (a + 0.5) * step / grid).reshape(-1)
    inside = ((pos >= -1.0) & (pos <= limit)).double()
    pos = pos.clamp(min=0.0)
    low = pos.floor().long()
    edge = low >= limit - 1
    low = torch.where(edge, torch.full_like(low, limit - 1), low)
    high = torch.where(edge, low, low + 1)
    frac = torch.where(edge, torch.zeros_like(pos), pos - low.double())
    return low, high, (1 - frac) * inside, frac * inside, grid


def project_masks(gt_masks: Tensor, boxes: Tensor, matched_idxs: Tensor, M: int) -> Tensor:
    """Mask targets (K, M, M) of dtype ``boxes.dtype``: RoI Align of ``gt_masks`` (G, H, W)
    over ``boxes`` (K, 4) for proposal k's instance ``matched_idxs[k]`` (K,) int64."""
    height, width = gt_masks.shape[-2:]
    out = boxes.new_zeros((len(boxes), M, M))
    pairs = zip(boxes.tolist(), matched_idxs.tolist(), strict=True)
    for k, ((x1, y1, x2, y2), g) in enumerate(pairs):
        ylo, yhi, wyl, wyh, gy = _sample_axis(y1, max(y2 - y1, 1.0), M, height)
        xlo, xhi, wxl, wxh, gx = _sample_axis(x1, max(x2 - x1, 1.0), M, width)
        m = gt_masks[int(g)].double().cpu()
        value = (wyl[:, None] * wxl[None, :] * m[ylo][:, xlo]
                 + wyl[:, None] * wxh[None, :] * m[ylo][:, xhi]
                 + wyh[:, None] * wxl[None, :] * m[yhi][:, xlo]
                 + wyh[:, None] * wxh[None, :] * m[yhi][:, xhi])
        value = value.reshape(M, gy, M, gx).mean(dim=(1, 3))
        out[k] = value.to(out)
    return out


def mask_rcnn_loss(mask_logits: Tensor, proposals: list[Tensor], gt_masks: list[Tensor],
                   gt_labels: list[Tensor], matched_idxs: list[Tensor]) -> Tensor:
    """Scalar mask loss of logits (K, C, M, M) for per-image proposals (K_i, 4), ground-truth
    masks (G_i, H_i, W_i), labels (G_i,) int64 and matches (K_i,) int64 (sum K_i = K)."""
    size = mask_logits.shape[-1]
    labels = torch.cat([lab[idx] for lab, idx in zip(gt_labels, matched_idxs, strict=True)])
    targets = torch.cat([project_masks(m, p, i, size)
                         for m, p, i in zip(gt_masks, proposals, matched_idxs, strict=True)])
    if targets.numel() == 0:
        return mask_logits.sum() * 0
    chosen = mask_logits[torch.arange(len(labels), device=labels.device), labels]
    return F.binary_cross_entropy_with_logits(chosen, targets.to(chosen))


def paste_masks(masks: Tensor, boxes: Tensor, image_shape: tuple[int, int], padding: int = 1
                ) -> Tensor:
    """Paste masks (N, 1, M, M) into (N, 1, H, W) images of ``image_shape`` = (H, W) at
    ``boxes`` (N, 4), as the module docstring says."""
    raise NotImplementedError("paste_masks: not done yet")


def mask_iou(masks_a: Tensor, masks_b: Tensor) -> Tensor:
    """(N, K) float64 IoU of binary masks (N, H, W) and (K, H, W); 0 where both are empty."""
    a = masks_a.reshape(len(masks_a), -1).double()
    b = masks_b.reshape(len(masks_b), -1).double()
    a, b = (a > 0).double(), (b > 0).double()
    inter = a @ b.T
    union = a.sum(1)[:, None] + b.sum(1)[None, :] - inter
    return torch.where(union > 0, inter / union.clamp(min=1), torch.zeros_like(inter))
