"""Graded: Gram matrices, content, style and total-variation losses, AdaIN against instance
normalisation, feature extraction and a short Gatys optimisation on the course's fixed feature
network (part "style", 14 points)."""

import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.gen_data import feature_net

TOL = {"rtol": 1e-10, "atol": 1e-12}


def gram(f):
    b, c, h, w = f.shape
    return torch.einsum("bihw,bjhw->bij", f, f) / (c * h * w)


def randn(rng, shape, device):
    return torch.as_tensor(rng.normal(size=shape), device=device)


@part("style")
@points(2)
def test_gram_matrix(student, rng, device):
    """gram_matrix is F F^T / (C H W) per example, (B, C, C), for non-square feature maps, and
    does not modify its input."""
    f = randn(rng, (3, 4, 5, 7), device)
    call = watch_call(student.style.gram_matrix, f)
    assert not call.changed, "gram_matrix modified its input"
    assert tuple(call.result.shape) == (3, 4, 4), "gram_matrix should be (B, C, C)"
    assert_close(call.result, gram(f), **TOL, name="Gram matrix")


@part("style")
@points(2)
def test_content_and_tv_losses(student, rng, device):
    """content_loss is the mean squared difference; tv_loss sums the squared vertical and
    horizontal neighbour differences of every image and channel."""
    a, b = randn(rng, (2, 3, 4, 5), device), randn(rng, (2, 3, 4, 5), device)
    assert_close(student.style.content_loss(a, b), F.mse_loss(a, b), **TOL, name="content loss")
    x = randn(rng, (2, 3, 5, 6), device)
    want = (torch.diff(x, dim=2) ** 2).sum() + (torch.diff(x, dim=3) ** 2).sum()
    assert_close(student.style.tv_loss(x), want, **TOL, name="TV loss")
    flat = torch.full((1, 2, 4, 4), 0.7, dtype=torch.float64, device=device)
    assert_close(student.style.tv_loss(flat), 0.0, atol=1e-12, name="TV loss of a flat image")


@part("style")
@points(2)
def test_style_loss(student, rng, device):
    """style_loss is the weighted sum over layers of the summed squared Gram differences (also
    for a single layer), and raises ValueError when the lists differ in length."""
    feats = [randn(rng, (2, 3, 4, 4), device), randn(rng, (2, 5, 2, 3), device)]
    targets = [gram(randn(rng, f.shape, device)) for f in feats]
    weights = [0.7, 3.0]
    want = sum(w * ((gram(f) - t) ** 2).sum() for f, t, w in zip(feats, targets, weights,
                                                                   strict=True))
    assert_close(student.style.style_loss(feats, targets, weights), want, **TOL,
                 name="style loss")
    assert_close(student.style.style_loss(feats[1:], targets[1:], weights[1:]),
                 weights[1] * ((gram(feats[1]) - targets[1]) ** 2).sum(), **TOL,
                 name="style loss of one layer")
    with pytest.raises(StudentError, match="ValueError"):
        student.style.style_loss(feats, targets, [1.0])


@part("style")
@points(3)
def test_adain_against_instance_norm(student, rng, device):
    """adain(c, s) = sigma(s) * instance_norm(c) + mu(s) with biased variances and eps inside the
    square root (torch's F.instance_norm as the oracle), for style maps of another size."""
    c = randn(rng, (2, 3, 5, 4), device) * 2 + 1
    s = randn(rng, (2, 3, 6, 6), device) * 0.5 - 3
    for eps in (1e-5, 0.5):
        mu_s = s.mean(dim=(2, 3), keepdim=True)
        sd_s = (s.var(dim=(2, 3), keepdim=True, unbiased=False) + eps).sqrt()
        want = sd_s * F.instance_norm(c, eps=eps) + mu_s
        assert_close(student.style.adain(c, s, eps), want, rtol=1e-9, atol=1e-10,
                     name=f"AdaIN with eps={eps}")
    out = student.style.adain(c, s)
    assert_close(out.mean(dim=(2, 3)), s.mean(dim=(2, 3)), rtol=1e-9, atol=1e-9,
                 name="the channel means of the output")


