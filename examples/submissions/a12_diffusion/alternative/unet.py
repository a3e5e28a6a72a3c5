"""U-Net (alternative submission): skips on a stack, modules built in another order."""

import torch
from torch import Tensor, nn


def sinusoidal_embedding(t: Tensor, dim: int, max_period: float = 10000.0) -> Tensor:
    """[sin(t f), cos(t f)], f_k = P^(-k / (dim/2 - 1))."""
    if dim < 4 or dim % 2 == 1:
        raise ValueError(f"need an even dim >= 4, got {dim}")
    half = dim // 2
    exponents = torch.linspace(0.0, 1.0, half, device=t.device)  # k / (half - 1)
    freqs = torch.pow(torch.tensor(float(max_period), device=t.device), -exponents)
    ang = torch.outer(t.to(torch.float32), freqs)
    return torch.stack((ang.sin(), ang.cos()), dim=1).flatten(1)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice, the time shift in between, identity or 1x1 shortcut."""

    def __init__(self, in_channels: int, out_channels: int, emb_dim: int, groups: int = 8) -> None:
        super().__init__()
        self.conv_shortcut: nn.Module = (nn.Identity() if in_channels == out_channels
                                         else nn.Conv2d(in_channels, out_channels, 1))
        self.time_emb_proj = nn.Linear(emb_dim, out_channels)
        self.norm1 = nn.GroupNorm(groups, in_channels)
        self.norm2 = nn.GroupNorm(groups, out_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        self.act = nn.SiLU()

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        """x (B, C_in, H, W), emb (B, E)."""
        shift = self.time_emb_proj(self.act(emb))
        h = self.conv1(self.act(self.norm1(x))) + shift.view(*shift.shape, 1, 1)
        return self.conv_shortcut(x) + self.conv2(self.act(self.norm2(h)))


class UNet(nn.Module):
    """Two levels, skips pushed on a list and popped on the way up."""

    def __init__(self, in_channels: int = 1, channels: tuple[int, int] = (32, 64),
                 groups: int = 8) -> None:
        super().__init__()
        lo, hi = channels
        width = lo * 4
        self.base = lo
        self.conv_in = nn.Conv2d(in_channels, lo, 3, padding=1)
        self.conv_out = nn.Conv2d(lo, in_channels, 3, padding=1)
        self.norm_out = nn.GroupNorm(groups, lo)
        self.down1 = ResBlock(lo, lo, width, groups)
        self.down2 = ResBlock(lo, hi, width, groups)
        self.mid = ResBlock(hi, hi, width, groups)
        self.up1 = ResBlock(hi + lo, lo, width, groups)
        self.up2 = ResBlock(hi + hi, hi, width, groups)
        self.downsample = nn.Conv2d(lo, lo, 3, 2, 1)
        self.upsample = nn.Conv2d(hi, hi, 3, 1, 1)
        self.time_mlp = nn.Sequential(nn.Linear(lo, width), nn.SiLU(), nn.Linear(width, width))

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        """x (B, C, H, W), t (B,)."""
        e = self.time_mlp(sinusoidal_embedding(t, self.base).type_as(x))
        stack = []
        h = self.down1(self.conv_in(x), e)
        stack.append(h)
        h = self.down2(self.downsample(h), e)
        stack.append(h)
        h = self.mid(h, e)
        h = self.up2(torch.cat((h, stack.pop()), 1), e)
        h = self.upsample(h.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3))
        h = self.up1(torch.cat((h, stack.pop()), 1), e)
        return self.conv_out(nn.functional.silu(self.norm_out(h)))


def digits_to_model(x: Tensor) -> Tensor:
    """[0, 1] pixels -> (N, 1, 8, 8) in [-1, 1]."""
    return x.float().mul(2).sub(1).view(x.shape[0], 1, 8, 8)


def model_to_digits(x: Tensor) -> Tensor:
    """(N, 1, 8, 8) -> (N, 64) in [0, 1]."""
    return torch.clamp(x.add(1).div(2), 0.0, 1.0).flatten(1)
