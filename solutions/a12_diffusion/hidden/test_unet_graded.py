"""Graded: the U-Net's sinusoidal step embedding against diffusers' get_timestep_embedding, its
residual block against diffusers' ResnetBlock2D with copied weights, the whole U-Net against
one assembled from diffusers' blocks (ResnetBlock2D, TimestepEmbedding, Upsample2D) with
copied weights, its contract, the pixel scaling, and samples of a U-Net trained
on scikit-learn's digits scored by a classifier trained here on real digits (confident share,
classes covered, Frechet distance of its hidden features) against independent per-pixel
Gaussians (part "unet", 13 points)."""

import numpy as np
import pytest
import torch
from diffusers.models.embeddings import TimestepEmbedding, get_timestep_embedding
from diffusers.models.resnet import ResnetBlock2D, Upsample2D
from torch import nn

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.data import load_digits

TOL = {"rtol": 1e-9, "atol": 1e-10}
RECIPE = {"steps": 200, "batch_size": 64, "lr": 5e-3}


def resnet(cin, cout, emb, groups):
    return ResnetBlock2D(in_channels=cin, out_channels=cout, temb_channels=emb, groups=groups,
                         eps=1e-5, dropout=0.0)


class RefUNet(nn.Module):
    """The handout's U-Net assembled from diffusers' blocks."""

    def __init__(self, cin, channels, groups):
        super().__init__()
        c0, c1 = channels
        emb = 4 * c0
        self.c0 = c0
        self.time_mlp = TimestepEmbedding(c0, emb)
        self.conv_in = nn.Conv2d(cin, c0, 3, padding=1)
        self.down1 = resnet(c0, c0, emb, groups)
        self.downsample = nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.down2 = resnet(c0, c1, emb, groups)
        self.mid = resnet(c1, c1, emb, groups)
        self.up2 = resnet(2 * c1, c1, emb, groups)
        self.upsample = Upsample2D(c1, use_conv=True)
        self.up1 = resnet(c1 + c0, c0, emb, groups)
        self.norm_out = nn.GroupNorm(groups, c0)
        self.conv_out = nn.Conv2d(c0, cin, 3, padding=1)

    def forward(self, x, t):
        emb = get_timestep_embedding(t, self.c0, flip_sin_to_cos=False, downscale_freq_shift=1)
        e = self.time_mlp(emb.to(x.dtype))
        s1 = self.down1(self.conv_in(x), e)
        s2 = self.down2(self.downsample(s1), e)
        h = self.mid(s2, e)
        h = self.up2(torch.cat([h, s2], 1), e)
        h = self.up1(torch.cat([self.upsample(h), s1], 1), e)
        return self.conv_out(nn.functional.silu(self.norm_out(h)))


RENAME = (("time_mlp.0.", "time_mlp.linear_1."), ("time_mlp.2.", "time_mlp.linear_2."),
          ("upsample.", "upsample.conv."))


def to_ref(key):
    for mine, ref in RENAME:
        if key.startswith(mine):
            return ref + key[len(mine):]
    return key


def to_student(key):
    for mine, ref in RENAME:
        if key.startswith(ref):
            return mine + key[len(ref):]
    return key


def shapes(state, rename=lambda k: k):
    return {rename(k): tuple(v.shape) for k, v in state.items()}


def seed_sandbox(student, seed):
    student.lib("dnn.autograd").torch.manual_seed(seed)


@part("unet")
@points(2)
def test_sinusoidal_embedding_matches_diffusers(student, rng, device):
    """sinusoidal_embedding(t, dim, max_period) equals diffusers' get_timestep_embedding with
    flip_sin_to_cos=False, downscale_freq_shift=1 (sin first, exponent over half - 1) for
    several dims and periods; odd dims and dims below 4 raise ValueError."""
    t = torch.as_tensor(rng.integers(0, 1000, 7), device=device)
    for dim, period in ((32, 10000.0), (6, 10000.0), (16, 50.0)):
        got = student.unet.sinusoidal_embedding(t, dim, period)
        want = get_timestep_embedding(t, dim, flip_sin_to_cos=False, downscale_freq_shift=1,
                                      max_period=period)
        assert got.device.type == device, "the embedding should be on t's device"
        assert_close(got, want, rtol=1e-4, atol=1e-4, name=f"the embedding, dim={dim}")
    for bad in (7, 2):
        with pytest.raises(StudentError) as raised:
            student.unet.sinusoidal_embedding(t, bad)
        assert raised.value.type_name == "ValueError", f"dim={bad} should raise ValueError"


