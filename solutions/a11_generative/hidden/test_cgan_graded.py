"""Graded: the one-hot conditioning of the generator against numpy, the conditional generator
and the projection discriminator against float64 formulas with copied weights (the projection
term on its own), the conditional non-saturating losses and their gradients against autograd
through a fixed critic (the D loss sends none to the fakes), and a conditional GAN trained on
the ring of eight Gaussians whose samples land on the mode their label names (part
"conditional_gan", 12 points)."""

import numpy as np
import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.gen_data import gaussian_mixture_2d, ring_centres
from dnn.label_critic import label_critic

TOL = {"rtol": 1e-10, "atol": 1e-12}


def relu(t: np.ndarray) -> np.ndarray:
    return np.maximum(t, 0.0)


def softplus(t: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, t)


def invalid_labels(device, n, k):
    """Label tensors that condition and the discriminator must refuse, for a batch of n."""
    return {"a label of -1": torch.tensor([0] * (n - 1) + [-1], device=device),
            "a label of K": torch.tensor([k] + [0] * (n - 1), device=device),
            "float labels": torch.zeros(n, device=device),
            "labels of the wrong length": torch.zeros(n + 1, dtype=torch.long, device=device)}


@part("conditional_gan")
@points(2)
def test_condition_concatenates_one_hot(student, rng, device):
    """condition(z, y, K) is cat[z, one_hot(y, K)]: z's columns first, then K one-hot columns, in
    z's dtype (float64 and float32), for int64 and int32 labels and a batch of one; it does not
    modify z or y and raises ValueError for labels outside {0, ..., K - 1}, float labels or a
    length other than z's."""
    z = rng.normal(size=(7, 3))
    y = rng.integers(0, 5, size=7)
    y[:2] = [0, 4]
    want = np.concatenate([z, np.eye(5)[y]], axis=1)
    zt, yt = torch.as_tensor(z, device=device), torch.as_tensor(y, device=device)
    call = watch_call(student.cgan.condition, zt, yt, 5)
    assert not call.changed, f"condition modified {call.changed}"
    got = call.result
    assert tuple(got.shape) == (7, 8), "condition should return (B, L + K)"
    assert got.dtype == torch.float64, "condition should return z's dtype (float64 here)"
    assert_close(got, want, rtol=0, atol=0, name="condition(z, y) (float64)")
    got32 = student.cgan.condition(zt.float(), yt.int(), 5)
    assert got32.dtype == torch.float32, "condition should return z's dtype (float32 here)"
    assert_close(got32, want, rtol=1e-6, atol=1e-7, name="condition (float32 z, int32 labels)")
    one = student.cgan.condition(zt[:1], yt[4:5], 9)
    assert_close(one, np.concatenate([z[:1], np.eye(9)[y[4:5]]], axis=1), rtol=0, atol=0,
                 name="condition of one example with K = 9")
    for what, bad in invalid_labels(device, 7, 5).items():
        with pytest.raises(StudentError, match="ValueError"):
            student.cgan.condition(zt, bad, 5)
            raise AssertionError(f"condition accepted {what}")


