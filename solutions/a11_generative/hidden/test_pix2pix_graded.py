"""Graded: the U-Net generator (by parameter shapes, against a functional float64 oracle and with
its skips proven used), the PatchGAN discriminator, its receptive field against the support of
autograd input gradients, the L1 + adversarial losses on fixed tensors, and a short pix2pix run
on outline -> filled-shape pairs graded by held-out L1 against two baselines (part "pix2pix",
12 points)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.i2i_data import paired_outlines

TOL = {"rtol": 1e-9, "atol": 1e-11}


def unet_shapes(c_in, c_out, f, depth):
    widths = [f * 2 ** i for i in range(depth)]
    shapes = {}
    for i, (c, w) in enumerate(zip([c_in] + widths[:-1], widths, strict=True)):
        shapes[f"downs.{i}.0.weight"] = (w, c, 4, 4)
        shapes[f"downs.{i}.0.bias"] = (w,)
    ups = [(widths[-1], widths[-2])]
    ups += [(2 * widths[depth - 1 - j], widths[depth - 2 - j]) for j in range(1, depth - 1)]
    ups += [(2 * f, c_out)]
    for j, (c, w) in enumerate(ups):
        shapes[f"ups.{j}.0.weight"] = (c, w, 4, 4)   # ConvTranspose2d: (in, out, k, k)
        shapes[f"ups.{j}.0.bias"] = (w,)
    return shapes


def unet_oracle(sd, x, depth):
    skips = []
    for i in range(depth):
        x = F.leaky_relu(F.conv2d(x, sd[f"downs.{i}.0.weight"], sd[f"downs.{i}.0.bias"], 2, 1),
                         0.2)
        skips.append(x)
    x = skips.pop()
    for j in range(depth):
        if j > 0:
            x = torch.cat([skips.pop(), x], dim=1)
        x = F.conv_transpose2d(x, sd[f"ups.{j}.0.weight"], sd[f"ups.{j}.0.bias"], 2, 1)
        x = x if j == depth - 1 else F.relu(x)
    return x


def patch_oracle(sd, x, y, n_layers):
    h = torch.cat([x, y], dim=1)
    for i in range(n_layers + 2):
        stride = 2 if i < n_layers else 1
        h = F.conv2d(h, sd[f"net.{2 * i}.weight"], sd[f"net.{2 * i}.bias"], stride, 1)
        if i < n_layers + 1:
            h = F.leaky_relu(h, 0.2)
    return h


def random_state(shapes, rng, device, scale=0.3):
    return {k: torch.as_tensor(rng.normal(size=s) * scale, device=device)
            for k, s in shapes.items()}


def support_width(grad):
    """Rows and columns of the nonzero support of a (1, C, H, W) input gradient."""
    mass = grad.abs().sum(dim=(0, 1))
    rows = torch.nonzero(mass.sum(1) > 0).flatten()
    cols = torch.nonzero(mass.sum(0) > 0).flatten()
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def measured_field(kernels, strides):
    """The receptive field of a conv stack measured by autograd: positive weights and inputs,
    so that no gradient inside the field cancels."""
    size = 1 + sum((k - 1) * int(np.prod(strides[:i])) for i, k in enumerate(kernels)) * 2 + 8
    layers = []
    for k, s in zip(kernels, strides, strict=True):
        conv = torch.nn.Conv2d(1, 1, k, s, bias=False).double()
        torch.nn.init.constant_(conv.weight, 1.0)
        layers.append(conv)
    net = torch.nn.Sequential(*layers)
    x = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    out = net(x)
    h, w = out.shape[-2:]
    out[0, 0, h // 2, w // 2].backward()
    return support_width(x.grad)


@part("pix2pix")
@points(1)
def test_unet_architecture(student):
    """UNet's parameters have the handout's shapes (downs and ups, skip channels included) for
    two depths, and depth < 2 raises ValueError."""
    for args in ((2, 3, 4, 3), (1, 1, 8, 2), (3, 2, 2, 4)):
        net = student.pix2pix.UNet(*args)
        got = {k: tuple(v.shape) for k, v in net.state_dict().items()}
        assert got == unet_shapes(*args), f"UNet{args}'s parameters differ from the handout's"
    with pytest.raises(StudentError, match="ValueError"):
        student.pix2pix.UNet(1, 1, 4, 1)


@part("pix2pix")
@points(2)
def test_unet_forward_and_skips(student, rng, device):
    """UNet's forward matches a functional float64 oracle with the same weights (skip first in
    the concatenation, linear output), does not modify its input, and still depends on the input
    through the skips when the bottleneck's up-convolution is zeroed."""
    for depth in (2, 3):
        net = student.pix2pix.UNet(2, 3, 4, depth)
        sd = random_state(unet_shapes(2, 3, 4, depth), rng, device)
        net.double()
        net.to(device)
        net.load_state_dict(sd)
        x = torch.as_tensor(rng.normal(size=(3, 2, 16, 8)), device=device)
        call = watch_call(net, x)
        assert not call.changed, "UNet's forward modified its input"
        assert tuple(call.result.shape) == (3, 3, 16, 8), "UNet should keep H and W"
        assert_close(call.result, unet_oracle(sd, x, depth), **TOL, name=f"UNet (depth {depth})")
    cut = dict(sd)
    cut["ups.0.0.weight"] = torch.zeros_like(sd["ups.0.0.weight"])
    cut["ups.0.0.bias"] = torch.zeros_like(sd["ups.0.0.bias"])
    net.load_state_dict(cut)
    x2 = torch.as_tensor(rng.normal(size=(3, 2, 16, 8)), device=device)
    a, b = net(x), net(x2)
    assert (a - b).abs().max() > 1e-3, \
        "with the bottleneck cut, the output ignores the input: the skips are not used"
    assert_close(a, unet_oracle(cut, x, depth), **TOL, name="UNet with the bottleneck cut")