@part("unet")
@points(2)
def test_resblock_matches_diffusers(student, rng, device):
    """ResBlock has the parameters of diffusers' ResnetBlock2D (conv_shortcut only when the
    channels change) and, with its weights, the same output in float64, depending on the
    time embedding."""
    for cin, cout, emb, groups in ((8, 8, 12, 4), (4, 12, 6, 2)):
        torch.manual_seed(int(rng.integers(1000)))
        ref = resnet(cin, cout, emb, groups).double().to(device)
        with torch.no_grad():  # non-trivial norms
            for name, p in ref.named_parameters():
                if "norm" in name:
                    p.add_(0.3 * torch.randn_like(p))
        block = student.unet.ResBlock(cin, cout, emb, groups)
        assert shapes(block.state_dict()) == shapes(ref.state_dict()), (
            f"ResBlock({cin}, {cout}) should have norm1, conv1, time_emb_proj, norm2, conv2 "
            "(and conv_shortcut when the channels change) of the handout's shapes")
        block.double()
        block.load_state_dict(ref.state_dict())
        block.to(device)
        x = torch.as_tensor(rng.standard_normal((3, cin, 6, 4)), device=device)
        e = torch.as_tensor(rng.standard_normal((3, emb)), device=device)
        with torch.no_grad():
            want = ref(x, e)
            other = ref(x, 2 * e + 1)
        assert_close(block(x, e), want, **TOL, name=f"ResBlock({cin}, {cout}) output")
        assert_close(block(x, 2 * e + 1), other, **TOL,
                     name=f"ResBlock({cin}, {cout}) output for another embedding")


@part("unet")
@points(3)
def test_unet_matches_diffusers_blocks(student, rng, device):
    """UNet has the handout's parameters and, with copied weights, the output of the same
    network assembled from diffusers' blocks (skips concatenated after the upsampled path),
    in float64 but for the float32 step embedding, for two sizes and channel counts."""
    for cin, channels, groups, size in ((1, (8, 16), 4, (8, 8)), (2, (4, 8), 2, (6, 10))):
        torch.manual_seed(int(rng.integers(1000)))
        ref = RefUNet(cin, channels, groups).double().to(device)
        net = student.unet.UNet(cin, channels, groups)
        assert shapes(net.state_dict(), to_ref) == shapes(ref.state_dict()), (
            f"UNet({cin}, {channels}) should have the handout's submodules and shapes")
        net.double()
        net.load_state_dict({to_student(k): v for k, v in ref.state_dict().items()})
        net.to(device)
        x = torch.as_tensor(rng.standard_normal((4, cin, *size)), device=device)
        t = torch.as_tensor(rng.integers(0, 100, 4), device=device)
        with torch.no_grad():
            want = ref(x, t)
        # the float32 step embedding may differ in its last bits from diffusers'
        assert_close(net(x, t), want, rtol=1e-5, atol=1e-6, name=f"UNet({cin}, {channels}) output")


@part("unet")
@points(2)
def test_unet_contract(student, rng, device):
    """UNet(x, t) keeps x's shape and dtype for several sizes, depends on t and does not modify
    x."""
    seed_sandbox(student, 0)
    net = student.unet.UNet(1, (8, 16), 4)
    net.to(device)
    for size in ((8, 8), (4, 12)):
        x = torch.as_tensor(rng.standard_normal((3, 1, *size)), dtype=torch.float32,
                            device=device)
        t = torch.as_tensor(rng.integers(0, 100, 3), device=device)
        call = watch_call(net, x, t)
        assert not call.changed, "UNet modified its input in place"
        out = call.result
        assert tuple(out.shape) == (3, 1, *size), f"the output for {size} should keep x's shape"
        assert out.dtype == torch.float32, "the output should keep x's dtype"
        assert float((net(x, t + 7) - out).abs().max()) > 1e-6, "the output should depend on t"


