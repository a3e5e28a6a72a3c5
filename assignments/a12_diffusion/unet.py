"""A small U-Net denoiser for 8x8 images (scikit-learn's digits), built like diffusers' UNet2DModel.

**Step embedding** (Ho et al. 2020, the original DDPM code; diffusers' ``get_timestep_embedding``
with flip_sin_to_cos=False, downscale_freq_shift=1), for an even dim >= 4, half = dim / 2:

    f_k = exp(-ln(max_period) k / (half - 1)),  k = 0 .. half - 1
    emb(t) = [sin(t f_0), ..., sin(t f_{half-1}), cos(t f_0), ..., cos(t f_{half-1})]

**Residual block** (as diffusers' ``ResnetBlock2D``, pre-norm, time embedding "default"), for
x (B, C_in, H, W) and a time embedding e (B, E):

    h = conv1(SiLU(norm1(x)))                        3x3, C_in -> C_out, padding 1
    h = h + time_emb_proj(SiLU(e))[:, :, None, None]  Linear E -> C_out, one shift per channel
    h = conv2(SiLU(norm2(h)))                        3x3, C_out -> C_out, padding 1
    out = shortcut(x) + h                            shortcut: 1x1 conv ``conv_shortcut`` when
                                                     C_in != C_out, else the identity

norm1, norm2 are ``nn.GroupNorm(groups, C)`` (eps 1e-5, affine).

**U-Net** with channels (c0, c1), emb_dim E = 4 c0, for x (B, C, H, W) (H, W even), t (B,):

    e   = time_mlp(emb(t, c0))             Linear(c0, E), SiLU, Linear(E, E)
    h   = conv_in(x)                       3x3, C -> c0
    s1  = down1(h, e)                      ResBlock c0 -> c0          (H, W)       skip 1
    h   = downsample(s1)                   3x3 conv, stride 2, pad 1  (H/2, W/2)
    s2  = down2(h, e)                      ResBlock c0 -> c1                       skip 2
    h   = mid(s2, e)                       ResBlock c1 -> c1
    h   = up2(cat[h, s2], e)               ResBlock 2 c1 -> c1
    h   = upsample(nearest x2 of h)        3x3 conv c1 -> c1, pad 1   (H, W)
    h   = up1(cat[h, s1], e)               ResBlock c1 + c0 -> c0
    out = conv_out(SiLU(norm_out(h)))      GroupNorm(groups, c0); 3x3 conv c0 -> C

(cat along channels, the upsampled path first). The output has x's shape: epsilon for
``train_denoiser`` and the samplers, which work on (B, ...) tensors.
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def sinusoidal_embedding(t: Tensor, dim: int, max_period: float = 10000.0) -> Tensor:
    """(B, dim) float32 [sin(t f), cos(t f)] of the steps t (B,), f_k = P^(-k / (half - 1)),
    on t's device.

    Raises:
        ValueError: when dim is odd or below 4.
    """
    raise NotImplementedError('implement sinusoidal_embedding in unet.py')


class ResBlock(nn.Module):
    """Residual block with the time embedding added after the first conv (see the module
    docstring); submodules norm1, conv1, time_emb_proj, norm2, conv2 and, only when
    in_channels != out_channels, conv_shortcut."""

    def __init__(self, in_channels: int, out_channels: int, emb_dim: int, groups: int = 8) -> None:
        super().__init__()
        raise NotImplementedError('implement ResBlock.__init__ in unet.py')

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        """x (B, C_in, H, W), emb (B, E) -> (B, C_out, H, W)."""
        raise NotImplementedError('implement ResBlock.forward in unet.py')


class UNet(nn.Module):
    """Two-level U-Net epsilon model (see the module docstring): ``forward(x, t)`` with
    x (B, in_channels, H, W), t (B,) int64 -> (B, in_channels, H, W). Submodules time_mlp
    (nn.Sequential of Linear, SiLU, Linear), conv_in, down1, downsample, down2, mid, up2,
    upsample, up1, norm_out, conv_out."""

    def __init__(self, in_channels: int = 1, channels: tuple[int, int] = (32, 64),
                 groups: int = 8) -> None:
        super().__init__()
        raise NotImplementedError('implement UNet.__init__ in unet.py')

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        """x (B, C, H, W), t (B,) int64 -> (B, C, H, W)."""
        raise NotImplementedError('implement UNet.forward in unet.py')


def digits_to_model(x: Tensor) -> Tensor:
    """Pixels in [0, 1] (N, 64) or (N, 1, 8, 8) -> float32 (N, 1, 8, 8) in [-1, 1] (2 x - 1)."""
    raise NotImplementedError('implement digits_to_model in unet.py')


def model_to_digits(x: Tensor) -> Tensor:
    """Model space (N, 1, 8, 8) -> pixels (N, 64) in [0, 1]: (x + 1) / 2, clamped to [0, 1]."""
    raise NotImplementedError('implement model_to_digits in unet.py')
