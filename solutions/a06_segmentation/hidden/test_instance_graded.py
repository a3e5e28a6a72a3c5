"""Graded: Mask R-CNN's mask targets, mask loss, pasting and mask IoU against torchvision's
roi_heads (part "instance")."""

import numpy as np
import torch
from torchvision.models.detection.roi_heads import (
    maskrcnn_loss,
    paste_masks_in_image,
    project_masks_on_boxes,
)

from autograder.testing import assert_close, part, points, watch_call
from dnn.seg_shapes import make_seg_shapes

TOL = {"rtol": 1e-9, "atol": 1e-12}


def instance_masks(seed: int, device: str, size: int = 32):
    """Ground-truth instance masks (G, S, S) float64, their boxes and labels from the generator."""
    data = make_seg_shapes(1, size=size, max_objects=3, seed=seed)
    inst = data.instances[0]
    masks = np.stack([inst == k for k in range(1, inst.max() + 1)]).astype(float)
    boxes = []
    for m in masks:
        ys, xs = np.nonzero(m)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    return (torch.as_tensor(masks, device=device), torch.as_tensor(boxes, dtype=torch.float64,
            device=device), torch.as_tensor(data.instance_labels[0], device=device))


def proposals_for(rng, gt_boxes, n, size):
    """n jittered copies of ground-truth boxes (some far larger or smaller than M, some leaving
    the image, one thinner than a pixel) and the instance each was made from."""
    idx = rng.integers(0, len(gt_boxes), n)
    b = gt_boxes.cpu().numpy()[idx] + rng.normal(0, 3, (n, 4))
    b[:, 2:] = np.maximum(b[:, 2:], b[:, :2] + rng.uniform(0.3, 2 * size / 3, (n, 2)))
    b[0] = [b[0, 0], b[0, 1], b[0, 0] + 0.4, b[0, 1] + 0.7]   # under a pixel wide and high
    b[1] = [-4.5, -3.2, size + 5.1, size + 2.7]                 # larger than the image
    return torch.as_tensor(b, device=gt_boxes.device), torch.as_tensor(idx, device=gt_boxes.device)


def _project_masks_matches_torchvision(student, rng, device):
    """project_masks matches torchvision's project_masks_on_boxes (RoI Align, aligned=False,
    adaptive sampling grid) for M = 7, 14 and 28, boxes larger and smaller than M pixels, a
    sub-pixel box and one larger than the image, in float64 and float32."""
    for seed, m_size in ((1, 7), (2, 14), (3, 28)):
        gt, gt_boxes, _ = instance_masks(seed, device)
        boxes, idx = proposals_for(rng, gt_boxes, 6, 32)
        got = student.mask_head.project_masks(gt, boxes, idx, m_size)
        assert_close(got, project_masks_on_boxes(gt, boxes, idx, m_size), **TOL,
                     name=f"mask targets (M = {m_size})")
    got32 = student.mask_head.project_masks(gt.float(), boxes.float(), idx, 7)
    assert got32.dtype == torch.float32, "the targets should have the boxes' dtype"
    assert_close(got32, project_masks_on_boxes(gt.float(), boxes.float(), idx, 7), rtol=1e-5,
                 atol=1e-6, name="float32 mask targets")


