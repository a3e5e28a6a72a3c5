"""Style transfer: Gram matrices, losses, AdaIN and a few Gatys steps."""

import torch
from style import adain, content_loss, extract_features, gram_matrix, style_loss, stylise, tv_loss

from dnn.gen_data import feature_net


def test_gram_and_losses() -> None:
    f = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    want = torch.einsum("bihw,bjhw->bij", f, f) / (3 * 4 * 5)
    torch.testing.assert_close(gram_matrix(f), want)
    g = torch.randn_like(f)
    torch.testing.assert_close(content_loss(f, g), ((f - g) ** 2).mean())
    torch.testing.assert_close(style_loss([f], [gram_matrix(g)], [2.0]),
                               2.0 * ((want - gram_matrix(g)) ** 2).sum())
    x = torch.tensor([[[[0.0, 1.0], [3.0, 1.0]]]])
    assert tv_loss(x).item() == 14.0  # vertical 3^2 + 0^2, horizontal 1^2 + 2^2


def test_adain_takes_the_style_statistics() -> None:
    c = torch.randn(2, 3, 5, 5, dtype=torch.float64)
    s = torch.randn(2, 3, 4, 4, dtype=torch.float64) * 3 + 1
    out = adain(c, s, eps=0.0)
    torch.testing.assert_close(out.mean((2, 3)), s.mean((2, 3)))
    torch.testing.assert_close(out.std((2, 3), unbiased=False), s.std((2, 3), unbiased=False))


def test_features_and_a_short_optimisation() -> None:
    net = feature_net(1)
    x = torch.rand(1, 1, 16, 16)
    a, b = extract_features(net, x, [3, 1])
    assert a.shape == (1, 32, 16, 16) and b.shape == (1, 16, 16, 16)
    style = (torch.arange(16)[None, :] % 4 < 2).float().expand(16, 16)[None, None]
    image, history = stylise(net, x, style, content_layer=3, style_layers=[1, 6],
                             style_weights=[1e3, 1e4], steps=20, lr=0.05)
    assert image.shape == x.shape and len(history) == 20 and history[-1] < 0.5 * history[0]
