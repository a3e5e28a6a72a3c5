"""GoogLeNet (Szegedy et al., 2015, Inception v1) laid out as torchvision's (without the two
auxiliary classifiers: ``torchvision.models.googlenet(aux_logits=False)``), so its state_dicts
load.

Every convolution is a ``BasicConv2d``: Conv2d (no bias) -> BatchNorm2d(eps=0.001) -> ReLU.
An Inception block runs four branches on the same input and concatenates them on the channel
axis: (N, C_in, H, W) -> (N, c1 + c3 + c5 + pool_proj, H, W).
"""

from __future__ import annotations

import torch
from torch import nn

# (in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj) of each block, from the paper's
# table 1, in the order of the network.
INCEPTION_CONFIG: dict[str, tuple[int, int, int, int, int, int, int]] = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


class BasicConv2d(nn.Module):
    """``conv`` (Conv2d without bias, any kernel_size / stride / padding) -> ``bn``
    (BatchNorm2d with eps 0.001) -> ReLU."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0) -> None:
        """Build conv and bn."""
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                              padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """relu(bn(conv(x)))."""
        return torch.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """branch1: 1x1 conv to c1. branch2: 1x1 to c3_reduce, 3x3 (padding 1) to c3. branch3:
    1x1 to c5_reduce, then a **3x3** (padding 1; the paper has 5x5, torchvision's layout and
    checkpoints have 3x3) to c5. branch4: MaxPool2d(3, stride 1, padding 1, ceil_mode=True),
    1x1 to pool_proj. Output: the concatenation [branch1, branch2, branch3, branch4] on dim 1."""

    def __init__(self, in_channels: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int,
                 c5: int, pool_proj: int) -> None:
        """Branches 2-4 are nn.Sequential (keys branch2.0, branch2.1, ..., branch4.1)."""
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, c1, 1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, c3_reduce, 1),
                                     BasicConv2d(c3_reduce, c3, 3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, c5_reduce, 1),
                                     BasicConv2d(c5_reduce, c5, 3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv2d(in_channels, pool_proj, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) -> (N, c1 + c3 + c5 + pool_proj, H, W)."""
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)


class GoogLeNet(nn.Module):
    """conv1 (7x7/2, padding 3, 3 -> 64) -> maxpool1 (3/2) -> conv2 (1x1, 64 -> 64) -> conv3
    (3x3, padding 1, 64 -> 192) -> maxpool2 (3/2) -> inception3a, 3b -> maxpool3 (3/2) ->
    inception4a..4e -> maxpool4 (2/2) -> inception5a, 5b -> avgpool (adaptive 1x1) -> flatten
    -> dropout (p = 0.2) -> fc (1024 -> num_classes). Every max pool here has ceil_mode=True,
    so odd sizes round up: 72x72 inputs give 36, 18, 9, 5, 3 pixels along the way."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.2) -> None:
        """Build the network from BasicConv2d, Inception and ``INCEPTION_CONFIG``."""
        super().__init__()
        self.conv1 = BasicConv2d(3, 64, 7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, 1)
        self.conv3 = BasicConv2d(64, 192, 3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        for name in ("inception3a", "inception3b"):
            setattr(self, name, Inception(*INCEPTION_CONFIG[name]))
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        for name in ("inception4a", "inception4b", "inception4c", "inception4d", "inception4e"):
            setattr(self, name, Inception(*INCEPTION_CONFIG[name]))
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        for name in ("inception5a", "inception5b"):
            setattr(self, name, Inception(*INCEPTION_CONFIG[name]))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes) for images (N, 3, H, W), H, W >= 32."""
        for module in list(self.children())[:-2]:  # conv1 ... avgpool, in the order built
            x = module(x)
        return self.fc(self.dropout(torch.flatten(x, 1)))