def _project_masks_edges(student, rng, device):
    """project_masks: no proposals give an empty (0, M, M) result; a box over a whole mask of
    ones gives ones; the arguments are not modified."""
    gt, gt_boxes, _ = instance_masks(4, device)
    none = student.mask_head.project_masks(gt, gt_boxes[:0], torch.zeros(0, dtype=torch.int64,
                                           device=device), 5)
    assert tuple(none.shape) == (0, 5, 5), "no proposals should give a (0, M, M) result"
    ones = torch.ones((1, 10, 12), dtype=torch.float64, device=device)
    box = torch.tensor([[1.0, 1.0, 9.0, 8.0]], dtype=torch.float64, device=device)
    got = student.mask_head.project_masks(ones, box, torch.tensor([0], device=device), 4)
    assert_close(got, torch.ones((1, 4, 4), dtype=torch.float64), **TOL,
                 name="targets of a box inside a mask of ones")
    # A mask of ones up to the image's border shows where samples fall outside it (0 beyond
    # -1 and H or W, clamped in between): boxes leaving each side, and one wholly outside.
    leaving = torch.tensor([[-3.0, -2.5, 4.0, 5.0], [6.5, 8.0, 13.5, 11.0],
                            [-6.0, -5.0, -1.5, -1.2], [-0.5, -0.7, 12.0, 10.0],
                            [10.2, 8.4, 14.0, 13.0],
                            [-1.5, -1.5, 5.5, 5.5]],  # M = 7: its first samples at exactly -1
                           dtype=torch.float64, device=device)
    first = torch.zeros(6, dtype=torch.int64, device=device)
    assert_close(student.mask_head.project_masks(ones, leaving, first, 7),
                 project_masks_on_boxes(ones, leaving, first, 7), **TOL,
                 name="targets of boxes leaving a mask of ones")
    boxes, idx = proposals_for(rng, gt_boxes, 4, 32)
    call = watch_call(student.mask_head.project_masks, gt, boxes, idx, 7)
    assert call.changed == [], f"project_masks modified {call.changed}"


def _mask_loss_matches_torchvision(student, rng, device):
    """mask_rcnn_loss matches torchvision's maskrcnn_loss on two images of different sizes (only
    the matched ground-truth class's channel is scored), and does not modify its arguments."""
    gt_a, boxes_a, labels_a = instance_masks(5, device)
    gt_b, boxes_b, labels_b = instance_masks(6, device, size=24)
    prop_a, idx_a = proposals_for(rng, boxes_a, 5, 32)
    prop_b, idx_b = proposals_for(rng, boxes_b, 3, 24)
    logits = torch.as_tensor(rng.standard_normal((8, 4, 14, 14)) * 2, device=device)
    args = (logits, [prop_a, prop_b], [gt_a, gt_b], [labels_a + 1, labels_b + 1], [idx_a, idx_b])
    want = maskrcnn_loss(*args)
    call = watch_call(student.mask_head.mask_rcnn_loss, *args)
    assert_close(call.result, want, **TOL, name="mask loss")
    assert call.changed == [], f"mask_rcnn_loss modified {call.changed}"
    # a wrong class channel would change the loss: the channels differ a lot
    shuffled = (logits, [prop_a, prop_b], [gt_a, gt_b], [labels_b[:1].repeat(len(labels_a)),
                labels_a[:1].repeat(len(labels_b))], [idx_a * 0, idx_b * 0])
    assert_close(student.mask_head.mask_rcnn_loss(*shuffled), maskrcnn_loss(*shuffled), **TOL,
                 name="mask loss with every proposal matched to the first instance")


def _mask_loss_without_proposals(student, device):
    """mask_rcnn_loss with no proposal at all is 0 (mask_logits.sum() * 0), not nan."""
    gt = torch.zeros((1, 8, 8), dtype=torch.float64, device=device)
    logits = torch.zeros((0, 3, 7, 7), dtype=torch.float64, device=device)
    got = student.mask_head.mask_rcnn_loss(
        logits, [torch.zeros((0, 4), dtype=torch.float64, device=device)], [gt],
        [torch.tensor([1], device=device)], [torch.zeros(0, dtype=torch.int64, device=device)])
    assert float(got) == 0.0, "the loss of no proposals should be 0"


