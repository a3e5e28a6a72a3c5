"""Adversarial training on a tiny batch-norm classifier."""

import torch
from robust import (
    adversarial_training_step,
    craft_adversarial,
    make_bn_classifier,
    make_sgd,
    mixed_adversarial_loss,
)

torch.manual_seed(1)
X = torch.rand(16, 64, dtype=torch.float64)
Y = torch.arange(16) % 10


def test_craft_adversarial_keeps_mode_and_box() -> None:
    model = make_bn_classifier(8, 0).double().train()
    x = X.clone()
    adv = craft_adversarial(model, x, Y, 0.1, 0.05, 3, 0)
    assert model.training and torch.equal(x, X)
    assert (adv - X).abs().max() <= 0.1 + 1e-12 and adv.min() >= 0 and adv.max() <= 1
    assert not torch.equal(adv, X)


def test_mixed_loss_and_step() -> None:
    model = make_bn_classifier(8, 0).double().eval()
    ce = torch.nn.functional.cross_entropy
    adv = (X + 0.05).clamp(0, 1)
    want = 0.7 * ce(model(X), Y) + 0.3 * ce(model(adv), Y)
    torch.testing.assert_close(mixed_adversarial_loss(model, X, adv, Y, 0.3), want)
    before = [p.detach().clone() for p in model.parameters()]
    loss = adversarial_training_step(model, make_sgd(model), X, Y, 0.1, 0.05, 3)
    assert isinstance(loss, float) and model.training
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
