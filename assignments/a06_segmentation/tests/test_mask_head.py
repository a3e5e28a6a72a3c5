"""Public tests of mask_head.py (the graded tests compare with torchvision's roi_heads)."""

import mask_head
import torch


def test_targets_of_a_box_inside_a_mask_of_ones():
    masks = torch.ones(1, 10, 10, dtype=torch.float64)
    boxes = torch.tensor([[2.0, 2.0, 8.0, 8.0]], dtype=torch.float64)
    got = mask_head.project_masks(masks, boxes, torch.tensor([0]), 4)
    assert got.shape == (1, 4, 4) and torch.allclose(got, torch.ones(1, 4, 4, dtype=torch.float64))


def test_targets_of_a_half_mask():
    masks = torch.zeros(1, 8, 8, dtype=torch.float64)
    masks[0, :, :4] = 1.0                               # left half
    boxes = torch.tensor([[0.0, 0.0, 8.0, 8.0]], dtype=torch.float64)
    got = mask_head.project_masks(masks, boxes, torch.tensor([0]), 2)[0]
    assert got[:, 0].min() > 0.7 and got[:, 1].max() < 0.3


def test_paste_keeps_the_image_size():
    masks = torch.ones(2, 1, 7, 7)
    boxes = torch.tensor([[2.0, 3.0, 10.0, 9.0], [0.0, 0.0, 4.0, 4.0]])
    out = mask_head.paste_masks(masks, boxes, (16, 12))
    assert out.shape == (2, 1, 16, 12) and out[0, 0, 6, 6] > 0.9 and out[0, 0, 15, 0] == 0


def test_mask_iou():
    a = torch.zeros(1, 4, 4, dtype=torch.bool)
    a[0, :2] = True
    b = torch.zeros(2, 4, 4, dtype=torch.bool)
    b[0, :1] = True
    assert torch.allclose(mask_head.mask_iou(a, b), torch.tensor([[0.5, 0.0]], dtype=torch.float64))


def test_mask_iou_of_empty_masks_is_zero():
    empty = torch.zeros(1, 3, 3, dtype=torch.bool)
    assert mask_head.mask_iou(empty, empty).item() == 0.0


def test_mask_loss_scores_the_matched_class_channel():
    masks = torch.ones(1, 8, 8, dtype=torch.float64)
    boxes = torch.tensor([[0.0, 0.0, 8.0, 8.0]], dtype=torch.float64)
    logits = torch.zeros(1, 3, 4, 4, dtype=torch.float64)
    logits[0, 2] = 20.0                                 # confident "mask" in class 2's channel
    loss = mask_head.mask_rcnn_loss(logits, [boxes], [masks], [torch.tensor([2])],
                                    [torch.tensor([0])])
    assert loss.item() < 1e-6
