"""Graded: the digits autoencoder against torch modules with copied weights, its training loop's
contract and reconstructions, the latent scaling against its formula (Stable Diffusion's scaling
factor with SD3's shift), encoding and decoding in eval mode without side effects, the latent
denoiser's training replayed with the student's own train_denoiser, the sampler's recipe, and
decoded samples of latent diffusion scored by the judge's digit classifier (confident share,
classes covered, feature Frechet distance) against the same decoder applied to Gaussian latents
(part "latent", 13 points)."""

import functools

import torch
from test_unet_graded import judge_classifier, scores
from torch import nn

from autograder.testing import assert_close, part, points, watch_call
from dnn.data import load_digits

TOL = {"rtol": 1e-9, "atol": 1e-10}


def seed_sandbox(student, seed):
    student.lib("dnn.autograd").torch.manual_seed(seed)


def abar(device):
    """The linear schedule of 100 steps (beta 1e-3 .. 0.2) as float32 alpha_bar."""
    steps = torch.cumprod(1 - torch.linspace(1e-3, 0.2, 100, dtype=torch.float64), 0)
    return steps.float().to(device)


class RefAutoencoder(nn.Module):
    """The handout's autoencoder written here: the judge's, never the student's."""

    def __init__(self, d, h):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, h), nn.BatchNorm1d(h), nn.SiLU(),
                                     nn.Linear(h, d))
        self.decoder = nn.Sequential(nn.Linear(d, h), nn.BatchNorm1d(h), nn.SiLU(),
                                     nn.Linear(h, 64), nn.Sigmoid())