@part("style")
@points(1)
def test_extract_features(student, rng, device):
    """extract_features returns the outputs of the requested modules of the feature network in
    the requested order."""
    net = student.lib("dnn.gen_data").feature_net(1, seed=2)
    net.to(device)
    ref = feature_net(1, seed=2).to(device)
    x = randn(rng, (2, 1, 8, 8), device).float()
    got = student.style.extract_features(net, x, [5, 1, 3])
    outs, h = [], x
    for m in ref:
        h = m(h)
        outs.append(h)
    assert len(got) == 3, "one tensor per requested layer"
    for g, i in zip(got, (5, 1, 3), strict=True):
        assert_close(g, outs[i], rtol=1e-5, atol=1e-6, name=f"features of layer {i}")


def smooth_image(rng, device):
    """A (1, 1, 16, 16) smooth random image in [0, 1] (upsampled noise)."""
    x = torch.as_tensor(rng.uniform(size=(1, 1, 4, 4)), dtype=torch.float32)
    return F.interpolate(x, size=16, mode="bilinear", align_corners=False).to(device)


def stripes(device):
    i = torch.arange(16, dtype=torch.float32)
    return ((i[None, :] + i[:, None]) % 4 < 2).float()[None, None].to(device)


@part("style")
@points(1)
def test_stylise_first_step_is_adam(student, rng, device):
    """stylise starts from the content image and takes Adam steps on the image: one step moves
    every pixel by lr * g / (|g| + 1e-8) against the gradient g of the total loss (weights,
    style layers and TV as given), and the content image is left unchanged."""
    net = student.lib("dnn.gen_data").feature_net(1, seed=0)
    net.to(device)
    ref = feature_net(1, seed=0).to(device)
    content, style = smooth_image(rng, device), stripes(device)
    kw = {"content_layer": 3, "style_layers": [1, 6], "style_weights": [1e3, 1e4],
          "content_weight": 1.0, "tv_weight": 0.1, "steps": 1, "lr": 0.01}
    call = watch_call(student.style.stylise, net, content, style, **kw)
    assert not call.changed, f"stylise modified {call.changed}"
    image, history = call.result
    x = content.clone().requires_grad_(True)
    h, feats = x, {}
    for i, m in enumerate(ref):
        h = m(h)
        feats[i] = h
    hs, sfeats = style, {}
    for i, m in enumerate(ref):
        hs = m(hs)
        sfeats[i] = hs
    loss = (((feats[3] - feats[3].detach()) ** 2).mean()
            + 1e3 * ((gram(feats[1]) - gram(sfeats[1])) ** 2).sum()
            + 1e4 * ((gram(feats[6]) - gram(sfeats[6])) ** 2).sum()
            + 0.1 * ((torch.diff(x, dim=2) ** 2).sum() + (torch.diff(x, dim=3) ** 2).sum()))
    (g,) = torch.autograd.grad(loss, x)
    assert len(history) == 1, "one loss per step"
    assert_close(torch.tensor(history[0]), loss.detach().cpu(), rtol=1e-4, name="the first loss")
    want = content - 0.01 * g / (g.abs() + 1e-8)
    assert_close(image, want, rtol=1e-4, atol=1e-5, name="the image after one Adam step")


@part("style")
@points(1)
def test_gatys_optimisation_moves_toward_the_style(student, rng, device):
    """A 60-step Gatys run (lr 0.05) lowers its total loss below a quarter of the first one, and
    the result's style loss (computed here) is below a quarter of the content image's."""
    net = student.lib("dnn.gen_data").feature_net(1, seed=0)
    net.to(device)
    ref = feature_net(1, seed=0).to(device)
    content, style = smooth_image(rng, device), stripes(device)
    image, history = student.style.stylise(net, content, style, content_layer=3,
                                           style_layers=[1, 6], style_weights=[1e3, 1e4],
                                           steps=60, lr=0.05)
    assert len(history) == 60, "one loss per step"
    assert history[-1] < 0.25 * history[0], "the total loss did not fall enough"

    def style_of(img):
        h, out = img, {}
        for i, m in enumerate(ref):
            h = m(h)
            out[i] = h
        return out

    target = style_of(style)

    def sloss(img):
        f = style_of(img)
        return sum(w * ((gram(f[i]) - gram(target[i])) ** 2).sum()
                   for i, w in ((1, 1e3), (6, 1e4))).item()

    assert sloss(image) < 0.25 * sloss(content), "the result's style loss did not fall enough"
