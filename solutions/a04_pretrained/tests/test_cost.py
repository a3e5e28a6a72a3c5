"""Parameter counts, MACs against FlopCounterMode, receptive fields."""

import torch
from cost import count_parameters, layer_macs, receptive_field
from torch.utils.flop_counter import FlopCounterMode

from dnn.backbone import small_resnet


def test_count_parameters() -> None:
    net = small_resnet(10)
    assert count_parameters(net) == sum(p.numel() for p in net.parameters())
    net.fc.weight.requires_grad_(False)
    assert count_parameters(net, trainable_only=True) == count_parameters(net) - 1280


def test_layer_macs_match_the_flop_counter() -> None:
    net = small_resnet(10).eval()
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        net(torch.zeros(2, 3, 32, 32))
    counts = counter.get_flop_counts()
    macs = layer_macs(net, (2, 3, 32, 32))
    assert macs["conv1"] == sum(counts["SmallResNet.conv1"].values()) // 2
    assert macs["layer2.0.downsample.0"] == sum(
        counts["SmallResNet.layer2.0.downsample.0"].values()) // 2
    assert macs["fc"] == 2 * 128 * 10


def test_receptive_field() -> None:
    assert receptive_field([]) == (1, 1)
    assert receptive_field([(3, 1, 1), (3, 1, 1)]) == (5, 1)
    assert receptive_field([(3, 2, 1), (3, 1, 2)]) == (11, 2)
