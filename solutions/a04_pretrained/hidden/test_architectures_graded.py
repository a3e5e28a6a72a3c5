"""Graded: ResNet, VGG and GoogLeNet against torchvision's models (part "architectures", 35
points). torchvision's models are built with weights=None (random, nothing downloaded), their
batch-norm statistics randomised, their state_dicts loaded with strict=True, and the outputs
compared in float64."""

import torch
from oracles import compare_shapes, images, kaiming, randomize_bn, shapes
from torch import nn
from torchvision import models as tv
from torchvision.models import resnet as tv_resnet
from torchvision.models import vgg as tv_vgg
from torchvision.models.googlenet import BasicConv2d as TvBasicConv2d
from torchvision.models.googlenet import Inception as TvInception

from autograder.testing import assert_close, part, points
from dnn import backbone

TOL = dict(rtol=1e-9, atol=1e-10)


def load_and_compare(net, ref: nn.Module, x: torch.Tensor, device: str, what: str,
                     train_too: bool = False) -> None:
    """Copy ref's state into the student's net (strict), then compare outputs in eval mode
    (and in train mode, where batch statistics are used, when train_too)."""
    ref = ref.double().to(device)
    net.load_state_dict({k: v.cpu() for k, v in ref.state_dict().items()}, strict=True)
    net.double()
    net.to(device)
    modes = (False, True) if train_too else (False,)
    for training in modes:
        ref.train(training)
        net.train(training)
        with torch.no_grad():
            want = ref(x)
        got = net(x).detach()
        assert tuple(got.shape) == tuple(want.shape), f"{what}: output shape {tuple(got.shape)}"
        mode = "train" if training else "eval"
        assert_close(got, want, **TOL, name=f"{what} output ({mode} mode)")


