"""Mask R-CNN's mask head pieces (alternative submission: a bilinear sampler per point set)."""

import math

import torch
import torch.nn.functional as F
from torch import Tensor


def _bilinear(img: Tensor, ys: Tensor, xs: Tensor) -> Tensor:
    """torchvision's RoI Align interpolation of img (H, W) at every (ys[i], xs[j])."""
    height, width = img.shape

    def prep(v: Tensor, size: int):
        ok = (v >= -1.0) & (v <= size)
        v = torch.clamp(v, min=0.0)
        lo = torch.floor(v).to(torch.int64)
        top = lo >= size - 1
        lo = lo.clamp(max=size - 1)
        hi = torch.where(top, lo, lo + 1)
        v = torch.where(top, lo.to(v.dtype), v)
        frac = v - lo.to(v.dtype)
        return lo, hi, frac, ok

    y0, y1, fy, oky = prep(ys, height)
    x0, x1, fx, okx = prep(xs, width)
    fy, fx = fy[:, None], fx[None, :]
    val = ((1 - fy) * (1 - fx) * img[y0][:, x0] + (1 - fy) * fx * img[y0][:, x1]
           + fy * (1 - fx) * img[y1][:, x0] + fy * fx * img[y1][:, x1])
    return val * (oky[:, None] & okx[None, :]).to(val.dtype)


def project_masks(gt_masks: Tensor, boxes: Tensor, matched_idxs: Tensor, M: int) -> Tensor:
    """RoI Align (aligned=False, adaptive grid) of the matched masks: (K, M, M)."""
    results = []
    for box, g in zip(boxes.to(torch.float64).cpu(), matched_idxs.cpu(), strict=True):
        x1, y1, x2, y2 = (float(v) for v in box)
        rw, rh = max(x2 - x1, 1.0), max(y2 - y1, 1.0)
        gh, gw = math.ceil(rh / M), math.ceil(rw / M)
        ys = y1 + (torch.arange(M * gh, dtype=torch.float64) + 0.5) * (rh / (M * gh))
        xs = x1 + (torch.arange(M * gw, dtype=torch.float64) + 0.5) * (rw / (M * gw))
        img = gt_masks[int(g)].to(torch.float64).cpu()
        dense = _bilinear(img, ys, xs)
        pooled = F.avg_pool2d(dense[None, None], kernel_size=(gh, gw))[0, 0]
        results.append(pooled)
    if not results:
        return torch.zeros((0, M, M), dtype=boxes.dtype, device=boxes.device)
    return torch.stack(results).to(device=boxes.device, dtype=boxes.dtype)


def mask_rcnn_loss(mask_logits: Tensor, proposals: list[Tensor], gt_masks: list[Tensor],
                   gt_labels: list[Tensor], matched_idxs: list[Tensor]) -> Tensor:
    """BCE of the matched class's channel against the RoI-aligned targets."""
    m = mask_logits.shape[-1]
    all_targets, all_labels = [], []
    for props, masks, labels, idx in zip(proposals, gt_masks, gt_labels, matched_idxs,
                                         strict=True):
        all_targets.append(project_masks(masks, props, idx, m))
        all_labels.append(labels.index_select(0, idx))
    targets = torch.cat(all_targets)
    if len(targets) == 0:
        return mask_logits.sum() * 0
    cls = torch.cat(all_labels)
    picked = torch.gather(mask_logits, 1, cls.view(-1, 1, 1, 1).expand(-1, 1, m, m))[:, 0]
    return F.binary_cross_entropy_with_logits(picked, targets.to(picked.dtype))


def paste_masks(masks: Tensor, boxes: Tensor, image_shape: tuple[int, int], padding: int = 1
                ) -> Tensor:
    """Paste each mask into its (expanded, integer) box."""
    img_h, img_w = image_shape
    m = masks.shape[-1]
    s = (m + 2.0 * padding) / m
    canvas = torch.zeros((masks.shape[0], 1, img_h, img_w), dtype=masks.dtype,
                         device=masks.device)
    padded = F.pad(masks, [padding, padding, padding, padding])
    for n in range(masks.shape[0]):
        bx1, by1, bx2, by2 = boxes[n]
        cx, cy = (bx1 + bx2) * 0.5, (by1 + by2) * 0.5
        hw, hh = (bx2 - bx1) * 0.5 * s, (by2 - by1) * 0.5 * s
        x1, y1, x2, y2 = (int(v) for v in torch.stack([cx - hw, cy - hh, cx + hw, cy + hh])
                          .to(torch.int64).tolist())
        width, height = max(x2 - x1 + 1, 1), max(y2 - y1 + 1, 1)
        patch = F.interpolate(padded[n][None], size=(height, width), mode="bilinear",
                              align_corners=False)[0, 0]
        left, top = max(x1, 0), max(y1, 0)
        right, bottom = min(x2 + 1, img_w), min(y2 + 1, img_h)
        if right <= left or bottom <= top:
            continue
        canvas[n, 0, top:bottom, left:right] = patch[top - y1:bottom - y1, left - x1:right - x1]
    return canvas


def mask_iou(masks_a: Tensor, masks_b: Tensor) -> Tensor:
    """Pairwise IoU, 0 for two empty masks."""
    a = masks_a.flatten(1) != 0
    b = masks_b.flatten(1) != 0
    inter = (a[:, None, :] & b[None, :, :]).sum(-1).to(torch.float64)
    union = (a[:, None, :] | b[None, :, :]).sum(-1).to(torch.float64)
    return torch.where(union == 0, torch.zeros_like(union), inter / union.clamp(min=1.0))
