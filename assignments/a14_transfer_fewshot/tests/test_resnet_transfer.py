"""Public tests of the ResNet-transfer part (a sample of what is graded; the graded tests also
load the course checkpoint, compare the schedules with transformers' and train on held-out
glyph classes)."""

import math

import torch
from resnet_transfer import (
    fine_tune,
    freeze_backbone,
    new_head_model,
    param_groups,
    warmup_multiplier,
)

from dnn.glyph_resnet import small_resnet


def test_new_head_keeps_the_backbone():
    state = small_resnet(64, seed=0).state_dict()
    model = new_head_model(state, 5, seed=1)
    assert torch.equal(model.conv1.weight, state["conv1.weight"])
    assert torch.equal(model.bn1.running_var, state["bn1.running_var"])
    assert model.fc.weight.shape == (5, 128)


def test_frozen_batchnorm_keeps_its_statistics():
    model = freeze_backbone(small_resnet(3, seed=0))
    before = model.bn1.running_mean.clone()
    model(torch.randn(4, 3, 32, 32))
    assert torch.equal(model.bn1.running_mean, before)
    assert [n for n, p in model.named_parameters() if p.requires_grad] == ["fc.weight", "fc.bias"]


def test_param_groups_have_two_rates():
    model = small_resnet(3, seed=0)
    groups = param_groups(model, 1e-4, 1e-2)
    assert [(g["name"], g["lr"], len(g["params"])) for g in groups] == [
        ("backbone", 1e-4, len(list(model.parameters())) - 2), ("head", 1e-2, 2)]


def test_warmup_multiplier_linear_and_cosine():
    linear = [warmup_multiplier(s, 2, 6, "linear") for s in range(7)]
    assert all(math.isclose(a, b, abs_tol=1e-12)
               for a, b in zip(linear, [0, 0.5, 1, 0.75, 0.5, 0.25, 0], strict=True))
    cosine = [warmup_multiplier(s, 2, 6, "cosine") for s in (0, 1, 2, 4, 6)]
    assert all(math.isclose(a, b, abs_tol=1e-12)
               for a, b in zip(cosine, [0, 0.5, 1, 0.5, 0], strict=True))


def test_fine_tune_frozen_moves_only_the_head():
    torch.manual_seed(0)
    model = small_resnet(3, seed=0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = torch.randn(10, 3, 32, 32), torch.arange(10) % 3
    out = fine_tune(model, x, y, epochs=2, batch_size=4, warmup_steps=1, freeze=True)
    assert not out.training
    moved = sorted(k for k, v in model.state_dict().items() if not torch.equal(v, before[k]))
    assert moved == ["fc.bias", "fc.weight"]