@part("unet")
@points(1)
def test_digit_scaling(student, rng, device):
    """digits_to_model maps [0, 1] pixels (N, 64) to 2 x - 1 of shape (N, 1, 8, 8), float32;
    model_to_digits maps back to (N, 64), clamped to [0, 1]."""
    x = torch.as_tensor(rng.random((5, 64)), device=device)
    got = student.unet.digits_to_model(x)
    assert tuple(got.shape) == (5, 1, 8, 8), "digits_to_model should give (N, 1, 8, 8)"
    assert got.dtype == torch.float32, "digits_to_model should give float32"
    assert_close(got, (2 * x - 1).float().reshape(5, 1, 8, 8), rtol=1e-6, atol=1e-6,
                 name="digits_to_model")
    back = student.unet.model_to_digits(got)
    assert tuple(back.shape) == (5, 64), "model_to_digits should give (N, 64)"
    assert_close(back, x.float(), rtol=1e-5, atol=1e-6, name="the round trip")
    wild = torch.as_tensor(3 * rng.standard_normal((4, 1, 8, 8)), device=device)
    out = student.unet.model_to_digits(wild)
    assert_close(out, ((wild + 1) / 2).clamp(0, 1).reshape(4, 64), rtol=1e-6, atol=1e-6,
                 name="model_to_digits of values outside [-1, 1]")


def judge_classifier(train):
    """A small MLP (64 -> 64 ReLU -> 10) trained here on real training digits (full-batch Adam,
    seeded): the judge's, never the student's."""
    x = torch.as_tensor(train.x, dtype=torch.float32)
    y = torch.as_tensor(train.y)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        clf = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(clf.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(300):
        loss = nn.functional.cross_entropy(clf(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return clf.eval()


def psd_sqrt(c):
    w, v = np.linalg.eigh(c)
    return (v * np.sqrt(w.clip(min=0))) @ v.T


def frechet(a, b):
    """Frechet distance of Gaussians fitted to the rows of a and b (float64):
    |mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2)."""
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = psd_sqrt(ca)
    cross = np.sqrt(np.linalg.eigvalsh(root @ cb @ root).clip(min=0)).sum()
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * cross)


def scores(clf, x, held):
    """(share of samples with max p > 0.9, classes among those, feature Frechet distance)."""
    with torch.no_grad():
        xs, hs = torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(held, dtype=torch.float32)
        proba = clf(xs).softmax(1).numpy()
        fa, fb = clf[1](clf[0](xs)).double().numpy(), clf[1](clf[0](hs)).double().numpy()
    sure = proba.max(1) > 0.9
    return float(sure.mean()), len(np.unique(proba.argmax(1)[sure])), frechet(fa, fb)


def independent_pixels(x, n, seed):
    """n draws of independent per-pixel Gaussians with x's means and stds, clamped to [0, 1]:
    the baseline, which knows every pixel's distribution but none of their correlations."""
    x = torch.as_tensor(x, dtype=torch.float64)
    gen = torch.Generator().manual_seed(seed)
    noise = torch.randn(n, x.shape[1], generator=gen, dtype=torch.float64)
    return (x.mean(0) + x.std(0) * noise).clamp(0, 1).numpy()


@part("unet")
@points(3)
def test_digit_samples_beat_independent_pixels(student, device):
    """A UNet(1, (16, 32), 8) trained with train_denoiser (200 steps, batch 64, lr 5e-3) on
    the digits' training split in [-1, 1], sampled with ddim_sample (20 steps) and mapped back
    with model_to_digits: a classifier trained on real digits is confident (p > 0.9) on at
    least 30% of 400 samples, they cover at least 8 classes, and the Frechet distance of its
    hidden features to the held-out digits is below 0.6 of that of independent per-pixel
    Gaussians fitted to the training digits."""
    splits = load_digits(seed=0)
    train, held = splits["train"], splits["test"]
    clf = judge_classifier(train)
    data = student.unet.digits_to_model(torch.as_tensor(train.x).to(device))
    abar = torch.cumprod(1 - torch.linspace(1e-3, 0.2, 100, dtype=torch.float64), 0).float()
    seed_sandbox(student, 0)
    net = student.unet.UNet(1, (16, 32), 8)
    net.to(device)
    student.denoiser.train_denoiser(net, data, abar.to(device), seed=0, **RECIPE)
    x_T = torch.randn(400, 1, 8, 8, generator=torch.Generator().manual_seed(5)).to(device)
    out = student.samplers.ddim_sample(net, x_T, abar.to(device), 20, seed=1)
    samples = student.unet.model_to_digits(out).cpu().double().numpy()
    assert samples.shape == (400, 64), "the samples should map to (400, 64) pixels"
    conf, classes, fid = scores(clf, samples, held.x)
    _, _, fid_base = scores(clf, independent_pixels(train.x, 400, seed=3), held.x)
    assert conf >= 0.3, f"the classifier is confident on {conf:.2f} of the samples"
    assert classes >= 8, f"the confident samples cover {classes} classes"
    assert fid < 0.6 * fid_base, (
        f"feature Frechet distance {fid:.2f} against independent pixels' {fid_base:.2f}")
