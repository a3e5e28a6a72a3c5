"""Graded: saliency maps and Grad-CAM against references computed here with autograd and hooks
(part "explain", 10 points). The model is the course's small ResNet, built in the sandbox and
copied here, in float64."""

import pytest
import torch
from oracles import randomize_bn
from torch import nn

from autograder.testing import StudentError, assert_close, part, points
from dnn import backbone


def twin_models(student, device: str, seed: int):
    """The same small ResNet (random weights, random BN statistics) in the sandbox and here."""
    torch.manual_seed(seed)
    ref = randomize_bn(backbone.small_resnet(10), seed).double().to(device)
    net = student.lib("dnn.backbone").small_resnet(10)
    net.load_state_dict({k: v.cpu() for k, v in ref.state_dict().items()})
    net.double()
    net.to(device)
    return net, ref.eval()


def reference_cam(model: nn.Module, layer: str, x: torch.Tensor, target: torch.Tensor
                  ) -> torch.Tensor:
    store = {}
    module = dict(model.named_modules())[layer]
    h1 = module.register_forward_hook(lambda m, i, o: store.__setitem__("a", o))
    h2 = module.register_full_backward_hook(lambda m, gi, go: store.__setitem__("g", go[0]))
    x = x.clone().requires_grad_(True)  # a full backward hook needs a graph through the input
    model(x)[torch.arange(len(x)), target].sum().backward()
    h1.remove()
    h2.remove()
    model.zero_grad(set_to_none=True)
    cam = torch.relu((store["g"].mean(dim=(2, 3), keepdim=True) * store["a"]).sum(1, True))
    cam = nn.functional.interpolate(cam.detach(), size=x.shape[-2:], mode="bilinear",
                                    align_corners=False)[:, 0]
    top = cam.flatten(1).amax(1).view(-1, 1, 1)
    return torch.where(top > 0, cam / torch.where(top > 0, top, 1.0), 0.0)


@part("explain")
@points(4)
def test_saliency(student, rng, device):
    """saliency is max over channels of |d logit_target / d x| per image, in eval mode (the
    training flag restored), with no gradient left in the parameters."""
    net, ref = twin_models(student, device, 0)
    net.train()
    x = torch.from_numpy(rng.standard_normal((4, 3, 32, 32))).to(device)
    target = torch.tensor([0, 3, 3, 9], device=device)
    got = student.explain.saliency(net, x, target)
    xr = x.clone().requires_grad_(True)
    ref(xr)[torch.arange(4), target].sum().backward()
    want = xr.grad.abs().amax(1)
    assert tuple(got.shape) == (4, 32, 32), "saliency maps are (N, H, W)"
    assert_close(got, want, rtol=1e-8, atol=1e-12, name="saliency")
    assert net.training, "the model's training flag must be restored"
    assert student.lib("dnn.modelinfo").grad_count(net) == 0, "no .grad left in parameters"
    one = student.explain.saliency(net, x[1:2], target[1:2])
    assert_close(one, want[1:2], rtol=1e-8, atol=1e-12, name="saliency of one image")


@part("explain")
@points(4)
def test_grad_cam(student, rng, device):
    """grad_cam at layer4, layer2, layer1 and a convolution inside layer3 equals Grad-CAM
    computed with forward and backward hooks: channel weights = mean gradient, relu of the
    weighted sum, bilinear upsampling to the input size, each map divided by its maximum."""
    net, ref = twin_models(student, device, 1)
    x = torch.from_numpy(rng.standard_normal((8, 3, 64, 48))).to(device)
    target = torch.tensor([2, 5, 2, 0, 1, 3, 4, 9], device=device)
    for layer in ("layer4", "layer2", "layer3.0.conv1", "layer1"):
        got = student.explain.grad_cam(net, layer, x, target)
        want = reference_cam(ref, layer, x, target)
        assert tuple(got.shape) == (8, 64, 48), "Grad-CAM maps are (N, H, W)"
        assert_close(got, want, rtol=1e-7, atol=1e-10, name=f"Grad-CAM at {layer}")


@part("explain")
@points(2)
def test_grad_cam_leaves_the_model_clean(student, rng, device):
    """grad_cam leaves no hook and no gradient behind (a second call gives the same maps), keeps
    the training flag, and raises KeyError for an unknown layer name."""
    net, ref = twin_models(student, device, 2)
    net.train()
    x = torch.from_numpy(rng.standard_normal((2, 3, 32, 32))).to(device)
    target = torch.tensor([1, 7], device=device)
    first = student.explain.grad_cam(net, "layer3", x, target)
    second = student.explain.grad_cam(net, "layer3", x, target)
    assert_close(second, first, rtol=1e-12, atol=1e-12, name="a repeated call")
    assert net.training, "the model's training flag must be restored"
    assert student.lib("dnn.modelinfo").hook_count(net) == 0, "hooks must be removed"
    assert student.lib("dnn.modelinfo").grad_count(net) == 0, "no .grad left in parameters"
    net.eval()
    want = reference_cam(ref, "layer3", x, target)
    assert_close(first, want, rtol=1e-7, atol=1e-10, name="Grad-CAM of a model in train mode")
    with pytest.raises(StudentError) as err:
        student.explain.grad_cam(net, "layer9", x, target)
    assert err.value.type_name == "KeyError", "an unknown layer: KeyError"
