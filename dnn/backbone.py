"""The course-pretrained backbone: a small ResNet pretrained on glyphs (``dnn.glyphs``).

Nothing can be downloaded, so the course pretrains its own backbone (the script is
``solutions/a04_pretrained/pretrain_backbone.py``) and commits the checkpoint,
``datasets/glyph_resnet10_w16.pt`` (card: ``datasets/cards/glyph_resnet.md``). The network is
torchvision's ResNet layout with one BasicBlock per stage and stage widths (16, 32, 64, 128)
instead of (64, 128, 256, 512): the same state_dict keys as ``torchvision.models.resnet18``
(``conv1``, ``bn1``, ``layer1.0.conv1``, ..., ``fc``), so code written for torchvision
checkpoints works on it unchanged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torchvision.models.resnet import BasicBlock

WIDTHS = (16, 32, 64, 128)
SOURCE_CLASSES = 64
IMAGE_SIZE = 32
CHECKPOINT = Path(__file__).resolve().parents[1] / "datasets" / "glyph_resnet10_w16.pt"
SHA256 = "0de96d58f5706ad3a99e8dccb551624a08b48196086e885e08666e314787805e"
# Inputs are normalised with the glyph training set's per-channel statistics (as ImageNet
# models are with ImageNet's): x_norm = (x - MEAN) / STD, x in [0, 1].
MEAN = (0.18, 0.18, 0.18)
STD = (0.185, 0.185, 0.185)


class SmallResNet(nn.Module):
    """ResNet with one BasicBlock per stage: 7x7/2 conv stem, 3x3/2 max pool, four stages
    (strides 1, 2, 2, 2), global average pooling, ``fc``. Output stride 32."""

    def __init__(self, num_classes: int = SOURCE_CLASSES, widths: tuple[int, ...] = WIDTHS
                 ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        channels = widths[0]
        for i, width in enumerate(widths):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or channels != width:
                down = nn.Sequential(nn.Conv2d(channels, width, 1, stride=stride, bias=False),
                                     nn.BatchNorm2d(width))
            setattr(self, f"layer{i + 1}", nn.Sequential(BasicBlock(channels, width, stride,
                                                                    down)))
            channels = width
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes) for x (N, 3, H, W)."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(1, 5):  # layer1..layer4, registered by name (torchvision's keys)
            x = getattr(self, f"layer{i}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def small_resnet(num_classes: int = SOURCE_CLASSES, seed: int | None = None) -> SmallResNet:
    """A randomly initialised SmallResNet, drawn after ``torch.manual_seed(seed)`` when a seed
    is given (graded tests seed it here, inside the sandbox)."""
    if seed is not None:
        torch.manual_seed(seed)
    return SmallResNet(num_classes)


def load_state(path: Path = CHECKPOINT, *, check: bool = True) -> dict[str, torch.Tensor]:
    """The pretrained state_dict (float32, 64-class glyph head), its sha256 checked."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: it is committed with the course "
                                "(run solutions/a04_pretrained/pretrain_backbone.py to rebuild)")
    data = path.read_bytes()
    if check and hashlib.sha256(data).hexdigest() != SHA256:
        raise ValueError(f"{path} does not match its sha256 ({SHA256}): rebuilt or damaged?")
    return torch.load(path, map_location="cpu", weights_only=True)


def pretrained(num_classes: int = SOURCE_CLASSES) -> SmallResNet:
    """The pretrained backbone in eval mode; a new ``fc`` (seeded 0) when num_classes differs."""
    model = SmallResNet(SOURCE_CLASSES)
    model.load_state_dict(load_state())
    if num_classes != SOURCE_CLASSES:
        torch.manual_seed(0)
        model.fc = nn.Linear(model.fc.in_features, num_classes)
    return model.eval()


def normalise(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(x - MEAN) / STD per channel for images x (N, 3, H, W) in [0, 1]; float32."""
    x = torch.as_tensor(x, dtype=torch.float32)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def digits_for_backbone(x: np.ndarray, size: int = IMAGE_SIZE) -> torch.Tensor:
    """Digits (N, 1, 8, 8) or (N, 64) with values 0..16 as normalised backbone inputs
    (N, 3, size, size): scaled to [0, 1], bilinearly resized, grey copied to three channels."""
    images = torch.as_tensor(np.asarray(x, dtype=np.float32).reshape(-1, 1, 8, 8) / 16.0)
    images = nn.functional.interpolate(images, size=(size, size), mode="bilinear",
                                       align_corners=False)
    return normalise(images.clamp(0.0, 1.0).expand(-1, 3, -1, -1))
