"""The course-pretrained glyph ResNet (``dnn.backbone``) in plain torch, without torchvision.

``dnn.backbone.SmallResNet`` builds its blocks from torchvision's ``BasicBlock``, and importing
torchvision costs about 2 s: a graded test's fresh sandbox pays it again for every test that
builds the network. This module is the same network with the same state_dict keys (the
checkpoint ``datasets/glyph_resnet10_w16.pt`` loads into either, and both give the same outputs:
``tests/test_dnn_glyph_resnet.py``), written out with ``torch.nn`` only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
from torch import nn

WIDTHS = (16, 32, 64, 128)
SOURCE_CLASSES = 64
CHECKPOINT = Path(__file__).resolve().parents[1] / "datasets" / "glyph_resnet10_w16.pt"
SHA256 = "0de96d58f5706ad3a99e8dccb551624a08b48196086e885e08666e314787805e"
MEAN, STD = 0.18, 0.185  # per channel, as dnn.backbone.MEAN and STD


class BasicBlock(nn.Module):
    """torchvision's BasicBlock: conv3x3(stride) -> BN -> ReLU -> conv3x3 -> BN, plus the
    shortcut (``downsample``: conv1x1(stride) -> BN, when the shape changes), then ReLU."""

    def __init__(self, in_channels: int, width: int, stride: int = 1) -> None:
        super().__init__()
        down = None  # drawn first, as dnn.backbone does, so a seed gives the same weights
        if stride != 1 or in_channels != width:
            down = nn.Sequential(nn.Conv2d(in_channels, width, 1, stride=stride, bias=False),
                                 nn.BatchNorm2d(width))
        self.conv1 = nn.Conv2d(in_channels, width, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = down

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, H, W) -> (N, width, H / stride, W / stride)."""
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class SmallResNet(nn.Module):
    """dnn.backbone.SmallResNet: 7x7/2 stem, 3x3/2 max pool, four stages of one BasicBlock
    (strides 1, 2, 2, 2; widths 16, 32, 64, 128), global average pooling, ``fc``."""

    def __init__(self, num_classes: int = SOURCE_CLASSES) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, WIDTHS[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(WIDTHS[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        channels = WIDTHS[0]
        for i, width in enumerate(WIDTHS):
            block = BasicBlock(channels, width, 1 if i == 0 else 2)
            setattr(self, f"layer{i + 1}", nn.Sequential(block))
            channels = width
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes) for x (N, 3, H, W)."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(1, 5):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def small_resnet(num_classes: int = SOURCE_CLASSES, seed: int | None = None) -> SmallResNet:
    """A randomly initialised SmallResNet, drawn after ``torch.manual_seed(seed)`` when a seed
    is given (the same weights as ``dnn.backbone.small_resnet`` for the same seed)."""
    if seed is not None:
        torch.manual_seed(seed)
    return SmallResNet(num_classes)


def load_state(path: Path = CHECKPOINT) -> dict[str, torch.Tensor]:
    """The pretrained state_dict (float32, 64-class glyph head), its sha256 checked."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: it is committed with the course")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise ValueError(f"{path} does not match its sha256 ({SHA256}): rebuilt or damaged?")
    return torch.load(path, map_location="cpu", weights_only=True)


def normalise(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(x - MEAN) / STD for images x (N, 3, H, W) in [0, 1]; float32."""
    return (torch.as_tensor(x, dtype=torch.float32) - MEAN) / STD
