"""Generated image-to-image data for a11's pix2pix and CycleGAN: outlines of shapes paired with
the filled shapes, and a tiny fixed translator network for testing cycle and identity losses.

Images are float32 in [-1, 1] (background -1, ink +1), the range of a tanh generator.
"""

import torch
from torch import Tensor, nn


def filled_shapes(n: int, *, size: int = 16, seed: int = 0) -> Tensor:
    """(n, 1, size, size) masks of one filled axis-aligned rectangle or ellipse each (+1 inside,
    -1 outside). A torch.Generator seeded ``seed`` draws, per image, the kind (rectangle or
    ellipse), the centre uniform in [size/4, 3 size/4) and the half-widths uniform in
    [3, size/4 + 2) along each axis (the global generator is not touched)."""
    g = torch.Generator().manual_seed(seed)
    kind = torch.randint(0, 2, (n,), generator=g)
    centre = size / 4 + torch.rand(n, 2, generator=g) * (size / 2)
    half = 3 + torch.rand(n, 2, generator=g) * (size / 4 - 1)
    coords = torch.arange(size, dtype=torch.float32) + 0.5
    dy = (coords[None, :, None] - centre[:, 0, None, None]) / half[:, 0, None, None]
    dx = (coords[None, None, :] - centre[:, 1, None, None]) / half[:, 1, None, None]
    rect = (dy.abs() <= 1) & (dx.abs() <= 1)
    ellipse = dy ** 2 + dx ** 2 <= 1
    inside = torch.where(kind[:, None, None] == 0, rect, ellipse)
    return (inside.float() * 2 - 1)[:, None]


def outline(masks: Tensor) -> Tensor:
    """The 4-neighbour boundary of (N, 1, H, W) masks in [-1, 1]: +1 where a pixel is inside
    and one of its four neighbours (or the border) is outside, -1 elsewhere."""
    inside = masks > 0
    padded = nn.functional.pad(inside.float(), (1, 1, 1, 1), value=0.0) > 0
    interior = (padded[..., :-2, 1:-1] & padded[..., 2:, 1:-1] & padded[..., 1:-1, :-2]
                & padded[..., 1:-1, 2:])
    return ((inside & ~interior).float() * 2 - 1)


def paired_outlines(n: int, *, size: int = 16, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Pairs (outline, filled shape), each (n, 1, size, size) float32 in [-1, 1]: pix2pix's
    task is to fill the outline in."""
    filled = filled_shapes(n, size=size, seed=seed)
    return outline(filled), filled


def tiny_translator(channels: int = 1, *, seed: int = 0) -> nn.Sequential:
    """A small float32 image-to-image network (B, C, H, W) -> (B, C, H, W):
    Conv2d(C, 8, 3, padding=1) Tanh Conv2d(8, C, 3, padding=1), weights from
    ``torch.manual_seed(seed)``'s default init (the global generator's state is restored)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Conv2d(channels, 8, 3, padding=1), nn.Tanh(),
                             nn.Conv2d(8, channels, 3, padding=1))
