"""U-Net (Ronneberger et al. 2015): an encoder-decoder with skip connections.

Channels c_i = base * 2^i for levels i = 0..depth (level ``depth`` is the bottleneck). Every
block is ``double_conv(a, b) = Sequential(Conv2d(a, b, 3, padding=1), ReLU, Conv2d(b, b, 3,
padding=1), ReLU)`` (with biases, no normalisation). The state_dict layout is part of the
contract (tests load weights into it):

- ``encoders``: ModuleList of depth + 1 double convs, ``encoders[0] = double_conv(in, c_0)``,
  ``encoders[i] = double_conv(c_{i-1}, c_i)``; between two encoders a 2x2 max pool (stride 2).
- ``ups``: ModuleList of depth upsamplers, ``ups[j]`` takes level i = depth - j to level i - 1:
  ``up="transpose"``: ``ConvTranspose2d(c_i, c_{i-1}, 2, stride=2)``;
  ``up="bilinear"``: ``Sequential(Upsample(scale_factor=2, mode="bilinear",
  align_corners=False), Conv2d(c_i, c_{i-1}, 1))``.
- ``decoders``: ModuleList of depth double convs, ``decoders[j] = double_conv(2 c_{i-1},
  c_{i-1})`` applied to ``cat([skip_{i-1}, up_j(x)], dim=1)`` (the skip first).
- ``head``: ``Conv2d(c_0, num_classes, 1)``: logits (B, num_classes, H, W).

**Size policy.** An input (B, in, H, W) whose H or W is not a multiple of 2^depth is padded with
zeros at the bottom and on the right to the next multiples, and the logits are cropped back to
(B, num_classes, H, W): the output has the input's size and the top-left pixel stays aligned.

**Parameters.** A k x k convolution from a to b channels has a b k^2 + b parameters, so

    P = DC(in, c_0) + sum_{i=1..depth} [DC(c_{i-1}, c_i) + U(c_i, c_{i-1}) + DC(2 c_{i-1}, c_{i-1})]
        + c_0 K + K,     DC(a, b) = 9ab + 9b^2 + 2b,
    U(a, b) = 4ab + b (transpose)  or  ab + b (bilinear + 1x1 conv),   K = num_classes.
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

UP_MODES = ("transpose", "bilinear")


def double_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    """Sequential(Conv2d(in, out, 3, padding=1), ReLU, Conv2d(out, out, 3, padding=1), ReLU)."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, 3, padding=1), nn.ReLU())


class UNet(nn.Module):
    """U-Net with ``depth`` poolings and ``base`` channels at the top level (see the module
    docstring for the layout). (B, in_channels, H, W) -> logits (B, num_classes, H, W).

    Raises ValueError if ``depth < 1``, ``base < 1`` or ``up`` is not one of ``UP_MODES``.
    """

    def __init__(self, in_channels: int, num_classes: int, base: int = 8, depth: int = 2,
                 up: str = "transpose") -> None:
        super().__init__()
        if depth < 1 or base < 1:
            raise ValueError(f"depth and base must be at least 1, got {depth} and {base}")
        if up not in UP_MODES:
            raise ValueError(f"up must be one of {UP_MODES}, got {up!r}")
        self.depth = depth
        ch = [base * 2**i for i in range(depth + 1)]
        self.encoders = nn.ModuleList(
            [double_conv(in_channels, ch[0])]
            + [double_conv(ch[i - 1], ch[i]) for i in range(1, depth + 1)])
        ups: list[nn.Module] = []
        decoders = []
        for i in range(depth, 0, -1):
            if up == "transpose":
                ups.append(nn.ConvTranspose2d(ch[i], ch[i - 1], 2, stride=2))
            else:
                ups.append(nn.Sequential(
                    nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                    nn.Conv2d(ch[i], ch[i - 1], 1)))
            decoders.append(double_conv(2 * ch[i - 1], ch[i - 1]))
        self.ups = nn.ModuleList(ups)
        self.decoders = nn.ModuleList(decoders)
        self.head = nn.Conv2d(ch[0], num_classes, 1)

    def forward(self, x: Tensor) -> Tensor:
        """(B, in_channels, H, W) -> (B, num_classes, H, W); pads and crops as the module says."""
        height, width = x.shape[-2:]
        mult = 2**self.depth
        x = F.pad(x, (0, (-width) % mult, 0, (-height) % mult))
        skips = []
        for i, encoder in enumerate(self.encoders):
            x = encoder(x)
            if i < self.depth:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        for up, decoder in zip(self.ups, self.decoders, strict=True):
            x = decoder(torch.cat([skips.pop(), up(x)], dim=1))
        return self.head(x)[..., :height, :width]


def unet_num_parameters(in_channels: int, num_classes: int, base: int = 8, depth: int = 2,
                        up: str = "transpose") -> int:
    """The number of parameters of ``UNet(in_channels, num_classes, base, depth, up)`` by the
    formula of the module docstring (without building the network).

    Raises ValueError as ``UNet`` does.
    """
    if depth < 1 or base < 1:
        raise ValueError(f"depth and base must be at least 1, got {depth} and {base}")
    if up not in UP_MODES:
        raise ValueError(f"up must be one of {UP_MODES}, got {up!r}")

    def dc(a: int, b: int) -> int:
        return 9 * a * b + 9 * b * b + 2 * b

    ch = [base * 2**i for i in range(depth + 1)]
    total = dc(in_channels, ch[0]) + ch[0] * num_classes + num_classes
    for i in range(1, depth + 1):
        k = 4 if up == "transpose" else 1
        total += dc(ch[i - 1], ch[i]) + k * ch[i] * ch[i - 1] + ch[i - 1] + dc(2 * ch[i - 1],
                                                                              ch[i - 1])
    return total
