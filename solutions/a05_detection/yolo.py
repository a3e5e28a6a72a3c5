"""A single-stage, YOLO-style detector head: target assignment, loss and decoding.

The image (side ``image_size``) is cut into an S x S grid of cells with stride
s = image_size / S. Every cell predicts, for each of A anchor shapes (w_a, h_a) in pixels,
5 + C numbers: pred[b, i, j, a] = (t_x, t_y, t_w, t_h, t_o, class logits l_1..l_C), with i the
row and j the column of the cell (YOLOv2, Redmon & Farhadi 2017). The box it stands for is

    c_x = (j + sigmoid(t_x)) s,   c_y = (i + sigmoid(t_y)) s,   w = w_a exp(t_w),   h = h_a exp(t_h)

with objectness sigmoid(t_o) and class probabilities softmax(l).
"""

import torch
import torch.nn.functional as F
from nms import batched_nms
from torch import Tensor


def best_anchor(wh: Tensor, anchors: Tensor) -> Tensor:
    """Index (N,) int64 of the anchor whose shape best fits each box size ``wh`` (N, 2): the
    largest IoU of the two boxes placed at the same corner, min(w, w_a) min(h, h_a) /
    (w h + w_a h_a - min(w, w_a) min(h, h_a)); ties go to the lower anchor index."""
    ### BEGIN SOLUTION
    inter = (torch.minimum(wh[:, None, 0], anchors[None, :, 0])
             * torch.minimum(wh[:, None, 1], anchors[None, :, 1]))  # (N, A)
    union = (wh[:, 0] * wh[:, 1])[:, None] + (anchors[:, 0] * anchors[:, 1])[None, :] - inter
    return torch.argmax(inter / union, dim=1)  # argmax returns the first maximum
    ### END SOLUTION


def build_targets(boxes: list[Tensor], labels: list[Tensor], anchors: Tensor, grid_size: int,
                  image_size: int) -> dict[str, Tensor]:
    """Training targets for a batch: which (cell, anchor) slots hold an object, and what.

    Each ground-truth box (x1, y1, x2, y2) with centre (c_x, c_y) and size (w, h) goes to the
    cell i = min(floor(c_y / s), S - 1), j = min(floor(c_x / s), S - 1) and to its
    ``best_anchor`` a there, with targets

        (c_x / s - j, c_y / s - i, log(w / w_a), log(h / h_a))   and its class.

    When two boxes of an image land in the same slot, the later one in the list wins.

    Args:
        boxes: B tensors (K_b, 4) xyxy pixels (K_b may be 0). labels: B tensors (K_b,) int64.
        anchors: (A, 2) anchor (w, h) in pixels. grid_size: S. image_size: side in pixels.

    Returns:
        {"obj": (B, S, S, A) bool, "box": (B, S, S, A, 4), "cls": (B, S, S, A) int64}, with
        "box" and "cls" zero where "obj" is False; "box" in the anchors' dtype.
    """
    ### BEGIN SOLUTION
    n_img, n_anchors, device = len(boxes), len(anchors), anchors.device
    stride = image_size / grid_size
    obj = torch.zeros((n_img, grid_size, grid_size, n_anchors), dtype=torch.bool, device=device)
    box = torch.zeros((n_img, grid_size, grid_size, n_anchors, 4), dtype=anchors.dtype,
                      device=device)
    cls = torch.zeros((n_img, grid_size, grid_size, n_anchors), dtype=torch.int64, device=device)
    for b, (gt, lab) in enumerate(zip(boxes, labels, strict=True)):
        gt = gt.to(anchors.dtype)
        wh = gt[:, 2:] - gt[:, :2]
        centre = (gt[:, :2] + gt[:, 2:]) / 2
        best = best_anchor(wh, anchors)
        for k in range(len(gt)):
            j = min(int(torch.floor(centre[k, 0] / stride)), grid_size - 1)
            i = min(int(torch.floor(centre[k, 1] / stride)), grid_size - 1)
            a = int(best[k])
            obj[b, i, j, a] = True
            box[b, i, j, a] = torch.stack((centre[k, 0] / stride - j, centre[k, 1] / stride - i,
                                           torch.log(wh[k, 0] / anchors[a, 0]),
                                           torch.log(wh[k, 1] / anchors[a, 1])))
            cls[b, i, j, a] = lab[k]
    return {"obj": obj, "box": box, "cls": cls}
    ### END SOLUTION