def _paste_masks_matches_torchvision(student, rng, device):
    """paste_masks matches torchvision's paste_masks_in_image with padding 0, 1 and 2, boxes
    inside the image, past each edge, wholly outside, and tiny; no masks give (0, 1, H, W)."""
    m_size, h, w = 14, 30, 26
    masks = torch.as_tensor(rng.random((5, 1, m_size, m_size)), device=device)
    xy = rng.uniform(-6, 22, (5, 2))
    wh = rng.uniform(1, 18, (5, 2))
    boxes = torch.as_tensor(np.concatenate([xy, xy + wh], 1), device=device)
    boxes[0] = torch.tensor([3.2, 4.7, 3.9, 5.1])
    boxes[1] = torch.tensor([20.5, 25.2, 31.0, 33.9])   # past the right and bottom edges
    boxes[2] = torch.tensor([-3.4, -2.1, 8.8, 9.6])     # past the left and top edges
    for padding in (0, 1, 2):
        got = student.mask_head.paste_masks(masks, boxes, (h, w), padding)
        assert_close(got, paste_masks_in_image(masks, boxes, (h, w), padding), **TOL,
                     name=f"pasted masks (padding {padding})")
    # Wholly outside, above and left, and right and below (torchvision's paste raises on these).
    outside = torch.tensor([[-9.0, -7.5, -2.2, -1.4], [27.3, 31.0, 35.0, 36.0]], device=device,
                           dtype=torch.float64)
    got = student.mask_head.paste_masks(masks[:2], outside, (h, w), 1)
    assert_close(got, torch.zeros((2, 1, h, w), dtype=torch.float64), **TOL,
                 name="masks pasted at boxes wholly outside the image")
    empty = student.mask_head.paste_masks(masks[:0], boxes[:0], (h, w), 1)
    assert tuple(empty.shape) == (0, 1, h, w), "no masks should give a (0, 1, H, W) result"
    call = watch_call(student.mask_head.paste_masks, masks, boxes, (h, w), 1)
    assert call.changed == [], f"paste_masks modified {call.changed}"


def _mask_iou(student, rng, device):
    """mask_iou gives the (N, K) float64 IoU of bool and 0/1 masks, 0 where both masks are
    empty, and does not modify its arguments."""
    a = rng.random((4, 9, 7)) < 0.4
    b = rng.random((3, 9, 7)) < 0.5
    a[1] = False
    b[2] = False
    a[0], b[0] = False, False  # one pixel each, the same: IoU 1 over a union of 1
    a[0, 2, 3], b[0, 2, 3] = True, True
    want = np.zeros((4, 3))
    for i in range(4):
        for j in range(3):
            union = (a[i] | b[j]).sum()
            want[i, j] = (a[i] & b[j]).sum() / union if union else 0.0
    call = watch_call(student.mask_head.mask_iou, torch.as_tensor(a, device=device),
                      torch.as_tensor(b, device=device))
    assert call.result.dtype == torch.float64, "mask_iou should return float64"
    assert_close(call.result, want, rtol=1e-12, name="mask IoU of bool masks")
    assert call.changed == [], f"mask_iou modified {call.changed}"
    got = student.mask_head.mask_iou(torch.as_tensor(a, dtype=torch.float32, device=device),
                                     torch.as_tensor(b, dtype=torch.float32, device=device))
    assert_close(got, want, rtol=1e-12, name="mask IoU of 0/1 float masks")


@part("instance")
@points(9)
def test_mask_targets(student, rng, device):
    """project_masks matches torchvision's project_masks_on_boxes (RoI Align, aligned=False,
    adaptive sampling grid) for M = 7, 14 and 28, boxes larger and smaller than M pixels, a
    sub-pixel box and one larger than the image, in float64 and float32. project_masks: no
    proposals give an empty (0, M, M) result; a box over a whole mask of ones gives ones, and
    boxes leaving such a mask on each side match torchvision; the arguments are not modified."""
    _project_masks_matches_torchvision(student, rng, device)
    _project_masks_edges(student, rng, device)


@part("instance")
@points(8)
def test_mask_loss(student, rng, device):
    """mask_rcnn_loss matches torchvision's maskrcnn_loss on two images of different sizes (only
    the matched ground-truth class's channel is scored), and does not modify its arguments.
    mask_rcnn_loss with no proposal at all is 0 (mask_logits.sum() * 0), not nan."""
    _mask_loss_matches_torchvision(student, rng, device)
    _mask_loss_without_proposals(student, device)


@part("instance")
@points(8)
def test_paste_masks_and_iou(student, rng, device):
    """paste_masks matches torchvision's paste_masks_in_image with padding 0, 1 and 2, boxes
    inside the image, past each edge, wholly outside, and tiny; no masks give (0, 1, H, W).
    mask_iou gives the (N, K) float64 IoU of bool and 0/1 masks (one-pixel masks too), 0 where
    both masks are empty, and does not modify its arguments."""
    _paste_masks_matches_torchvision(student, rng, device)
    _mask_iou(student, rng, device)
