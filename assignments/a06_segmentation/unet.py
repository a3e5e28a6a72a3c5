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
    raise NotImplementedError('implement double_conv in unet.py')


class UNet(nn.Module):
    """U-Net with ``depth`` poolings and ``base`` channels at the top level (see the module
    docstring for the layout). (B, in_channels, H, W) -> logits (B, num_classes, H, W).

    Raises ValueError if ``depth < 1``, ``base < 1`` or ``up`` is not one of ``UP_MODES``.
    """

    def __init__(self, in_channels: int, num_classes: int, base: int = 8, depth: int = 2,
                 up: str = "transpose") -> None:
        super().__init__()
        raise NotImplementedError('implement UNet.__init__ in unet.py')

    def forward(self, x: Tensor) -> Tensor:
        """(B, in_channels, H, W) -> (B, num_classes, H, W); pads and crops as the module says."""
        raise NotImplementedError('implement UNet.forward in unet.py')


def unet_num_parameters(in_channels: int, num_classes: int, base: int = 8, depth: int = 2,
                        up: str = "transpose") -> int:
    """The number of parameters of ``UNet(in_channels, num_classes, base, depth, up)`` by the
    formula of the module docstring (without building the network).

    Raises ValueError as ``UNet`` does.
    """
    raise NotImplementedError('implement unet_num_parameters in unet.py')
