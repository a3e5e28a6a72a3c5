"""Semi-supervised pieces on hand-checkable inputs."""

import math

import torch
from semi import (
    ema_update,
    fixmatch_loss,
    make_bn_classifier,
    masked_cross_entropy,
    pseudo_labels,
    strong_view,
    train_fixmatch,
)


def test_pseudo_labels_keep_a_tie_at_the_threshold() -> None:
    z = torch.tensor([[0.0, 0.0], [0.0, 2.0], [1.0, -1.0]], dtype=torch.float64)
    labels, mask = pseudo_labels(z, 0.5)
    assert labels.tolist() == [0, 1, 0] and mask.tolist() == [True, True, True]
    assert pseudo_labels(z, 0.8)[1].tolist() == [False, True, True]  # e^2 / (1 + e^2) = 0.88


def test_masked_cross_entropy_divides_by_the_batch() -> None:
    z = torch.zeros(4, 2, dtype=torch.float64)  # every CE is log 2
    mask = torch.tensor([True, False, True, False])
    got = masked_cross_entropy(z, torch.tensor([0, 1, 1, 0]), mask)
    assert abs(got.item() - 2 * math.log(2) / 4) < 1e-12
    assert masked_cross_entropy(z, torch.zeros(4, dtype=torch.long), ~mask & mask).item() == 0.0


def test_fixmatch_loss_sends_no_gradient_to_the_weak_view() -> None:
    weak = torch.tensor([[3.0, 0.0], [0.0, 0.1]], dtype=torch.float64, requires_grad=True)
    strong = torch.zeros(2, 2, dtype=torch.float64, requires_grad=True)
    loss = fixmatch_loss(weak, strong, 0.9)  # only row 0 passes: CE = log 2, over N = 2
    loss.backward()
    assert abs(loss.item() - math.log(2) / 2) < 1e-12
    assert weak.grad is None or not weak.grad.any()
    assert strong.grad is not None and strong.grad[0, 0] < 0 and not strong.grad[1].any()


def test_ema_update_averages_parameters_and_copies_buffers() -> None:
    teacher, student = make_bn_classifier(4, 0), make_bn_classifier(4, 1)
    student[1].running_mean.fill_(2.0)
    w_t, w_s = teacher[0].weight.detach().clone(), student[0].weight.detach().clone()
    ema_update(teacher, student, 0.75)
    torch.testing.assert_close(teacher[0].weight.detach(), 0.75 * w_t + 0.25 * w_s)
    assert torch.equal(teacher[1].running_mean, student[1].running_mean)
    assert teacher[0].weight.grad is None and teacher[0].weight.requires_grad


def test_strong_view_and_training_smoke() -> None:
    x = torch.rand(6, 64, generator=torch.Generator().manual_seed(0))
    v = strong_view(x, 1)
    assert torch.equal(v, strong_view(x, 1)) and not torch.equal(v, strong_view(x, 2))
    assert v.min() >= 0 and v.max() <= 1 and torch.equal(strong_view(x, 3, 0.0, 0.0), x)
    torch.manual_seed(0)
    model = torch.nn.Linear(64, 10)
    losses, kept = train_fixmatch(model, x[:3], torch.tensor([0, 1, 2]), x[3:], steps=4,
                                  warmup=2, threshold=0.0)
    assert len(losses) == 4 and kept == [0.0, 0.0, 1.0, 1.0]
