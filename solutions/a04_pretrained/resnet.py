"""ResNet (He et al., 2016) laid out exactly as torchvision's, so its state_dicts load.

A residual block computes y = relu(F(x) + shortcut(x)); the shortcut is the identity, or a
1x1 convolution with stride s and batch norm (``downsample``) when the block changes the
resolution or the width. Every convolution has ``bias=False`` (a batch norm follows).

Shapes: images (N, 3, H, W); after the stem (N, w0, H/4, W/4); stage k (k = 1..4) halves the
resolution except the first: the output of ``layer4`` is (N, C, H/32, W/32) with
C = widths[3] * block.expansion.
"""

from __future__ import annotations

import torch
from torch import nn


class BasicBlock(nn.Module):
    """Two 3x3 convolutions: conv1 (stride s) -> bn1 -> relu -> conv2 -> bn2, plus the shortcut,
    then relu. Keys: conv1, bn1, conv2, bn2, and downsample.0 (conv 1x1), downsample.1 (bn)."""

    expansion = 1

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        """A block from ``in_channels`` to ``width * expansion`` channels; a ``downsample``
        (1x1 conv with ``stride``, then BatchNorm2d) only when stride != 1 or the channel count
        changes, otherwise ``self.downsample`` is None."""
        super().__init__()
        ### BEGIN SOLUTION
        out = width * self.expansion
        self.conv1 = nn.Conv2d(in_channels, width, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = shortcut(in_channels, out, stride)
        ### END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) -> (N, width, H_out, W_out), H_out = ceil(H / stride)."""
        ### BEGIN SOLUTION
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + identity)
        ### END SOLUTION


class Bottleneck(nn.Module):
    """1x1 (reduce to ``width``) -> 3x3 (stride s, "ResNet v1.5": the stride sits on the 3x3)
    -> 1x1 (expand to 4 * width), each followed by batch norm, relu after the first two and after
    the sum with the shortcut. Keys: conv1..conv3, bn1..bn3, downsample.0/1."""

    expansion = 4

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        """A block from ``in_channels`` to ``4 * width`` channels, with a ``downsample`` as in
        BasicBlock (None when not needed)."""
        super().__init__()
        ### BEGIN SOLUTION
        out = width * self.expansion
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = shortcut(in_channels, out, stride)
        ### END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) -> (N, 4 width, H_out, W_out), H_out = ceil(H / stride)."""
        ### BEGIN SOLUTION
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        return self.relu(self.bn3(self.conv3(y)) + identity)
        ### END SOLUTION


def shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Sequential | None:
    """The projection shortcut nn.Sequential(Conv2d 1x1 with ``stride`` and no bias,
    BatchNorm2d), or None when the identity fits (stride 1 and equal channel counts)."""
    ### BEGIN SOLUTION
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                         nn.BatchNorm2d(out_channels))
    ### END SOLUTION


class ResNet(nn.Module):
    """Stem conv1 (7x7, stride 2, padding 3, 3 -> widths[0]) -> bn1 -> relu -> maxpool (3x3,
    stride 2, padding 1); stages layer1..layer4 of ``layers[k]`` blocks of width ``widths[k]``
    (the first block of stages 2-4 has stride 2); avgpool (adaptive, to 1x1); flatten; fc."""

    def __init__(self, block: type[BasicBlock] | type[Bottleneck], layers: list[int],
                 num_classes: int = 1000,
                 widths: tuple[int, int, int, int] = (64, 128, 256, 512)) -> None:
        """Build the network; initialise as torchvision does (Kaiming-normal fan-out for
        convolutions, BN weight 1 and bias 0; the Linear layer keeps PyTorch's default)."""
        super().__init__()
        ### BEGIN SOLUTION
        self.conv1 = nn.Conv2d(3, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        channels = widths[0]
        for k, (count, width) in enumerate(zip(layers, widths, strict=True)):
            blocks = []
            for i in range(count):
                stride = 2 if k > 0 and i == 0 else 1
                blocks.append(block(channels, width, stride))
                channels = width * block.expansion
            setattr(self, f"layer{k + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        ### END SOLUTION

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The output of layer4, (N, C, ceil(H / 32), ceil(W / 32)) for even H, W."""
        ### BEGIN SOLUTION
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))
        ### END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes): fc(flatten(avgpool(features(x))))."""
        ### BEGIN SOLUTION
        return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))
        ### END SOLUTION


def resnet18(num_classes: int = 1000) -> ResNet:
    """ResNet-18: BasicBlock, layers [2, 2, 2, 2]."""
    ### BEGIN SOLUTION
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes)
    ### END SOLUTION


def resnet34(num_classes: int = 1000) -> ResNet:
    """ResNet-34: BasicBlock, layers [3, 4, 6, 3]."""
    ### BEGIN SOLUTION
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes)
    ### END SOLUTION


def resnet50(num_classes: int = 1000) -> ResNet:
    """ResNet-50: Bottleneck, layers [3, 4, 6, 3]."""
    ### BEGIN SOLUTION
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes)
    ### END SOLUTION
