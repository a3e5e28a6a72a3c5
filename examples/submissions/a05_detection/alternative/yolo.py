"""The YOLO-style head: targets, loss and decoding, written from the handout."""

import torch
import torch.nn.functional as F
from torch import Tensor

from nms import batched_nms


def best_anchor(wh: Tensor, anchors: Tensor) -> Tensor:
    """Anchor of largest corner-aligned IoU per box; ties to the lower index."""
    w, h = wh[:, 0:1], wh[:, 1:2]
    aw, ah = anchors[:, 0].unsqueeze(0), anchors[:, 1].unsqueeze(0)
    inter = torch.minimum(w, aw) * torch.minimum(h, ah)
    iou = inter / (w * h + aw * ah - inter)
    best = iou.max(dim=1, keepdim=True).values
    index = torch.arange(anchors.shape[0], device=wh.device).expand_as(iou)
    return torch.where(iou == best, index, anchors.shape[0]).min(dim=1).values


def build_targets(boxes: list[Tensor], labels: list[Tensor], anchors: Tensor, grid_size: int,
                  image_size: int) -> dict[str, Tensor]:
    """obj (B, S, S, A) bool, box (B, S, S, A, 4), cls (B, S, S, A) int64; later boxes win."""
    n_anchors = anchors.shape[0]
    shape = (len(boxes), grid_size, grid_size, n_anchors)
    obj = torch.zeros(shape, dtype=torch.bool, device=anchors.device)
    box = torch.zeros(shape + (4,), dtype=anchors.dtype, device=anchors.device)
    cls = torch.zeros(shape, dtype=torch.int64, device=anchors.device)
    stride = image_size / grid_size
    for b in range(len(boxes)):
        gt = boxes[b].to(anchors.dtype)
        if gt.shape[0] == 0:
            continue
        cx, cy = (gt[:, 0] + gt[:, 2]) / 2, (gt[:, 1] + gt[:, 3]) / 2
        w, h = gt[:, 2] - gt[:, 0], gt[:, 3] - gt[:, 1]
        col = (cx / stride).floor().long().clamp(max=grid_size - 1)
        row = (cy / stride).floor().long().clamp(max=grid_size - 1)
        a = best_anchor(torch.stack([w, h], 1), anchors)
        values = torch.stack([cx / stride - col, cy / stride - row,
                              torch.log(w / anchors[a, 0]), torch.log(h / anchors[a, 1])], 1)
        # keep only the last box of each slot, so the assignment below has no duplicates
        slot = (row * grid_size + col) * n_anchors + a
        last = {int(s): k for k, s in enumerate(slot.tolist())}
        keep = torch.tensor(sorted(last.values()), dtype=torch.long, device=anchors.device)
        obj[b, row[keep], col[keep], a[keep]] = True
        box[b, row[keep], col[keep], a[keep]] = values[keep]
        cls[b, row[keep], col[keep], a[keep]] = labels[b].to(anchors.device)[keep]
    return {"obj": obj, "box": box, "cls": cls}


def yolo_loss(pred: Tensor, targets: dict[str, Tensor], lambda_coord: float = 5.0,
              lambda_noobj: float = 0.5) -> dict[str, Tensor]:
    """box, obj, noobj, cls (sums over slots / batch size) and the weighted total."""
    mask = targets["obj"].to(pred.dtype)
    batch = pred.shape[0]
    tbox = targets["box"].to(pred.dtype)
    xy_err = (pred[..., :2].sigmoid() - tbox[..., :2]).pow(2).sum(-1)
    wh_err = (pred[..., 2:4] - tbox[..., 2:4]).pow(2).sum(-1)
    box = ((xy_err + wh_err) * mask).sum() / batch
    bce = F.binary_cross_entropy_with_logits(pred[..., 4], mask, reduction="none")
    obj = (bce * mask).sum() / batch
    noobj = (bce * (1 - mask)).sum() / batch
    ce = F.cross_entropy(pred[..., 5:].reshape(-1, pred.shape[-1] - 5),
                         targets["cls"].reshape(-1), reduction="none")
    cls = (ce * mask.reshape(-1)).sum() / batch
    total = lambda_coord * box + obj + lambda_noobj * noobj + cls
    return {"box": box, "obj": obj, "noobj": noobj, "cls": cls, "total": total}


def decode_predictions(pred: Tensor, anchors: Tensor, image_size: int,
                       score_threshold: float = 0.05, iou_threshold: float = 0.5,
                       max_detections: int = 100) -> list[dict[str, Tensor]]:
    """Per image: boxes, scores and labels after the threshold, class-aware NMS and top-k."""
    batch, grid = pred.shape[0], pred.shape[1]
    stride = image_size / grid
    flat = pred.reshape(batch, -1, pred.shape[-1])  # slots in (i, j, a) order
    n_anchors = pred.shape[3]
    slot = torch.arange(flat.shape[1], device=pred.device)
    col = (slot // n_anchors) % grid
    row = slot // (n_anchors * grid)
    a = slot % n_anchors
    detections = []
    for b in range(batch):
        t = flat[b]
        cx = (col + t[:, 0].sigmoid()) * stride
        cy = (row + t[:, 1].sigmoid()) * stride
        w = anchors[a, 0].to(pred.dtype) * t[:, 2].exp()
        h = anchors[a, 1].to(pred.dtype) * t[:, 3].exp()
        boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
        boxes = boxes.clamp(min=0, max=image_size)
        prob, label = F.softmax(t[:, 5:], dim=1).max(dim=1)
        score = t[:, 4].sigmoid() * prob
        ok = score > score_threshold
        boxes, score, label = boxes[ok], score[ok], label[ok]
        keep = batched_nms(boxes, score, label, iou_threshold)[:max_detections]
        detections.append({"boxes": boxes[keep], "scores": score[keep], "labels": label[keep]})
    return detections
