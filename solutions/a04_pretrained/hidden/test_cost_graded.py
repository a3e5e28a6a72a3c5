"""Graded: parameter counts, multiply-accumulates per layer (against
torch.utils.flop_counter.FlopCounterMode) and receptive fields (against the gradient footprint
of one output) (part "cost", 15 points). The models are the course's, built in the sandbox."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from autograder.testing import StudentError, part, points
from dnn import backbone, modelinfo


def flop_counter_macs(model: nn.Module, shape: tuple[int, ...]) -> dict[str, int]:
    """MACs per Conv2d / Linear module name: FlopCounterMode's FLOPs of that module / 2."""
    counter = FlopCounterMode(display=False)
    model.eval()
    with counter, torch.no_grad():
        model(torch.zeros(shape))
    prefix = type(model).__name__ + "."
    counts = counter.get_flop_counts()
    out = {}
    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)) and prefix + name in counts:
            out[name] = int(sum(counts[prefix + name].values())) // 2
    return out


@part("cost")
@points(4)
def test_count_parameters(student):
    """count_parameters counts every parameter once (a shared or frozen one too, buffers
    never) and, with trainable_only, only those with requires_grad."""
    torch.manual_seed(0)
    lib = student.lib("dnn.backbone")
    net = lib.small_resnet(10)
    want = sum(p.numel() for p in backbone.small_resnet(10).parameters())
    got = student.cost.count_parameters(net)
    assert isinstance(got, int), "count_parameters returns an int"
    assert got == want, f"small ResNet: {got} parameters counted, not the right number"
    student.lib("dnn.modelinfo").freeze(net, ["conv1", "bn1", "layer1", "layer2"])
    frozen = backbone.small_resnet(10)
    modelinfo.freeze(frozen, ["conv1", "bn1", "layer1", "layer2"])
    want_trainable = sum(p.numel() for p in frozen.parameters() if p.requires_grad)
    assert student.cost.count_parameters(net) == want, "frozen parameters still count"
    assert student.cost.count_parameters(net, trainable_only=True) == want_trainable, (
        "trainable_only counts the parameters with requires_grad only")
    probe = student.lib("dnn.modelinfo").cost_probe()
    want = sum(p.numel() for p in modelinfo.cost_probe().parameters())
    assert student.cost.count_parameters(probe) == want, (
        "a module used twice has its parameters counted once")


@part("cost")
@points(4)
def test_layer_macs_small_resnet(student, device):
    """layer_macs of the small ResNet (convolutions with strides, 1x1 projections, the fc
    layer) equals FlopCounterMode's count / 2 for every layer, for two input sizes."""
    torch.manual_seed(0)
    net = student.lib("dnn.backbone").small_resnet(10)
    net.to(device)
    for shape in ((2, 3, 32, 32), (1, 3, 48, 40)):
        got = student.cost.layer_macs(net, shape)
        want = flop_counter_macs(backbone.small_resnet(10), shape)
        assert isinstance(got, dict), "layer_macs returns a dict"
        assert set(got) == set(want), (
            f"layer_macs for {shape}: keys must be the names of every Conv2d and Linear module")
        for name in want:
            assert got[name] == want[name], f"{shape}: wrong MACs for {name!r}"


@part("cost")
@points(3)
def test_layer_macs_edge_cases(student):
    """layer_macs handles grouped and dilated depthwise convolutions, a Linear on a 4-D input,
    a module called twice (counted twice) and one never called (absent); it leaves the model
    in the mode it found it."""
    torch.manual_seed(0)
    probe = student.lib("dnn.modelinfo").cost_probe()
    probe.train()
    shape = (3, 3, 20, 24)
    got = student.cost.layer_macs(probe, shape)
    want = flop_counter_macs(modelinfo.cost_probe(), shape)
    assert "unused" not in got, "a module that never runs has no entry"
    assert set(got) == set(want), "one entry per Conv2d / Linear that runs"
    for name in ("stem", "grouped", "depthwise", "mix", "head"):
        assert got[name] == want[name], f"wrong MACs for {name!r}"
    assert got["shared"] == want["shared"], "a module called twice counts twice"
    assert probe.training, "layer_macs must restore the model's training mode"


def footprint(layers: list[tuple[int, int, int]], size: int) -> tuple[int, int]:
    """Receptive field and stride measured: the extent of the input gradient of output (0, 0),
    and the shift of that footprint from output (0, 0) to output (0, 1), along the width."""
    modules: list[nn.Module] = []
    for kernel, stride, dilation in layers:
        conv = nn.Conv2d(1, 1, kernel, stride=stride, dilation=dilation, bias=False)
        nn.init.ones_(conv.weight)  # positive weights: no cancellation in the footprint
        modules.append(conv)
    net = nn.Sequential(*modules).double()
    x = torch.ones(1, 1, 1, size, dtype=torch.float64, requires_grad=True)
    out = []
    for j in (0, 1):
        x.grad = None
        y = x.expand(1, 1, size, size)
        net(y)[0, 0, 0, j].backward()
        cols = torch.nonzero(x.grad[0, 0, 0]).flatten()
        out.append((int(cols.min()), int(cols.max())))
    return out[0][1] - out[0][0] + 1, out[1][0] - out[0][0]


@part("cost")
@points(3)
def test_receptive_field_against_gradients(student, rng):
    """receptive_field gives the receptive field and the output stride of chains of convolutions
    with strides and dilations, as measured by the input gradient of one output."""
    for _ in range(4):
        depth = int(rng.integers(2, 6))
        layers = [(int(rng.integers(1, 6)), int(rng.integers(1, 3)), int(rng.integers(1, 3)))
                  for _ in range(depth)]
        got = student.cost.receptive_field(layers)
        r, j = footprint(layers, 200)
        assert tuple(got) == (r, j), f"receptive field and stride of {layers} are wrong"
    vgg16 = [(3, 1, 1)] * 2 + [(2, 2, 1)] + [(3, 1, 1)] * 2 + [(2, 2, 1)] + (
        [(3, 1, 1)] * 3 + [(2, 2, 1)]) * 3
    assert tuple(student.cost.receptive_field(vgg16)) == (212, 32), "VGG-16's features"
    assert tuple(student.cost.receptive_field([])) == (1, 1), "an empty chain is the identity"


@part("cost")
@points(1)
def test_receptive_field_rejects_bad_layers(student):
    """receptive_field raises ValueError for a kernel, stride or dilation below 1."""
    for bad in ([(0, 1, 1)], [(3, 0, 1)], [(3, 1, 1), (3, 1, 0)]):
        with pytest.raises(StudentError) as err:
            student.cost.receptive_field(bad)
        assert err.value.type_name == "ValueError", f"{bad}: raise ValueError"
    assert np.isfinite(student.cost.receptive_field([(1, 1, 1)])[0]), "1x1 is allowed"
