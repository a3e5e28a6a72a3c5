"""The architectures load torchvision's state_dicts (strict) and compute the same outputs."""

import torch
from googlenet import GoogLeNet, Inception
from resnet import BasicBlock, Bottleneck, resnet18
from torch import nn
from torchvision import models as tv
from torchvision.models import resnet as tv_resnet
from torchvision.models import vgg as tv_vgg
from torchvision.models.googlenet import Inception as TvInception
from vgg import CONFIGS, make_features


def random_bn(model: nn.Module) -> nn.Module:
    """Random BN statistics, so that eval-mode batch norm is not the identity."""
    torch.manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.2)
    return model


def same_outputs(mine: nn.Module, ref: nn.Module, x: torch.Tensor) -> None:
    ref = random_bn(ref).double().eval()
    mine.load_state_dict(ref.state_dict(), strict=True)
    mine.double().eval()
    with torch.no_grad():
        torch.testing.assert_close(mine(x), ref(x), rtol=1e-9, atol=1e-10)


def test_blocks_match_torchvision() -> None:
    x = torch.randn(2, 16, 8, 8, dtype=torch.float64)
    down = nn.Sequential(tv_resnet.conv1x1(16, 32, 2), nn.BatchNorm2d(32))
    same_outputs(BasicBlock(16, 32, 2), tv_resnet.BasicBlock(16, 32, 2, down), x)
    same_outputs(BasicBlock(16, 16, 1), tv_resnet.BasicBlock(16, 16, 1), x)
    down = nn.Sequential(tv_resnet.conv1x1(16, 32, 2), nn.BatchNorm2d(32))
    same_outputs(Bottleneck(16, 8, 2), tv_resnet.Bottleneck(16, 8, 2, down), x)


def test_resnet18_loads_torchvision_weights() -> None:
    same_outputs(resnet18(), tv.resnet18(weights=None), torch.randn(1, 3, 32, 32).double())


def test_vgg_features_and_inception_match_torchvision() -> None:
    ref = tv_vgg.make_layers(tv_vgg.cfgs["A"], batch_norm=True)
    same_outputs(make_features(CONFIGS["vgg11"], True), ref, torch.randn(1, 3, 32, 32).double())
    config = (24, 8, 6, 10, 4, 6, 5)
    same_outputs(Inception(*config), TvInception(*config), torch.randn(2, 24, 5, 5).double())


def test_googlenet_has_torchvision_keys() -> None:
    with torch.device("meta"):
        want = tv.googlenet(weights=None, aux_logits=False, init_weights=False).state_dict()
        got = GoogLeNet().state_dict()
    assert {k: v.shape for k, v in got.items()} == {k: v.shape for k, v in want.items()}