def generator_pair(student, device, latent, k, hidden):
    """The student's ConditionalGenerator (float64) and a torch MLP here with its weights."""
    gen = student.cgan.ConditionalGenerator(latent, k, hidden)
    shapes = {name: tuple(v.shape) for name, v in gen.state_dict().items()}
    assert shapes == {"net.0.weight": (hidden, latent + k), "net.0.bias": (hidden,),
                      "net.2.weight": (hidden, hidden), "net.2.bias": (hidden,),
                      "net.4.weight": (2, hidden), "net.4.bias": (2,)}, \
        "ConditionalGenerator's parameters differ from the handout's"
    nn = torch.nn
    ref = nn.Sequential(nn.Linear(latent + k, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                        nn.ReLU(), nn.Linear(hidden, 2)).double().to(device)
    gen.double()
    gen.to(device)
    gen.load_state_dict({f"net.{key}": v for key, v in ref.state_dict().items()})
    return gen, ref


@part("conditional_gan")
@points(2)
def test_conditional_generator(student, rng, device):
    """ConditionalGenerator(L, K, H) has net = mlp(L + K, H, 2) (by parameter shapes) and maps
    (z, y) to net(cat[z, one_hot(y)]) (float64, copied weights); the label changes the output."""
    gen, ref = generator_pair(student, device, 3, 4, 6)
    z = torch.as_tensor(rng.normal(size=(8, 3)), device=device)
    y = torch.as_tensor(np.arange(8) % 4, device=device)
    one_hot = torch.eye(4, dtype=torch.float64, device=device)[y]
    with torch.no_grad():
        want = ref(torch.cat([z, one_hot], dim=1))
        other = ref(torch.cat([z, one_hot.roll(1, dims=1)], dim=1))
    assert_close(gen(z, y), want, **TOL, name="G(z, y)")
    assert_close(gen(z, (y + 1) % 4), other, **TOL, name="G(z, y + 1)")


def projection_reference(sd, x, y):
    """psi(phi(x)) and <E[y], phi(x)> in float64 numpy from a state dict."""
    w = {k: v.detach().cpu().numpy() for k, v in sd.items()}
    h = relu(relu(x @ w["phi.0.weight"].T + w["phi.0.bias"]) @ w["phi.2.weight"].T
             + w["phi.2.bias"])
    return (h @ w["psi.weight"].T + w["psi.bias"])[:, 0], (w["embed.weight"][y] * h).sum(axis=1)


@part("conditional_gan")
@points(2)
def test_projection_discriminator(student, rng, device):
    """ProjectionDiscriminator(D, K, H) has phi = Linear(D, H) ReLU Linear(H, H) ReLU, psi =
    Linear(H, 1) and embed = Embedding(K, H) (by parameter shapes); its (B,) logits are
    psi(phi(x)) + <embed(y), phi(x)> (float64 formula, copied weights), the projection term
    alone when psi is zero; labels outside {0, ..., K - 1}, float labels or a wrong length raise
    ValueError."""
    disc = student.cgan.ProjectionDiscriminator(3, 5, 6)
    shapes = {name: tuple(v.shape) for name, v in disc.state_dict().items()}
    assert shapes == {"phi.0.weight": (6, 3), "phi.0.bias": (6,), "phi.2.weight": (6, 6),
                      "phi.2.bias": (6,), "psi.weight": (1, 6), "psi.bias": (1,),
                      "embed.weight": (5, 6)}, \
        "ProjectionDiscriminator's parameters differ from the handout's"
    sd = {k: torch.as_tensor(rng.normal(size=s) * 0.7, device=device) for k, s in shapes.items()}
    disc.double()
    disc.to(device)
    disc.load_state_dict(sd)
    x = rng.normal(size=(9, 3))
    y = np.array([0, 1, 2, 3, 4, 4, 2, 0, 1])
    xt, yt = torch.as_tensor(x, device=device), torch.as_tensor(y, device=device)
    head, projection = projection_reference(sd, x, y)
    got = disc(xt, yt)
    assert tuple(got.shape) == (9,), "the discriminator should return (B,) logits"
    assert_close(got, head + projection, **TOL, name="D(x, y)")
    disc.load_state_dict({**sd, "psi.weight": torch.zeros_like(sd["psi.weight"]),
                          "psi.bias": torch.zeros_like(sd["psi.bias"])})
    assert_close(disc(xt, yt), projection, **TOL, name="the projection term <E[y], phi(x)>")
    for what, bad in invalid_labels(device, 9, 5).items():
        with pytest.raises(StudentError, match="ValueError"):
            disc(xt, bad)
            raise AssertionError(f"the discriminator accepted {what}")


def critic_pair(student, rng, device, k):
    """A fixed conditional critic in the sandbox (float64) and its copy here."""
    seed = int(rng.integers(1000))
    critic = student.lib("dnn.label_critic").label_critic(2, k, seed=seed)
    critic.double()
    critic.to(device)
    ref = label_critic(2, k).double().to(device)
    ref.load_state_dict(critic.state_dict())
    return critic, ref


@part("conditional_gan")
@points(2)
def test_discriminator_loss_detaches_the_fakes(student, rng, device):
    """discriminator_loss is mean softplus(-D(x, y)) + mean softplus(D(x~, y~)) (fixed critic,
    float64, against autograd); its gradient with respect to the real points matches and none
    reaches the fakes (they are detached); the real and fake labels are used where they
    belong."""
    critic, ref = critic_pair(student, rng, device, 4)
    real = torch.as_tensor(rng.normal(size=(6, 2)) * 2, device=device)
    fake = torch.as_tensor(rng.normal(size=(5, 2)) * 2, device=device)
    y_real = torch.as_tensor(rng.integers(0, 4, size=6), device=device)
    y_fake = torch.as_tensor(rng.integers(0, 4, size=5), device=device)
    leaf = real.clone().requires_grad_(True)
    want = (torch.nn.functional.softplus(-ref(leaf, y_real)).mean()
            + torch.nn.functional.softplus(ref(fake, y_fake)).mean())
    (want_grad,) = torch.autograd.grad(want, leaf)
    got = student.lib("dnn.calls").gradients_of_call(
        student.cgan.discriminator_loss, {"real": real, "fake": fake}, torch.tensor(1.0),
        disc=critic, real_labels=y_real, fake_labels=y_fake)
    assert_close(got["output"], want.detach(), **TOL, name="D loss")
    assert_close(got["real"], want_grad, **TOL, name="D loss gradient w.r.t. the real points")
    assert float(got["fake"].abs().max()) == 0.0, \
        "the D loss sends gradients into the fakes: detach them"


@part("conditional_gan")
@points(1)
def test_generator_loss(student, rng, device):
    """generator_loss is mean softplus(-D(x~, y~)) (fixed critic, float64) with its gradient with
    respect to the fakes matching autograd; finite for confidently rejected fakes."""
    critic, ref = critic_pair(student, rng, device, 3)
    fake = torch.as_tensor(rng.normal(size=(7, 2)) * 2, device=device)
    y = torch.as_tensor(rng.integers(0, 3, size=7), device=device)
    leaf = fake.clone().requires_grad_(True)
    want = torch.nn.functional.softplus(-ref(leaf, y)).mean()
    (want_grad,) = torch.autograd.grad(want, leaf)
    got = student.lib("dnn.calls").gradients_of_call(
        student.cgan.generator_loss, {"fake": fake}, torch.tensor(1.0), disc=critic,
        fake_labels=y)
    assert_close(got["output"], want.detach(), **TOL, name="G loss")
    assert_close(got["fake"], want_grad, **TOL, name="G loss gradient w.r.t. the fakes")
    critic.load_state_dict({**ref.state_dict(), "bias.weight": torch.full(
        (3, 1), -200.0, dtype=torch.float64, device=device)})
    critic.float()
    far = student.cgan.generator_loss(critic, fake.float(), y)
    with torch.no_grad():
        ref.bias.weight.fill_(-200.0)
        far_want = softplus(-ref(fake, y).cpu().numpy()).mean()
    assert np.isfinite(float(far)), "the G loss is not finite at large negative logits"
    assert_close(far, far_want, rtol=1e-5, name="G loss at logits near -200 (float32)")


@part("conditional_gan")
@points(3)
def test_conditional_gan_hits_the_labelled_mode(student, device):
    """train_conditional_gan (300 steps, seed 0) on eight Gaussians (std 0.1) on a circle of
    radius 2, labelled by their mode: of 250 samples per label, at least 80% lie nearest the
    labelled mode and at least half within 3 std of it (chance, for a generator that ignores
    the label: 1/8); the same seed trains the same generator, another seed another."""
    data, labels = gaussian_mixture_2d(2000, std=0.1, seed=0)
    data, labels = data.to(device), labels.to(device)
    gen = student.cgan.train_conditional_gan(data, labels, 8, steps=300, seed=0)
    y = torch.arange(8, device=device).repeat_interleave(250)
    z = torch.randn(2000, 2, generator=torch.Generator().manual_seed(123)).to(device)
    samples = gen(z, y)
    assert tuple(samples.shape) == (2000, 2), "G should map (N, 2) noise and (N,) labels to (N, 2)"
    dist = torch.cdist(samples.detach().double().cpu(), ring_centres())
    y = y.cpu()
    nearest = float((dist.argmin(dim=1) == y).double().mean())
    close = float((dist[torch.arange(2000), y] <= 0.3).double().mean())
    assert nearest >= 0.8, f"only {nearest:.0%} of the samples lie nearest their label's mode"
    assert close >= 0.5, f"only {close:.0%} of the samples lie within 3 std of their label's mode"
    short = [student.cgan.train_conditional_gan(data, labels, 8, steps=3, seed=s).state_dict()
             for s in (5, 5, 6)]
    w = "net.4.weight"
    assert_close(short[1][w], short[0][w], rtol=0, atol=0, name="the same seed's weights")
    assert not torch.equal(short[2][w], short[0][w]), "another seed trained the same generator"
