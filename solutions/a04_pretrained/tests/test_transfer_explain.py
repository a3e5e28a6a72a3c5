"""Freezing, parameter groups, unfreezing; saliency and Grad-CAM."""

import torch
from explain import grad_cam, saliency
from transfer import STAGES, fit, param_groups, set_trainable, unfrozen_stages

from dnn.backbone import small_resnet


def test_linear_regime_leaves_the_backbone_exactly_as_it_was() -> None:
    torch.manual_seed(0)
    net = small_resnet(10)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    x, y = torch.randn(20, 3, 32, 32), torch.randint(0, 10, (20,))
    fit(net, x, y, regime="linear", epochs=2, lr=1e-2, batch_size=8)
    for key, value in net.state_dict().items():
        assert torch.equal(value, before[key]) != key.startswith("fc."), key


def test_groups_and_schedule() -> None:
    net = set_trainable(small_resnet(10), ["fc"])
    assert [p.requires_grad for p in net.fc.parameters()] == [True, True]
    assert not net.conv1.weight.requires_grad
    groups = param_groups(net, 1.0, 0.5)
    assert [g["stage"] for g in groups] == list(STAGES)
    assert [g["lr"] for g in groups] == [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1.0]
    assert unfrozen_stages(0, 2) == ("fc",) and unfrozen_stages(3, 2) == ("layer4", "fc")


def test_saliency_and_grad_cam() -> None:
    torch.manual_seed(0)
    net = small_resnet(10).double().eval()
    x = torch.randn(2, 3, 32, 32, dtype=torch.float64)
    target = torch.tensor([1, 2])
    xr = x.clone().requires_grad_(True)
    net(xr)[torch.arange(2), target].sum().backward()
    torch.testing.assert_close(saliency(net, x, target), xr.grad.abs().amax(1))
    cam = grad_cam(net, "layer3", x, target)
    assert cam.shape == (2, 32, 32) and cam.min() >= 0
    top = cam.flatten(1).amax(1)
    assert all(float(t) in (0.0, 1.0) for t in top)  # each map divided by its maximum