def ref_autoencoder(d, h, seed, device, dtype=torch.float64):
    """A seeded RefAutoencoder with non-trivial BatchNorm statistics (eval differs from train)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        ref = RefAutoencoder(d, h)
        with torch.no_grad():
            for bn in (ref.encoder[1], ref.decoder[1]):
                bn.running_mean.normal_(0, 0.5)
                bn.running_var.uniform_(0.5, 2.0)
                bn.weight.add_(0.3 * torch.randn_like(bn.weight))
    return ref.to(device, dtype)


def student_copy(student, ref, d, h, device, dtype="double"):
    ae = student.latent_diffusion.DigitAutoencoder(d, h)
    getattr(ae, dtype)()
    ae.load_state_dict(ref.state_dict())
    ae.to(device)
    return ae


def shapes(state):
    return {k: tuple(v.shape) for k, v in state.items()}


def max_change(before, after):
    return max(float((before[k].double().cpu() - after[k].double().cpu()).abs().max())
               for k in before)


@part("latent")
@points(2)
def test_autoencoder_matches_torch(student, rng, device):
    """DigitAutoencoder(d, h) has the handout's encoder and decoder (parameters and BatchNorm
    buffers of their shapes) and, with copied weights in float64, the encode, decode and forward
    of the same torch modules, in eval mode (running statistics) and in train mode (batch
    statistics), for two sizes; latent_dim is d."""
    for d, h in ((8, 16), (3, 10)):
        ref = ref_autoencoder(d, h, int(rng.integers(1000)), device)
        ae = student.latent_diffusion.DigitAutoencoder(d, h)
        assert shapes(ae.state_dict()) == shapes(ref.state_dict()), (
            f"DigitAutoencoder({d}, {h}) should have the handout's encoder and decoder")
        assert ae.latent_dim == d, "latent_dim should be the latent dimension"
        ae = student_copy(student, ref, d, h, device)
        x = torch.as_tensor(rng.random((6, 64)), device=device)
        z = torch.as_tensor(rng.standard_normal((6, d)), device=device)
        ae.eval()
        ref.eval()
        with torch.no_grad():
            assert_close(ae.encode(x), ref.encoder(x), **TOL, name="encode in eval mode")
            assert_close(ae.decode(z), ref.decoder(z), **TOL, name="decode in eval mode")
            assert_close(ae(x), ref.decoder(ref.encoder(x)), **TOL, name="forward in eval mode")
            ae.train()
            ref.train()
            assert_close(ae(x), ref.decoder(ref.encoder(x)), **TOL, name="forward in train mode")


@part("latent")
@points(2)
def test_latent_scaling_formula(student, rng, device):
    """latent_scaling(z) = (mean, 1 / unbiased std) over all entries, as floats, for several
    shapes and dtypes; scale_latents is (z - shift) scale with mean 0 and std 1 on z's own
    (shift, scale); unscale_latents inverts it; neither modifies z."""
    mod = student.latent_diffusion
    for n, d, dtype in ((50, 4, torch.float64), (7, 3, torch.float32), (2, 1, torch.float64)):
        z = torch.as_tensor(1.7 + 2.5 * rng.standard_normal((n, d)), dtype=dtype, device=device)
        shift, scale = mod.latent_scaling(z)
        assert isinstance(shift, float) and isinstance(scale, float), (
            "latent_scaling should return two floats")
        flat = z.double().cpu().numpy().ravel()
        rtol = 1e-9 if dtype == torch.float64 else 1e-5
        assert abs(shift - flat.mean()) <= rtol * (1 + abs(flat.mean())), (
            f"the shift of ({n}, {d}) latents should be their mean over all entries")
        want = 1 / flat.std(ddof=1)
        assert abs(scale - want) <= rtol * want, (
            f"the scale of ({n}, {d}) latents should be 1 / their unbiased std over all entries")
        call = watch_call(mod.scale_latents, z, shift, scale)
        assert not call.changed, "scale_latents modified z in place"
        assert_close(call.result, (z - shift) * scale, rtol=rtol, atol=rtol, name="scale_latents")
        out = call.result.double()
        assert abs(float(out.mean())) < 1e-5 and abs(float(out.std()) - 1) < 1e-5, (
            "latents scaled with their own (shift, scale) should have mean 0 and std 1")
        call = watch_call(mod.unscale_latents, call.result, shift, scale)
        assert not call.changed, "unscale_latents modified z in place"
        assert_close(call.result, z, rtol=rtol, atol=10 * rtol, name="the round trip")
    w = torch.as_tensor(rng.standard_normal((5, 2)), device=device)
    assert_close(mod.unscale_latents(w, -0.5, 4.0), w / 4.0 - 0.5, rtol=1e-12, atol=1e-12,
                 name="unscale_latents(z, -0.5, 4)")


@part("latent")
@points(2)
def test_encode_decode_latents(student, rng, device):
    """encode_latents and decode_latents on an autoencoder left in train mode: the eval-mode
    (running statistics) encoder and decoder of torch modules with copied weights, scaled and
    unscaled with the given (shift, scale); the running statistics and the inputs are not
    changed, the autoencoder is in eval mode afterwards, repeated calls agree, and decoding the
    encoding gives the eval-mode reconstruction."""
    d, h = 5, 12
    ref = ref_autoencoder(d, h, int(rng.integers(1000)), device).eval()
    ae = student_copy(student, ref, d, h, device)
    start = ae.state_dict()
    mod = student.latent_diffusion
    x = torch.as_tensor(rng.random((9, 64)), device=device)
    shift, scale = 0.3, 1.6
    for _ in range(2):
        ae.train()
        call = watch_call(mod.encode_latents, ae, x, shift, scale)
        assert not call.changed, "encode_latents modified x in place"
        with torch.no_grad():
            want = (ref.encoder(x) - shift) * scale
        assert_close(call.result, want, **TOL, name="encode_latents")
        assert not ae.training, "encode_latents should leave the autoencoder in eval mode"
    assert_close(mod.encode_latents(ae, x), ref.encoder(x).detach(), **TOL,
                 name="encode_latents with the default shift 0 and scale 1")
    z = torch.as_tensor(rng.standard_normal((9, d)), device=device)
    for _ in range(2):
        ae.train()
        call = watch_call(mod.decode_latents, ae, z, shift, scale)
        assert not call.changed, "decode_latents modified z in place"
        with torch.no_grad():
            want = ref.decoder(z / scale + shift)
        assert_close(call.result, want, **TOL, name="decode_latents")
        assert not ae.training, "decode_latents should leave the autoencoder in eval mode"
    assert max_change(start, ae.state_dict()) == 0, (
        "encoding and decoding should not change the weights or the running statistics")
    back = mod.decode_latents(ae, mod.encode_latents(ae, x, shift, scale), shift, scale)
    with torch.no_grad():
        want = ref.decoder(ref.encoder(x))
    assert_close(back, want, rtol=1e-8, atol=1e-9, name="decode_latents(encode_latents(x))")


def tiny_denoiser(student, d, device, seed):
    seed_sandbox(student, seed)
    net = student.denoiser.Denoiser(dim=d, hidden=16, emb_dim=8)
    net.to(device)
    return net


@part("latent")
@points(2)
def test_train_latent_denoiser(student, rng, device):
    """train_latent_denoiser returns latent_scaling of the eval-mode latents of x, trains the
    denoiser exactly as the student's train_denoiser does on those scaled latents (same start,
    same arguments), and leaves the autoencoder's weights, running statistics and gradients
    untouched."""
    d, h = 4, 12
    ref = ref_autoencoder(d, h, int(rng.integers(1000)), device, torch.float32).eval()
    ae = student_copy(student, ref, d, h, device, "float")
    ae.train()
    start = ae.state_dict()
    x = torch.as_tensor(rng.random((200, 64)), dtype=torch.float32, device=device)
    net = tiny_denoiser(student, d, device, 0)
    twin = tiny_denoiser(student, d, device, 1)
    twin.load_state_dict(net.state_dict())
    args = {"steps": 6, "batch_size": 16, "lr": 1e-2, "seed": int(rng.integers(100))}
    got = student.latent_diffusion.train_latent_denoiser(ae, net, x, abar(device), **args)
    assert isinstance(got, tuple | list) and len(got) == 2, "should return (shift, scale)"
    shift, scale = got
    with torch.no_grad():
        raw = ref.encoder(x).double().cpu().numpy().ravel()
    assert abs(shift - raw.mean()) <= 1e-5 * (1 + abs(raw.mean())), (
        "shift should be the mean of the eval-mode latents of x")
    assert abs(scale * raw.std(ddof=1) - 1) <= 1e-5, (
        "scale should be 1 / the std of the eval-mode latents of x")
    assert max_change(start, ae.state_dict()) == 0, (
        "training the denoiser should not change the autoencoder or its running statistics")
    assert ae.encoder[0].weight.grad is None and ae.decoder[3].weight.grad is None, (
        "no gradient should reach the autoencoder")
    with torch.no_grad():
        scaled = ((ref.encoder(x) - shift) * scale).detach()
    student.denoiser.train_denoiser(twin, scaled, abar(device), **args)
    for key, value in twin.state_dict().items():
        assert_close(net.state_dict()[key], value, rtol=1e-4, atol=1e-6,
                     name=f"the denoiser's {key} against train_denoiser on the scaled latents")


@part("latent")
@points(1)
def test_sample_latent_diffusion_recipe(student, rng, device):
    """sample_latent_diffusion gives (n, 64) pixels in [0, 1]: decode_latents of ddim_sample
    from z_T drawn by torch.Generator(device).manual_seed(seed); the same seed repeats, another
    differs, and the autoencoder's running statistics are not changed."""
    d, h = 3, 10
    ref = ref_autoencoder(d, h, int(rng.integers(1000)), device, torch.float32).eval()
    ae = student_copy(student, ref, d, h, device, "float")
    ae.train()
    net = tiny_denoiser(student, d, device, 2)
    alphas_bar, (shift, scale) = abar(device), (0.2, 1.5)
    mod = student.latent_diffusion
    out = mod.sample_latent_diffusion(ae, net, 11, alphas_bar, shift, scale, num_steps=5, seed=3)
    assert tuple(out.shape) == (11, 64), "the samples should be (n, 64)"
    assert float(out.min()) >= 0 and float(out.max()) <= 1, "the samples should be in [0, 1]"
    gen = torch.Generator(device=device).manual_seed(3)
    z_T = torch.randn((11, d), generator=gen, device=device)
    z0 = student.samplers.ddim_sample(net, z_T, alphas_bar, 5, seed=3)
    with torch.no_grad():
        want = ref.decoder(z0 / scale + shift)
    assert_close(out, want, rtol=1e-5, atol=1e-6,
                 name="the samples against the decoded ddim_sample of the specified z_T")
    again = mod.sample_latent_diffusion(ae, net, 11, alphas_bar, shift, scale, num_steps=5, seed=3)
    assert_close(again, out, rtol=1e-6, atol=1e-7, name="a repeated call with the same seed")
    other = mod.sample_latent_diffusion(ae, net, 11, alphas_bar, shift, scale, num_steps=5, seed=4)
    assert float((other - out).abs().max()) > 1e-4, "another seed should give other samples"
    assert max_change(ref.state_dict(), ae.state_dict()) == 0, (
        "sampling should not change the autoencoder's running statistics")


