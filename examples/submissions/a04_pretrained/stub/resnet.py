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
        raise NotImplementedError('implement BasicBlock.__init__ in resnet.py')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) -> (N, width, H_out, W_out), H_out = ceil(H / stride)."""
        raise NotImplementedError('implement BasicBlock.forward in resnet.py')


class Bottleneck(nn.Module):
    """1x1 (reduce to ``width``) -> 3x3 (stride s, "ResNet v1.5": the stride sits on the 3x3)
    -> 1x1 (expand to 4 * width), each followed by batch norm, relu after the first two and after
    the sum with the shortcut. Keys: conv1..conv3, bn1..bn3, downsample.0/1."""

    expansion = 4

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        """A block from ``in_channels`` to ``4 * width`` channels, with a ``downsample`` as in
        BasicBlock (None when not needed)."""
        super().__init__()
        raise NotImplementedError('implement Bottleneck.__init__ in resnet.py')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) -> (N, 4 width, H_out, W_out), H_out = ceil(H / stride)."""
        raise NotImplementedError('implement Bottleneck.forward in resnet.py')


def shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Sequential | None:
    """The projection shortcut nn.Sequential(Conv2d 1x1 with ``stride`` and no bias,
    BatchNorm2d), or None when the identity fits (stride 1 and equal channel counts)."""
    raise NotImplementedError('implement shortcut in resnet.py')


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
        raise NotImplementedError('implement ResNet.__init__ in resnet.py')

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The output of layer4, (N, C, ceil(H / 32), ceil(W / 32)) for even H, W."""
        raise NotImplementedError('implement ResNet.features in resnet.py')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes): fc(flatten(avgpool(features(x))))."""
        raise NotImplementedError('implement ResNet.forward in resnet.py')


def resnet18(num_classes: int = 1000) -> ResNet:
    """ResNet-18: BasicBlock, layers [2, 2, 2, 2]."""
    raise NotImplementedError('implement resnet18 in resnet.py')


def resnet34(num_classes: int = 1000) -> ResNet:
    """ResNet-34: BasicBlock, layers [3, 4, 6, 3]."""
    raise NotImplementedError('implement resnet34 in resnet.py')


def resnet50(num_classes: int = 1000) -> ResNet:
    """ResNet-50: Bottleneck, layers [3, 4, 6, 3]."""
    raise NotImplementedError('implement resnet50 in resnet.py')