def tv_downsample(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(tv_resnet.conv1x1(cin, cout, stride), nn.BatchNorm2d(cout))


@part("architectures")
@points(2)
def test_shortcut(student):
    """shortcut is None when the identity fits, else a 1x1 conv (no bias, the given stride) and
    a BatchNorm2d, in an nn.Sequential."""
    assert student.resnet.shortcut(64, 64, 1) is None, "stride 1, same channels: no projection"
    for cin, cout, stride in ((64, 128, 2), (64, 256, 1), (32, 32, 2)):
        got = student.lib("dnn.modelinfo").state_shapes(student.resnet.shortcut(cin, cout, stride))
        want = shapes(tv_downsample(cin, cout, stride))
        compare_shapes(got, want, f"shortcut({cin}, {cout}, {stride})")
    block = student.resnet.shortcut(8, 16, 2)
    y = block(torch.rand(1, 8, 9, 9))
    assert tuple(y.shape) == (1, 16, 5, 5), "the projection has the block's stride"


@part("architectures")
@points(3)
def test_basic_block_matches_torchvision(student, rng, device):
    """BasicBlock (identity and projection shortcuts) matches torchvision's BasicBlock with
    copied weights, in eval and train mode."""
    for cin, width, stride, seed in ((16, 16, 1, 0), (16, 32, 2, 1)):
        down = None if stride == 1 else tv_downsample(cin, width, stride)
        ref = randomize_bn(tv_resnet.BasicBlock(cin, width, stride, down), seed)
        x = images(rng, 2, 9, device)[:, :1].expand(-1, cin, -1, -1).contiguous()
        x = x + torch.from_numpy(rng.standard_normal(x.shape)).to(device)
        load_and_compare(student.resnet.BasicBlock(cin, width, stride), ref, x, device,
                         f"BasicBlock({cin}, {width}, stride={stride})", train_too=True)


@part("architectures")
@points(3)
def test_bottleneck_matches_torchvision(student, rng, device):
    """Bottleneck (1x1 -> 3x3 with the stride -> 1x1 x4, ResNet v1.5) matches torchvision's,
    with a projection for a new width or a stride and the identity otherwise."""
    for cin, width, stride, seed in ((16, 4, 1, 0), (16, 8, 2, 1), (32, 8, 1, 2)):
        down = None if (stride == 1 and cin == 4 * width) else tv_downsample(cin, 4 * width,
                                                                              stride)
        ref = randomize_bn(tv_resnet.Bottleneck(cin, width, stride, down), seed)
        x = torch.from_numpy(rng.standard_normal((2, cin, 7, 7))).to(device)
        load_and_compare(student.resnet.Bottleneck(cin, width, stride), ref, x, device,
                         f"Bottleneck({cin}, {width}, stride={stride})", train_too=True)


@part("architectures")
@points(4)
def test_resnet18_and_34(student, rng, device):
    """resnet18 loads torchvision's resnet18 state_dict (strict) and gives the same logits
    (64x64 images, eval mode, float64); resnet34 (and num_classes) has torchvision's keys and
    shapes."""
    torch.manual_seed(0)
    ref = randomize_bn(tv.resnet18(weights=None), 0)
    load_and_compare(student.resnet.resnet18(), ref, images(rng, 2, 64, device), device,
                     "resnet18")
    with torch.device("meta"):
        want = shapes(tv.resnet34(weights=None, num_classes=7))
    got = student.lib("dnn.modelinfo").state_shapes(student.resnet.resnet34(num_classes=7))
    compare_shapes(got, want, "resnet34(num_classes=7)")


@part("architectures")
@points(4)
def test_resnet50(student, rng, device):
    """resnet50 loads torchvision's resnet50 state_dict (strict) and gives the same logits
    (64x64 images, eval mode, float64)."""
    torch.manual_seed(0)
    ref = randomize_bn(tv.resnet50(weights=None, num_classes=10), 1)
    load_and_compare(student.resnet.resnet50(num_classes=10), ref, images(rng, 2, 32, device),
                     device, "resnet50")


@part("architectures")
@points(3)
def test_resnet_widths_load_the_course_backbone(student, rng, device):
    """ResNet(BasicBlock, [1, 1, 1, 1], 64, widths=(16, 32, 64, 128)) loads the course's
    pretrained checkpoint (strict) and gives its logits; features() is layer4's output, of
    output stride 32."""
    state = backbone.load_state()
    ref = backbone.SmallResNet()
    ref.load_state_dict(state)
    net = student.resnet.ResNet(student.resnet.BasicBlock, [1, 1, 1, 1], 64,
                                widths=(16, 32, 64, 128))
    x = images(rng, 3, 32, device)
    load_and_compare(net, ref, x, device, "the course backbone")
    feats = net.features(images(rng, 2, 64, device)).detach()
    assert tuple(feats.shape) == (2, 128, 2, 2), "features: layer4's (N, 128, H/32, W/32)"


@part("architectures")
@points(1)
def test_resnet_initialisation(student):
    """Convolutions are Kaiming-normal with fan-out (std sqrt(2 / (C_out k^2))), batch norms
    start at weight 1 and bias 0."""
    torch.manual_seed(0)
    state = student.resnet.ResNet(student.resnet.BasicBlock, [1, 1, 1, 1], 10).state_dict()
    for key in ("layer2.0.conv2.weight", "layer4.0.conv1.weight"):
        w = state[key]
        want = (2.0 / (w.shape[0] * w.shape[2] * w.shape[3])) ** 0.5
        assert abs(float(w.std()) / want - 1) < 0.1, f"{key}: std is not Kaiming fan-out's"
    assert torch.equal(state["layer1.0.bn1.weight"], torch.ones(64)), "BN weight starts at 1"
    assert torch.equal(state["layer1.0.bn1.bias"], torch.zeros(64)), "BN bias starts at 0"


@part("architectures")
@points(3)
def test_make_features(student, rng, device):
    """make_features gives torchvision's VGG feature stacks (module layout and parameter
    shapes) with and without batch norm, and computes the same maps."""
    info = student.lib("dnn.modelinfo")
    for name, letter in (("vgg11", "A"), ("vgg16", "D")):
        for bn in (False, True):
            ref = tv_vgg.make_layers(tv_vgg.cfgs[letter], batch_norm=bn)
            got = student.vgg.make_features(student.vgg.CONFIGS[name], bn)
            compare_shapes(info.state_shapes(got), shapes(ref), f"{name} features, bn={bn}")
            kinds = [type(m).__name__ for m in ref]
            got_kinds = [info.module_types(got)[str(i)] for i in range(len(kinds))]
            assert got_kinds == kinds, f"{name} features (bn={bn}): modules in another order"
    ref = randomize_bn(tv_vgg.make_layers(tv_vgg.cfgs["A"], batch_norm=True), 3)
    load_and_compare(student.vgg.make_features(student.vgg.CONFIGS["vgg11"], True), ref,
                     images(rng, 2, 32, device), device, "vgg11_bn features", train_too=True)


@part("architectures")
@points(2)
def test_vgg16_full_size_keys(student):
    """vgg("vgg16") has exactly the keys and shapes of torchvision's vgg16 (4096-wide
    classifier), and vgg("vgg11", batch_norm=True, num_classes=5) those of vgg11_bn."""
    info = student.lib("dnn.modelinfo")
    with torch.device("meta"):
        want16 = shapes(tv.vgg16(weights=None))
        want11 = shapes(tv.vgg11_bn(weights=None, num_classes=5))
    compare_shapes(info.state_shapes(student.vgg.vgg("vgg16")), want16, "vgg16")
    compare_shapes(info.state_shapes(student.vgg.vgg("vgg11", batch_norm=True, num_classes=5)),
                   want11, "vgg11_bn")


@part("architectures")
@points(3)
def test_vgg_matches_torchvision(student, rng, device):
    """VGG-11 with batch norm (classifier 64 wide) gives torchvision's logits in eval mode for
    32x32 and 64x64 images (the adaptive 7x7 pool)."""
    torch.manual_seed(0)
    ref = tv_vgg.VGG(tv_vgg.make_layers(tv_vgg.cfgs["A"], batch_norm=True), num_classes=10)
    ref.classifier = nn.Sequential(nn.Linear(512 * 49, 64), nn.ReLU(True), nn.Dropout(),
                                   nn.Linear(64, 64), nn.ReLU(True), nn.Dropout(),
                                   nn.Linear(64, 10))
    randomize_bn(ref, 4)
    for size in (32, 64):
        net = student.vgg.vgg("vgg11", batch_norm=True, num_classes=10, hidden=64)
        load_and_compare(net, ref, images(rng, 1, size, device), device, f"vgg11_bn {size}px")


@part("architectures")
@points(3)
def test_inception_block(student, rng, device):
    """BasicConv2d (conv without bias, BN eps 0.001, relu) and Inception (four branches,
    concatenated in order) match torchvision's with copied weights."""
    ref = randomize_bn(TvBasicConv2d(5, 7, kernel_size=3, stride=2, padding=1), 5)
    load_and_compare(student.googlenet.BasicConv2d(5, 7, 3, 2, 1), ref,
                     torch.from_numpy(rng.standard_normal((2, 5, 9, 9))).to(device), device,
                     "BasicConv2d(5, 7, 3, stride 2, padding 1)", train_too=True)
    config = (24, 8, 6, 10, 4, 6, 5)
    ref = randomize_bn(TvInception(*config), 6)
    load_and_compare(student.googlenet.Inception(*config), ref,
                     torch.from_numpy(rng.standard_normal((2, 24, 7, 7))).to(device), device,
                     f"Inception{config}", train_too=True)


@part("architectures")
@points(4)
def test_googlenet(student, rng, device):
    """GoogLeNet loads torchvision's googlenet(aux_logits=False) state_dict (strict) and gives
    the same logits for 80x80 images, eval mode (every stride-2 max-pool then meets a size where
    ceil mode gives one more row than floor: 40 -> 20, 20 -> 10, 10 -> 5, 5 -> 3)."""
    torch.manual_seed(0)
    ref = kaiming(randomize_bn(tv.googlenet(weights=None, aux_logits=False, init_weights=True,
                                            num_classes=10), 7), 8)
    load_and_compare(student.googlenet.GoogLeNet(num_classes=10), ref,
                     images(rng, 2, 80, device), device, "GoogLeNet")