def ref_first_loss(ref, x, batch_size, seed):
    """The first step's loss of the handout's recipe, from the same start (train mode)."""
    gen = torch.Generator(device=x.device).manual_seed(seed)
    idx = torch.randint(0, len(x), (batch_size,), generator=gen, device=x.device)
    ref.train()
    with torch.no_grad():
        return float(nn.functional.mse_loss(ref.decoder(ref.encoder(x[idx])), x[idx]))


@part("latent")
@points(2)
def test_train_autoencoder(student, device):
    """train_autoencoder returns one float loss per step, the first the reconstruction error of
    the batch its seeded generator draws first; it repeats itself for the same seed from the same
    weights and differs for another; 150 steps (batch 256, lr 1e-2) of a DigitAutoencoder(8, 64)
    lower the loss and reconstruct the held-out digits (eval mode) with a squared error below 0.35
    of predicting the mean training digit."""
    splits = load_digits(seed=0)
    x = torch.as_tensor(splits["train"].x, dtype=torch.float32, device=device)
    held = torch.as_tensor(splits["test"].x, dtype=torch.float32, device=device)
    ref = ref_autoencoder(8, 64, 3, device, torch.float32)
    start = ref.state_dict()
    nets = [student_copy(student, ref, 8, 64, device, "float") for _ in range(3)]
    runs = [student.latent_diffusion.train_autoencoder(net, x, steps=s, batch_size=32, lr=1e-3,
                                                       seed=seed)
            for net, s, seed in zip(nets, (5, 5, 5), (4, 4, 9), strict=True)]
    assert len(runs[0]) == 5 and all(isinstance(v, float) for v in runs[0]), (
        "train_autoencoder should return one float loss per step")
    want = ref_first_loss(ref, x, 32, 4)
    assert abs(runs[0][0] - want) <= 1e-5 * want, (
        "the first loss should be the reconstruction error of the first batch drawn from "
        "torch.Generator(device=x.device).manual_seed(seed), in train mode")
    assert_close(torch.tensor(runs[1]), torch.tensor(runs[0]), rtol=1e-5, atol=1e-7,
                 name="the losses of a repeated run")
    assert abs(runs[2][0] - runs[0][0]) > 1e-7, "another seed should draw other batches"
    assert max_change(start, nets[0].state_dict()) > 0, "training should change the weights"
    ae = student_copy(student, ref, 8, 64, device, "float")
    losses = student.latent_diffusion.train_autoencoder(ae, x, steps=150, batch_size=256,
                                                        lr=1e-2, seed=0)
    assert sum(losses[-20:]) < 0.5 * sum(losses[:20]), "the loss should go down"
    ae.eval()
    with torch.no_grad():
        err = float(((ae(held) - held) ** 2).mean())
    base = float(((held - x.mean(0)) ** 2).mean())
    assert err < 0.35 * base, (
        f"held-out reconstruction error {err:.4f} against the mean's {base:.4f}")


