"""ResNet-18/34/50 with torchvision's parameter names (an independent write-up of the handout)."""

from __future__ import annotations

import torch
from torch import nn


def _conv_bn(cin: int, cout: int, k: int, stride: int = 1) -> tuple[nn.Conv2d, nn.BatchNorm2d]:
    return nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout)


def shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Sequential | None:
    """Projection 1x1 conv + BN, or None when the identity fits."""
    needs_projection = stride != 1 or in_channels != out_channels
    return nn.Sequential(*_conv_bn(in_channels, out_channels, 1, stride)) if needs_projection \
        else None


class BasicBlock(nn.Module):
    """3x3 (stride) -> BN -> relu -> 3x3 -> BN, + shortcut, relu."""

    expansion = 1

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1, self.bn1 = _conv_bn(in_channels, width, 3, stride)
        self.conv2, self.bn2 = _conv_bn(width, width, 3)
        self.relu = nn.ReLU()
        self.downsample = shortcut(in_channels, width, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        skip = self.downsample(x) if self.downsample is not None else x
        return torch.relu(out + skip)


class Bottleneck(nn.Module):
    """1x1 -> 3x3 (stride) -> 1x1 (x4), BN after each, + shortcut, relu."""

    expansion = 4

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1, self.bn1 = _conv_bn(in_channels, width, 1)
        self.conv2, self.bn2 = _conv_bn(width, width, 3, stride)
        self.conv3, self.bn3 = _conv_bn(width, 4 * width, 1)
        self.relu = nn.ReLU()
        self.downsample = shortcut(in_channels, 4 * width, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        for conv, bn in ((self.conv1, self.bn1), (self.conv2, self.bn2)):
            out = torch.relu(bn(conv(out)))
        out = self.bn3(self.conv3(out))
        skip = x if self.downsample is None else self.downsample(x)
        return torch.relu(out + skip)


class ResNet(nn.Module):
    """Stem, four stages, global average pool, fc."""

    def __init__(self, block: type[BasicBlock] | type[Bottleneck], layers: list[int],
                 num_classes: int = 1000,
                 widths: tuple[int, int, int, int] = (64, 128, 256, 512)) -> None:
        super().__init__()
        self.conv1, self.bn1 = _conv_bn(3, widths[0], 7, 2)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        cin = widths[0]
        stages = []
        for index in range(4):
            strides = [1 if index == 0 else 2] + [1] * (layers[index] - 1)
            blocks = []
            for s in strides:
                blocks.append(block(cin, widths[index], s))
                cin = widths[index] * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                std = (2.0 / (m.out_channels * m.kernel_size[0] * m.kernel_size[1])) ** 0.5
                with torch.no_grad():
                    m.weight.normal_(0.0, std)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = stage(x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.avgpool(self.features(x)).flatten(1))


def resnet18(num_classes: int = 1000) -> ResNet:
    return ResNet(BasicBlock, [2] * 4, num_classes)


def resnet34(num_classes: int = 1000) -> ResNet:
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes=num_classes)


def resnet50(num_classes: int = 1000) -> ResNet:
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes=num_classes)
