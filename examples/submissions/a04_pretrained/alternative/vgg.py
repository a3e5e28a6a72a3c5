"""VGG with torchvision's parameter names (independent write-up)."""

from __future__ import annotations

import torch
from torch import nn

CONFIGS: dict[str, list[int | str]] = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"],
}


def make_features(config: list[int | str], batch_norm: bool = False) -> nn.Sequential:
    modules: list[nn.Module] = []
    previous = 3
    for item in config:
        if isinstance(item, str):
            modules += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            modules += [nn.Conv2d(previous, item, kernel_size=3, padding=1)]
            modules += [nn.BatchNorm2d(item)] if batch_norm else []
            modules += [nn.ReLU()]
            previous = item
    return nn.Sequential(*modules)


class VGG(nn.Module):
    def __init__(self, features: nn.Sequential, num_classes: int = 1000, *,
                 hidden: int = 4096, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        layers: list[nn.Module] = []
        width = 512 * 49
        for _ in range(2):
            layers += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(p=dropout)]
            width = hidden
        layers.append(nn.Linear(width, num_classes))
        self.classifier = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.avgpool(self.features(x))
        return self.classifier(h.reshape(h.shape[0], -1))


def vgg(name: str, *, batch_norm: bool = False, num_classes: int = 1000, hidden: int = 4096
        ) -> VGG:
    config = CONFIGS[name]
    return VGG(make_features(config, batch_norm=batch_norm), num_classes=num_classes,
               hidden=hidden)