@part("pix2pix")
@points(1)
def test_patch_discriminator(student, rng, device):
    """PatchDiscriminator's parameters have the handout's shapes, and it returns the logit map of
    a functional float64 oracle on cat[x, y] for one and two stride-2 layers."""
    for n_layers, size in ((1, 16), (2, 32)):
        disc = student.pix2pix.PatchDiscriminator(3, 4, n_layers)
        shapes = {}
        c = 3
        for i in range(n_layers):
            shapes[f"net.{2 * i}.weight"], shapes[f"net.{2 * i}.bias"] = (4 * 2 ** i, c, 4, 4), (
                4 * 2 ** i,)
            c = 4 * 2 ** i
        shapes[f"net.{2 * n_layers}.weight"] = (2 * c, c, 4, 4)
        shapes[f"net.{2 * n_layers}.bias"] = (2 * c,)
        shapes[f"net.{2 * n_layers + 2}.weight"] = (1, 2 * c, 4, 4)
        shapes[f"net.{2 * n_layers + 2}.bias"] = (1,)
        got = {k: tuple(v.shape) for k, v in disc.state_dict().items()}
        assert got == shapes, f"PatchDiscriminator(n_layers={n_layers})'s parameters differ"
        sd = random_state(shapes, rng, device)
        disc.double()
        disc.to(device)
        disc.load_state_dict(sd)
        x = torch.as_tensor(rng.normal(size=(2, 1, size, size)), device=device)
        y = torch.as_tensor(rng.normal(size=(2, 2, size, size)), device=device)
        assert_close(disc(x, y), patch_oracle(sd, x, y, n_layers), **TOL,
                     name=f"PatchGAN logits (n_layers={n_layers})")


@part("pix2pix")
@points(2)
def test_receptive_field_formula(student):
    """receptive_field equals the support of an output pixel's input gradient (autograd, on a
    conv stack built here) for stride-1, stride-2, mixed and PatchGAN-like stacks, and raises
    ValueError when the lists differ in length."""
    stacks = [([3], [1]), ([3, 3, 3], [1, 1, 1]), ([4, 4, 4, 4], [2, 2, 1, 1]),
              ([3, 5, 2], [2, 3, 1]), ([7, 3, 3], [2, 1, 2]), ([4] * 5, [2, 2, 2, 1, 1])]
    for kernels, strides in stacks:
        want = measured_field(kernels, strides)[0]
        got = student.pix2pix.receptive_field(kernels, strides)
        assert got == want, f"receptive_field({kernels}, {strides}) is wrong (got {got})"
    with pytest.raises(StudentError, match="ValueError"):
        student.pix2pix.receptive_field([3, 3], [1])


