"""U-Net, written as explicit level lists (alternative submission)."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

UP_MODES = ("transpose", "bilinear")


def double_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3x3 convolutions (padding 1), each followed by ReLU."""
    layers: list[nn.Module] = []
    for a in (in_channels, out_channels):
        layers += [nn.Conv2d(a, out_channels, kernel_size=3, padding=1), nn.ReLU(inplace=False)]
    return nn.Sequential(*layers)


def _check(base: int, depth: int, up: str) -> None:
    if min(base, depth) <= 0:
        raise ValueError("base and depth must be positive")
    if up not in UP_MODES:
        raise ValueError(f"unknown upsampling {up}")


class UNet(nn.Module):
    """U-Net; see the handout for the layout."""

    def __init__(self, in_channels: int, num_classes: int, base: int = 8, depth: int = 2,
                 up: str = "transpose") -> None:
        super().__init__()
        _check(base, depth, up)
        self.depth = depth
        widths = [in_channels] + [base << i for i in range(depth + 1)]
        self.encoders = nn.ModuleList(double_conv(widths[i], widths[i + 1])
                                      for i in range(depth + 1))
        self.ups = nn.ModuleList()
        self.decoders = nn.ModuleList()
        for level in reversed(range(1, depth + 1)):
            hi, lo = widths[level + 1], widths[level]
            if up == "bilinear":
                self.ups.append(nn.Sequential(nn.Upsample(scale_factor=2.0, mode="bilinear"),
                                              nn.Conv2d(hi, lo, 1)))
            else:
                self.ups.append(nn.ConvTranspose2d(hi, lo, kernel_size=2, stride=2))
            self.decoders.append(double_conv(lo + lo, lo))
        self.head = nn.Conv2d(widths[1], num_classes, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        """Logits of the input's size."""
        h, w = x.shape[2], x.shape[3]
        unit = 1 << self.depth
        ph, pw = (unit - h % unit) % unit, (unit - w % unit) % unit
        if ph or pw:
            x = F.pad(x, [0, pw, 0, ph], value=0.0)
        features = []
        for level in range(self.depth + 1):
            x = self.encoders[level](x)
            features.append(x)
            if level != self.depth:
                x = F.max_pool2d(x, kernel_size=2, stride=2)
        for j in range(self.depth):
            skip = features[self.depth - 1 - j]
            x = self.decoders[j](torch.cat((skip, self.ups[j](x)), 1))
        return self.head(x)[:, :, :h, :w]


def unet_num_parameters(in_channels: int, num_classes: int, base: int = 8, depth: int = 2,
                        up: str = "transpose") -> int:
    """Parameter count by the formula."""
    _check(base, depth, up)

    def conv(a: int, b: int, k: int) -> int:
        return a * b * k * k + b

    def block(a: int, b: int) -> int:
        return conv(a, b, 3) + conv(b, b, 3)

    total = block(in_channels, base) + conv(base, num_classes, 1)
    width = base
    for _ in range(depth):
        wider = 2 * width
        total += block(width, wider) + block(2 * width, width)
        total += conv(wider, width, 2) if up == "transpose" else conv(wider, width, 1)
        width = wider
    return total
