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
    if dim % 2 or dim < 4:
        raise ValueError("the embedding dimension must be even and at least 4")
    half = dim // 2
    k = torch.arange(half, dtype=torch.float32, device=t.device)
    freqs = torch.exp(-math.log(max_period) * k / half)
    angles = t.float()[:, None] * freqs[None]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class ResBlock(nn.Module):
    """Residual block with the time embedding added after the first conv (see the module
    docstring); submodules norm1, conv1, time_emb_proj, norm2, conv2 and, only when
    in_channels != out_channels, conv_shortcut."""

    def __init__(self, in_channels: int, out_channels: int, emb_dim: int, groups: int = 8) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.time_emb_proj = nn.Linear(emb_dim, out_channels)
        self.norm2 = nn.GroupNorm(groups, out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.conv_shortcut = (nn.Conv2d(in_channels, out_channels, 1)
                              if in_channels != out_channels else None)

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        """x (B, C_in, H, W), emb (B, E) -> (B, C_out, H, W)."""
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(emb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        skip = x if self.conv_shortcut is None else self.conv_shortcut(x)
        return skip + h


class UNet(nn.Module):
    """Two-level U-Net epsilon model (see the module docstring): ``forward(x, t)`` with
    x (B, in_channels, H, W), t (B,) int64 -> (B, in_channels, H, W). Submodules time_mlp
    (nn.Sequential of Linear, SiLU, Linear), conv_in, down1, downsample, down2, mid, up2,
    upsample, up1, norm_out, conv_out."""

    def __init__(self, in_channels: int = 1, channels: tuple[int, int] = (32, 64),
                 groups: int = 8) -> None:
        super().__init__()
        c0, c1 = channels
        emb = 4 * c0
        self.c0 = c0
        self.time_mlp = nn.Sequential(nn.Linear(c0, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.conv_in = nn.Conv2d(in_channels, c0, 3, padding=1)
        self.down1 = ResBlock(c0, c0, emb, groups)
        self.downsample = nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.down2 = ResBlock(c0, c1, emb, groups)
        self.mid = ResBlock(c1, c1, emb, groups)
        self.up2 = ResBlock(2 * c1, c1, emb, groups)
        self.upsample = nn.Conv2d(c1, c1, 3, padding=1)
        self.up1 = ResBlock(c1 + c0, c0, emb, groups)
        self.norm_out = nn.GroupNorm(groups, c0)
        self.conv_out = nn.Conv2d(c0, in_channels, 3, padding=1)

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        """x (B, C, H, W), t (B,) int64 -> (B, C, H, W)."""
        e = self.time_mlp(sinusoidal_embedding(t, self.c0).to(x.dtype))
        s1 = self.down1(self.conv_in(x), e)
        s2 = self.down2(self.downsample(s1), e)
        h = self.mid(s2, e)
        h = self.up2(torch.cat([h, s2], dim=1), e)
        h = self.upsample(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = self.up1(torch.cat([h, s1], dim=1), e)
        return self.conv_out(F.silu(self.norm_out(h)))


def digits_to_model(x: Tensor) -> Tensor:
    """Pixels in [0, 1] (N, 64) or (N, 1, 8, 8) -> float32 (N, 1, 8, 8) in [-1, 1] (2 x - 1)."""
    return (2 * x.reshape(-1, 1, 8, 8) - 1).float()


def model_to_digits(x: Tensor) -> Tensor:
    """Model space (N, 1, 8, 8) -> pixels (N, 64) in [0, 1]: (x + 1) / 2, clamped to [0, 1]."""
    return ((x + 1) / 2).clamp(0, 1).reshape(-1, 64)