@part("pix2pix")
@points(1)
def test_patch_receptive_field_measured(student, rng):
    """patch_receptive_field(n) is the support of an output pixel's input gradient of the
    student's own PatchDiscriminator(n_layers=n) (autograd, n = 1, 2, 3)."""
    autograd = student.lib("dnn.autograd")
    for n_layers in (1, 2, 3):
        disc = student.pix2pix.PatchDiscriminator(2, 2, n_layers)
        disc.double()
        size = 96
        x = torch.as_tensor(rng.uniform(0.5, 1.0, size=(1, 1, size, size)))
        y = torch.as_tensor(rng.uniform(0.5, 1.0, size=(1, 1, size, size)))
        out = disc(x, y)
        h, w = out.shape[-2:]
        upstream = torch.zeros_like(out)
        upstream[0, 0, h // 2, w // 2] = 1.0
        grads = autograd.gradients(disc, [x, y], upstream)
        measured = support_width(grads["input0"] + grads["input1"])
        got = student.pix2pix.patch_receptive_field(n_layers)
        assert measured[0] == measured[1] == got, \
            f"patch_receptive_field({n_layers}) differs from the measured field (got {got})"


@part("pix2pix")
@points(1)
def test_pix2pix_losses(student, rng, device):
    """discriminator_loss is 1/2 (-mean log s(r) - mean log(1 - s(f))) and generator_loss is
    -mean log s(f) + lambda mean |G(x) - y| on logit maps, finite at large logits."""
    real = rng.normal(size=(3, 1, 4, 4)) * 5
    fake = rng.normal(size=(3, 1, 4, 4)) * 5
    real[0, 0, 0, 0], fake[0, 0, 0, 0] = 80.0, -90.0
    r, f = torch.as_tensor(real, device=device), torch.as_tensor(fake, device=device)
    want_d = 0.5 * (np.logaddexp(0, -real).mean() + np.logaddexp(0, fake).mean())
    assert_close(student.pix2pix.discriminator_loss(r, f), want_d, rtol=1e-10,
                 name="discriminator loss")
    img, target = rng.normal(size=(3, 2, 6, 6)), rng.normal(size=(3, 2, 6, 6))
    args = (torch.as_tensor(img, device=device), torch.as_tensor(target, device=device))
    for lam in (100.0, 0.0, 2.5):
        want_g = np.logaddexp(0, -fake).mean() + lam * np.abs(img - target).mean()
        assert_close(student.pix2pix.generator_loss(f, *args, lam), want_g, rtol=1e-10,
                     name=f"generator loss (lambda = {lam})")
    assert_close(student.pix2pix.generator_loss(f, *args),
                 np.logaddexp(0, -fake).mean() + 100 * np.abs(img - target).mean(), rtol=1e-10,
                 name="generator loss with the default lambda")


@part("pix2pix")
@points(2)
def test_pix2pix_fills_outlines(student, device):
    """train_pix2pix (200 steps, seed 0) on 512 outline -> filled-shape pairs (16 x 16) fills
    held-out outlines: its mean L1 error is below 60% of the better of two baselines, the
    outline itself and the mean training image."""
    x, y = paired_outlines(512, seed=0)
    x_test, y_test = paired_outlines(256, seed=1)
    gen = student.pix2pix.train_pix2pix(x.to(device), y.to(device), steps=200, seed=0)
    out = gen(x_test.to(device)).detach().cpu()
    assert tuple(out.shape) == (256, 1, 16, 16), "the generator should keep the image shape"
    l1 = float((out - y_test).abs().mean())
    baseline = min(float((x_test - y_test).abs().mean()),
                   float((y.mean(0, keepdim=True) - y_test).abs().mean()))
    assert l1 < 0.6 * baseline, \
        f"held-out L1 {l1:.3f} is not below 60% of the best baseline ({baseline:.3f})"
