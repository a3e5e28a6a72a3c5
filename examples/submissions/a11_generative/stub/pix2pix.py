"""pix2pix (Isola et al. 2017): a U-Net generator, a PatchGAN discriminator, its receptive field,
the L1 + adversarial objective and a short training run on paired images.

U-Net with depth L and F features, images (B, C, H, W) with H, W divisible by 2^L:

    d_0 = lrelu(conv_0(x)),  d_i = lrelu(conv_i(d_{i-1}))       d_i: (B, F 2^i, H / 2^(i+1), ...)
    u_0 = relu(up_0(d_{L-1})),  u_j = act_j(up_j(cat[d_{L-1-j}, u_{j-1}]))   (skip first)

conv_i = Conv2d(c, F 2^i, 4, stride 2, padding 1), up_j = ConvTranspose2d(., ., 4, 2, 1), LeakyReLU
slope 0.2, act = ReLU except after the last up, which is linear (an unbounded output: a tanh
there saturates early on the mostly -1 targets and stalls this small, unnormalised net).

PatchGAN with n layers judges (condition, image) pairs, cat[x, y] on channels, and returns a map
of logits (B, 1, h, w), one per overlapping patch. A stack of convolutions with kernels k_i and
strides s_i (input first) sees a patch of

    r = 1 + sum_i (k_i - 1) prod_{j < i} s_j         pixels (per axis),

so that an output pixel's gradient with respect to the input is zero outside an r x r window.

Losses on logits (means over every element; log s(t) = -softplus(-t)):

    D:  1/2 (-mean log s(D(x, y)) - mean log(1 - s(D(x, G(x)))))
    G:  -mean log s(D(x, G(x))) + lambda mean |G(x) - y|
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class UNet(nn.Module):
    """The U-Net generator above: ``downs`` (L Sequentials of Conv2d and LeakyReLU(0.2)) and
    ``ups`` (L Sequentials of ConvTranspose2d and ReLU, the last of a ConvTranspose2d alone).
    up_0 maps F 2^(L-1) to F 2^(L-2) channels; up_j (0 < j < L - 1) maps 2 F 2^(L-1-j) to
    F 2^(L-2-j); the last maps 2 F to out_channels. Raises ValueError when depth < 2."""

    def __init__(self, in_channels: int, out_channels: int, features: int = 16,
                 depth: int = 3) -> None:
        super().__init__()
        raise NotImplementedError('implement UNet.__init__ in pix2pix.py')

    def forward(self, x: Tensor) -> Tensor:
        """(B, C_in, H, W) -> (B, C_out, H, W), the skips concatenated before the upsampled map."""
        raise NotImplementedError('implement UNet.forward in pix2pix.py')


class PatchDiscriminator(nn.Module):
    """``net``: n_layers blocks Conv2d(c, F 2^i, 4, stride 2, padding 1) LeakyReLU(0.2)
    (c = in_channels for the first), then Conv2d(F 2^(n-1), F 2^n, 4, 1, 1) LeakyReLU(0.2) and
    Conv2d(F 2^n, 1, 4, 1, 1): logits (B, 1, h, w). in_channels counts condition and image
    together."""

    def __init__(self, in_channels: int, features: int = 16, n_layers: int = 1) -> None:
        super().__init__()
        raise NotImplementedError('implement PatchDiscriminator.__init__ in pix2pix.py')

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        """Logits (B, 1, h, w) for condition x (B, C_x, H, W) and image y (B, C_y, H, W)."""
        raise NotImplementedError('implement PatchDiscriminator.forward in pix2pix.py')


def receptive_field(kernel_sizes: list[int], strides: list[int]) -> int:
    """The receptive field (pixels per axis) of a stack of convolutions, input first:
    1 + sum_i (k_i - 1) prod_{j<i} s_j. Raises ValueError when the lists differ in length."""
    raise NotImplementedError('implement receptive_field in pix2pix.py')


def patch_receptive_field(n_layers: int) -> int:
    """The receptive field of PatchDiscriminator(., n_layers=n_layers)'s output pixels."""
    raise NotImplementedError('implement patch_receptive_field in pix2pix.py')


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """1/2 (-mean log s(real) - mean log(1 - s(fake))) over all elements, a scalar."""
    raise NotImplementedError('implement discriminator_loss in pix2pix.py')


def generator_loss(fake_logits: Tensor, fake: Tensor, target: Tensor,
                   lambda_l1: float = 100.0) -> Tensor:
    """-mean log s(fake_logits) + lambda_l1 mean |fake - target|, a scalar."""
    raise NotImplementedError('implement generator_loss in pix2pix.py')


def train_pix2pix(x: Tensor, y: Tensor, *, steps: int = 200, batch_size: int = 16,
                  lr: float = 2e-3, lambda_l1: float = 100.0, features: int = 16,
                  depth: int = 3, seed: int = 0) -> UNet:
    """Train G = UNet(C_x, C_y, features, depth) against D = PatchDiscriminator(C_x + C_y,
    features, n_layers=1) on pairs x (N, C_x, H, W) -> y (N, C_y, H, W) with Adam(lr,
    betas=(0.5, 0.999)) for both. Each step: a batch drawn with replacement; one D update on
    discriminator_loss(D(x, y), D(x, G(x).detach())), then one G update on
    generator_loss(D(x, G(x)), G(x), y, lambda_l1). torch.manual_seed(seed) before building G
    then D; a torch.Generator seeded ``seed`` (CPU) draws the batch indices. Returns G in eval
    mode (on x's device)."""
    raise NotImplementedError('implement train_pix2pix in pix2pix.py')
