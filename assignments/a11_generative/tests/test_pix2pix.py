"""pix2pix: the U-Net's shapes and skips, the PatchGAN's output map, receptive fields and the
losses on a few values."""

import numpy as np
import torch
from pix2pix import (
    PatchDiscriminator,
    UNet,
    discriminator_loss,
    generator_loss,
    patch_receptive_field,
    receptive_field,
)


def test_unet_keeps_the_shape_and_uses_its_skips() -> None:
    net = UNet(1, 2, features=4, depth=3)
    assert tuple(net.downs[0][0].weight.shape) == (4, 1, 4, 4)
    assert tuple(net.ups[1][0].weight.shape) == (16, 4, 4, 4)  # cat[d_1, u_0]: 8 + 8 channels
    x = torch.randn(3, 1, 16, 16)
    assert net(x).shape == (3, 2, 16, 16)
    with torch.no_grad():
        net.ups[0][0].weight.zero_()
        net.ups[0][0].bias.zero_()
    assert not torch.allclose(net(x), net(torch.randn(3, 1, 16, 16)))  # only the skips remain


def test_patch_discriminator_map() -> None:
    disc = PatchDiscriminator(3, features=4, n_layers=1)
    out = disc(torch.randn(2, 1, 16, 16), torch.randn(2, 2, 16, 16))
    assert out.shape == (2, 1, 6, 6)


def test_receptive_fields() -> None:
    assert receptive_field([3, 3], [1, 1]) == 5
    assert receptive_field([4, 4, 4], [2, 2, 1]) == 22
    assert patch_receptive_field(3) == 70  # the pix2pix paper's 70 x 70 PatchGAN


def test_losses() -> None:
    r = torch.tensor([[2.0, -1.0]], dtype=torch.float64)
    f = torch.tensor([[-3.0, 40.0]], dtype=torch.float64)
    sp = lambda t: np.logaddexp(0.0, t.numpy())  # noqa: E731
    assert np.isclose(discriminator_loss(r, f).item(), 0.5 * (sp(-r).mean() + sp(f).mean()))
    fake, target = torch.zeros(1, 1, 2, 2, dtype=torch.float64), torch.full((1, 1, 2, 2), 2.0)
    assert np.isclose(generator_loss(f, fake, target.double(), 10.0).item(), sp(-f).mean() + 20)