def yolo_loss(pred: Tensor, targets: dict[str, Tensor], lambda_coord: float = 5.0,
              lambda_noobj: float = 0.5) -> dict[str, Tensor]:
    """The YOLO loss of predictions ``pred`` (B, S, S, A, 5 + C) for ``build_targets`` output.

    Sums over slots, divided by the batch size B (P = slots with an object, N = the others):

        box   = sum_P (sigmoid(t_x) - t*_x)^2 + (sigmoid(t_y) - t*_y)^2
                      + (t_w - t*_w)^2 + (t_h - t*_h)^2
        obj   = sum_P BCE(sigmoid(t_o), 1)      noobj = sum_N BCE(sigmoid(t_o), 0)
        cls   = sum_P cross-entropy(l, class)
        total = lambda_coord box + obj + lambda_noobj noobj + cls

    (BCE on logits, computed stably: softplus(-t_o) and softplus(t_o).)

    Returns:
        {"box", "obj", "noobj", "cls", "total"}: scalar tensors (the unweighted terms and the
        weighted total), differentiable in ``pred``.
    """
    ### BEGIN SOLUTION
    n_img = pred.shape[0]
    obj = targets["obj"]
    pos, target_box = pred[obj], targets["box"][obj].to(pred.dtype)  # (P, 5 + C), (P, 4)
    xy = torch.sigmoid(pos[:, :2])
    box = (((xy - target_box[:, :2]) ** 2).sum() + ((pos[:, 2:4] - target_box[:, 2:]) ** 2).sum())
    obj_loss = F.softplus(-pos[:, 4]).sum()
    noobj = F.softplus(pred[~obj][:, 4]).sum()
    cls = F.cross_entropy(pos[:, 5:], targets["cls"][obj], reduction="sum")
    terms = {"box": box / n_img, "obj": obj_loss / n_img, "noobj": noobj / n_img,
             "cls": cls / n_img}
    terms["total"] = (lambda_coord * terms["box"] + terms["obj"] + lambda_noobj * terms["noobj"]
                      + terms["cls"])
    return terms
    ### END SOLUTION


def decode_predictions(pred: Tensor, anchors: Tensor, image_size: int,
                       score_threshold: float = 0.05, iou_threshold: float = 0.5,
                       max_detections: int = 100) -> list[dict[str, Tensor]]:
    """Detections of each image of ``pred`` (B, S, S, A, 5 + C).

    For every slot: the box above (clipped to [0, image_size] on both axes), its label
    c = argmax_c softmax(l)_c and score sigmoid(t_o) softmax(l)_c. Keep the slots with
    score > score_threshold, then class-aware NMS (``nms.batched_nms`` at ``iou_threshold``),
    then the first ``max_detections`` survivors.

    Returns:
        B dicts {"boxes": (K, 4) xyxy, "scores": (K,), "labels": (K,) int64}, by decreasing
        score (ties: lower slot index first, slots flattened in (i, j, a) order).
    """
    ### BEGIN SOLUTION
    n_img, grid, _, n_anchors, _ = pred.shape
    stride = image_size / grid
    rows = torch.arange(grid, device=pred.device, dtype=pred.dtype)
    i, j = torch.meshgrid(rows, rows, indexing="ij")  # (S, S)
    cx = (j[..., None] + torch.sigmoid(pred[..., 0])) * stride  # (B, S, S, A)
    cy = (i[..., None] + torch.sigmoid(pred[..., 1])) * stride
    w = anchors[:, 0].to(pred.dtype) * torch.exp(pred[..., 2])
    h = anchors[:, 1].to(pred.dtype) * torch.exp(pred[..., 3])
    all_boxes = torch.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), dim=-1)
    all_boxes = all_boxes.clamp(0, image_size).reshape(n_img, -1, 4)
    probs, labels = torch.softmax(pred[..., 5:], dim=-1).max(dim=-1)
    scores = (torch.sigmoid(pred[..., 4]) * probs).reshape(n_img, -1)
    labels = labels.reshape(n_img, -1)
    out = []
    for b in range(n_img):
        cand = torch.nonzero(scores[b] > score_threshold).flatten()
        keep = cand[batched_nms(all_boxes[b, cand], scores[b, cand], labels[b, cand],
                                iou_threshold)][:max_detections]
        out.append({"boxes": all_boxes[b, keep], "scores": scores[b, keep],
                    "labels": labels[b, keep]})
    return out
    ### END SOLUTION