@functools.cache
def judge_autoencoder(d, h):
    """The judge's RefAutoencoder, trained here on the training digits (Adam, seeded) and
    cached: its state dict."""
    x = torch.as_tensor(load_digits(seed=0)["train"].x, dtype=torch.float32)
    ref = ref_autoencoder(d, h, 0, "cpu", torch.float32)
    opt = torch.optim.Adam(ref.parameters(), lr=3e-3)
    gen = torch.Generator().manual_seed(0)
    for _ in range(300):
        batch = x[torch.randint(0, len(x), (128,), generator=gen)]
        loss = nn.functional.mse_loss(ref.decoder(ref.encoder(batch)), batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {k: v.detach().clone() for k, v in ref.state_dict().items()}


@part("latent")
@points(2)
def test_latent_samples_beat_decoded_noise(student, device):
    """With the judge's trained DigitAutoencoder(8, 64) loaded, a Denoiser(dim=8, hidden=64)
    trained with train_latent_denoiser (400 steps, batch 128, lr 1e-2) and 400 samples of
    sample_latent_diffusion (20 DDIM steps): the judge's classifier is confident (p > 0.9) on at
    least 45% of them, they cover at least 8 classes, and the Frechet distance of its hidden
    features to the held-out digits is below 0.75 of that of the same decoder applied to
    N(0, I) scaled latents (no diffusion)."""
    splits = load_digits(seed=0)
    train, held = splits["train"], splits["test"]
    clf = judge_classifier(train)
    ae = student.latent_diffusion.DigitAutoencoder(8, 64)
    ae.load_state_dict(judge_autoencoder(8, 64))
    ae.to(device)
    seed_sandbox(student, 0)
    net = student.denoiser.Denoiser(dim=8, hidden=64)
    net.to(device)
    x = torch.as_tensor(train.x, dtype=torch.float32, device=device)
    mod = student.latent_diffusion
    shift, scale = mod.train_latent_denoiser(ae, net, x, abar(device), steps=400, batch_size=128,
                                             lr=1e-2, seed=0)
    out = mod.sample_latent_diffusion(ae, net, 400, abar(device), shift, scale, num_steps=20,
                                      seed=1)
    samples = out.cpu().double().numpy()
    assert samples.shape == (400, 64), "the samples should be (400, 64) pixels"
    ref = ref_autoencoder(8, 64, 0, "cpu", torch.float32)
    ref.load_state_dict(judge_autoencoder(8, 64))
    noise = torch.randn(400, 8, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        raw = ref.eval().encoder(x.cpu())
        base = ref.decoder(noise * raw.std() + raw.mean()).double().numpy()
    conf, classes, fid = scores(clf, samples, held.x)
    _, _, fid_base = scores(clf, base, held.x)
    assert conf >= 0.45, f"the classifier is confident on {conf:.2f} of the samples"
    assert classes >= 8, f"the confident samples cover {classes} classes"
    assert fid < 0.75 * fid_base, (
        f"feature Frechet distance {fid:.2f} against decoded Gaussian latents' {fid_base:.2f}")
