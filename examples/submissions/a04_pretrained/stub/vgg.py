"""VGG (Simonyan and Zisserman, 2015) laid out as torchvision's, so its state_dicts load.

``features`` is one nn.Sequential: per number v of a configuration, Conv2d(c, v, 3, padding=1)
(with bias), then BatchNorm2d(v) when ``batch_norm``, then ReLU; per "M" a MaxPool2d(2, 2).
Then AdaptiveAvgPool2d((7, 7)) and ``classifier``: Linear(512 * 7 * 7, hidden), ReLU, Dropout,
Linear(hidden, hidden), ReLU, Dropout, Linear(hidden, num_classes) (keys classifier.0, .3, .6).
Images (N, 3, H, W) with H, W >= 32 give features (N, 512, H / 32, W / 32).
"""

from __future__ import annotations

import torch
from torch import nn

# The four configurations of the paper's table 1 (torchvision's names A, B, D, E).
CONFIGS: dict[str, list[int | str]] = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"],
}


def make_features(config: list[int | str], batch_norm: bool = False) -> nn.Sequential:
    """The convolutional part for one configuration (3 input channels), as described above.
    With batch norm a conv layer is three modules (conv, bn, relu), without it two."""
    raise NotImplementedError('implement make_features in vgg.py')


class VGG(nn.Module):
    """features -> avgpool (adaptive, 7x7) -> flatten -> classifier (see the module docstring)."""

    def __init__(self, features: nn.Sequential, num_classes: int = 1000, *,
                 hidden: int = 4096, dropout: float = 0.5) -> None:
        """``hidden`` is the width of the two hidden Linear layers (4096 in the paper)."""
        super().__init__()
        raise NotImplementedError('implement VGG.__init__ in vgg.py')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, num_classes) for images (N, 3, H, W)."""
        raise NotImplementedError('implement VGG.forward in vgg.py')


def vgg(name: str, *, batch_norm: bool = False, num_classes: int = 1000, hidden: int = 4096
        ) -> VGG:
    """The VGG of ``CONFIGS[name]`` ("vgg11", "vgg13", "vgg16", "vgg19"), with or without batch
    norm. Raises KeyError for an unknown name."""
    raise NotImplementedError('implement vgg in vgg.py')
