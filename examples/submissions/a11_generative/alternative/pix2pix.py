"""pix2pix: U-Net generator, PatchGAN discriminator, receptive fields, losses and training."""

import math

import torch
from torch import Tensor, nn


class UNet(nn.Module):
    """U-Net generator: ``downs`` and ``ups`` as in the handout, skips concatenated first."""

    def __init__(self, in_channels: int, out_channels: int, features: int = 16,
                 depth: int = 3) -> None:
        super().__init__()
        if not depth >= 2:
            raise ValueError(f"depth {depth} < 2")
        self.downs = nn.ModuleList()
        c = in_channels
        for level in range(depth):
            width = features << level
            self.downs.append(nn.Sequential(nn.Conv2d(c, width, kernel_size=4, stride=2,
                                                      padding=1),
                                            nn.LeakyReLU(negative_slope=0.2)))
            c = width
        self.ups = nn.ModuleList()
        for j in range(depth):
            level = depth - 1 - j          # the encoder level this up produces the size of
            c_in = c if j == 0 else 2 * (features << level)
            last = level == 0
            c_out = out_channels if last else features << (level - 1)
            conv = nn.ConvTranspose2d(c_in, c_out, kernel_size=4, stride=2, padding=1)
            self.ups.append(nn.Sequential(conv) if last else nn.Sequential(conv, nn.ReLU()))

    def forward(self, x: Tensor) -> Tensor:
        feats = []
        h = x
        for block in self.downs:
            h = block(h)
            feats.append(h)
        out = self.ups[0](feats[-1])
        for j in range(1, len(self.ups)):
            out = self.ups[j](torch.cat((feats[-1 - j], out), 1))
        return out


class PatchDiscriminator(nn.Module):
    """PatchGAN on cat[x, y]: n stride-2 convolutions, then two stride-1 ones."""

    def __init__(self, in_channels: int, features: int = 16, n_layers: int = 1) -> None:
        super().__init__()
        widths = [in_channels] + [features * 2 ** i for i in range(n_layers)]
        mods: list[nn.Module] = []
        for a, b in zip(widths, widths[1:], strict=False):
            mods.append(nn.Conv2d(a, b, 4, 2, 1))
            mods.append(nn.LeakyReLU(0.2))
        top = widths[-1]
        mods.extend([nn.Conv2d(top, top * 2, 4, 1, 1), nn.LeakyReLU(0.2),
                     nn.Conv2d(top * 2, 1, 4, 1, 1)])
        self.net = nn.Sequential(*mods)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        return self.net(torch.cat((x, y), dim=1))


def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    """Backwards recursion r <- s (r - 1) + k from the output pixel (r = 1)."""
    if len(kernel_sizes) != len(strides):
        raise ValueError(f"{len(kernel_sizes)} kernels but {len(strides)} strides")
    r = 1
    for k, s in reversed(list(zip(kernel_sizes, strides, strict=True))):
        r = s * (r - 1) + k
    return r


def patch_receptive_field(n_layers: int) -> int:
    kernels = [4 for _ in range(n_layers + 2)]
    strides = [2 for _ in range(n_layers)] + [1, 1]
    return receptive_field(kernels, strides)


def _log_sigmoid(t: Tensor) -> Tensor:
    return nn.functional.logsigmoid(t)


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    return -(_log_sigmoid(real_logits).mean() + _log_sigmoid(-fake_logits).mean()) / 2


def generator_loss(fake_logits: Tensor, fake: Tensor, target: Tensor,
                   lambda_l1: float = 100.0) -> Tensor:
    adversarial = -_log_sigmoid(fake_logits).mean()
    l1 = nn.functional.l1_loss(fake, target)
    return adversarial + lambda_l1 * l1


def train_pix2pix(x: Tensor, y: Tensor, *, steps: int = 200, batch_size: int = 16,
                  lr: float = 2e-3, lambda_l1: float = 100.0, features: int = 16,
                  depth: int = 3, seed: int = 0) -> UNet:
    torch.manual_seed(seed)
    cx, cy = x.size(1), y.size(1)
    generator = UNet(cx, cy, features=features, depth=depth).to(x.device)
    critic = PatchDiscriminator(cx + cy, features=features, n_layers=1).to(x.device)
    betas = (0.5, 0.999)
    g_opt = torch.optim.Adam(generator.parameters(), lr, betas=betas)
    d_opt = torch.optim.Adam(critic.parameters(), lr, betas=betas)
    draw = torch.Generator().manual_seed(seed)
    n = x.size(0)
    assert math.isfinite(lambda_l1)
    for _ in range(steps):
        pick = torch.randint(n, (batch_size,), generator=draw).to(x.device)
        src, tgt = x.index_select(0, pick), y.index_select(0, pick)
        out = generator(src)
        d_opt.zero_grad()
        discriminator_loss(critic(src, tgt), critic(src, out.detach())).backward()
        d_opt.step()
        g_opt.zero_grad()
        generator_loss(critic(src, out), out, tgt, lambda_l1).backward()
        g_opt.step()
    generator.eval()
    return generator
