"""Public tests of seg_losses.py."""

import seg_losses
import torch
import torch.nn.functional as F


def test_cross_entropy_with_weights_and_ignore():
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    target = torch.randint(0, 3, (2, 4, 5))
    target[0, 0] = -1
    w = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    got = seg_losses.pixel_cross_entropy(logits, target, w, ignore_index=-1)
    want = F.cross_entropy(logits, target, weight=w, ignore_index=-1)
    assert torch.allclose(got, want)


def test_dice_and_jaccard_of_a_perfect_prediction():
    target = torch.tensor([[[0, 1], [2, 1]]])
    logits = torch.full((1, 3, 2, 2), -30.0, dtype=torch.float64).scatter(1, target[:, None], 30.0)
    assert seg_losses.soft_dice_loss(logits, target).item() < 1e-6
    assert seg_losses.soft_jaccard_loss(logits, target).item() < 1e-6
    assert seg_losses.soft_dice_loss(-logits, target).item() > 0.5


def test_focal_loss_with_gamma_zero_is_weighted_bce():
    x = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64)
    t = torch.tensor([0.0, 1.0, 1.0], dtype=torch.float64)
    bce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    got = seg_losses.sigmoid_focal_loss(x, t, alpha=-1.0, gamma=0.0)
    assert torch.allclose(got, bce)
