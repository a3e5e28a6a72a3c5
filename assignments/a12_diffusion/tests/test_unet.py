"""The U-Net's step embedding, residual block, shapes and the digits' pixel scaling."""

import math

import pytest
import torch
from unet import ResBlock, UNet, digits_to_model, model_to_digits, sinusoidal_embedding

torch.set_num_threads(1)


def test_embedding_is_sin_then_cos() -> None:
    emb = sinusoidal_embedding(torch.tensor([0, 2]), 8)
    assert emb.shape == (2, 8)
    torch.testing.assert_close(emb[0], torch.tensor([0.0] * 4 + [1.0] * 4))
    # f_0 = 1 and the last frequency is 1 / max_period (exponent over half - 1)
    torch.testing.assert_close(emb[1, 0], torch.sin(torch.tensor(2.0)))
    torch.testing.assert_close(emb[1, 3], torch.sin(torch.tensor(2.0 / 10000.0)))
    with pytest.raises(ValueError):
        sinusoidal_embedding(torch.tensor([1]), 5)


def test_resblock_shapes_shortcut_and_time() -> None:
    torch.manual_seed(0)
    same, wider = ResBlock(8, 8, 16, groups=4), ResBlock(8, 12, 16, groups=4)
    assert same.conv_shortcut is None and wider.conv_shortcut is not None
    x, e = torch.randn(2, 8, 4, 4), torch.randn(2, 16)
    assert wider(x, e).shape == (2, 12, 4, 4)
    assert not torch.allclose(same(x, e), same(x, e + 1))


def test_unet_keeps_the_shape_and_uses_t() -> None:
    torch.manual_seed(0)
    net = UNet(1, (8, 16), groups=4)
    x, t = torch.randn(3, 1, 8, 8), torch.tensor([0, 10, 99])
    out = net(x, t)
    assert out.shape == x.shape
    assert not torch.allclose(out, net(x, t + 1))
    assert net.up1.conv1.in_channels == 16 + 8  # the upsampled path and the skip


def test_digit_scaling_round_trip() -> None:
    x = torch.rand(4, 64, dtype=torch.float64)
    m = digits_to_model(x)
    assert m.shape == (4, 1, 8, 8) and m.dtype == torch.float32
    assert math.isclose(float(m.min()), float(2 * x.min() - 1), abs_tol=1e-6)
    torch.testing.assert_close(model_to_digits(m), x.float())
    assert float(model_to_digits(torch.full((1, 1, 8, 8), 5.0)).max()) == 1.0
