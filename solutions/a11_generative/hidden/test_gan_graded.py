"""Graded: the minimax, non-saturating and hinge losses on fixed logits against float64
references, the WGAN-GP penalty against autograd, and a GAN trained on a ring of eight
Gaussians graded by modes covered and the share of high-quality samples (part "gan", 20
points)."""

import numpy as np
import torch

from autograder.testing import assert_close, part, points, watch_call
from dnn.gen_data import conv_critic, gaussian_mixture_2d, mode_quality, ring_centres

# fixed logits, from confident-fake to confident-real, with entries whose naive sigmoid
# underflows or rounds to 1 in float32
REAL = np.array([3.2, -0.7, 0.0, 12.0, -45.0, 88.0, 1e-3, -5.5])
FAKE = np.array([-2.1, 0.4, 0.0, -60.0, 30.0, 7.7, -1e-3, 2.5])


def softplus(t: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, t)


def logits(device, values, column=False):
    t = torch.as_tensor(values, device=device)
    return t[:, None] if column else t


@part("gan")
@points(2)
def test_discriminator_minimax_loss(student, device):
    """d_loss_minimax is -mean log s(r) - mean log(1 - s(f)), finite at large logits, for (B,) and
    (B, 1) logits in float64 and float32."""
    want = softplus(-REAL).mean() + softplus(FAKE).mean()
    for column in (False, True):
        got = student.gan.d_loss_minimax(logits(device, REAL, column), logits(device, FAKE, column))
        assert_close(got, want, rtol=1e-10, name=f"D loss (column={column})")
    got32 = student.gan.d_loss_minimax(logits(device, REAL).float(), logits(device, FAKE).float())
    assert np.isfinite(float(got32)), "the float32 loss is not finite at large logits"
    assert_close(got32, want, rtol=1e-5, name="D loss in float32")


@part("gan")
@points(2)
def test_generator_losses(student, device):
    """g_loss_minimax is mean log(1 - s(f)) and g_loss_nonsaturating is -mean log s(f), both
    finite in float32 at large logits."""
    f = logits(device, FAKE)
    assert_close(student.gan.g_loss_minimax(f), -softplus(FAKE).mean(), rtol=1e-10,
                 name="minimax G loss")
    assert_close(student.gan.g_loss_nonsaturating(f), softplus(-FAKE).mean(), rtol=1e-10,
                 name="non-saturating G loss")
    for fn, want in ((student.gan.g_loss_minimax, -softplus(FAKE).mean()),
                     (student.gan.g_loss_nonsaturating, softplus(-FAKE).mean())):
        got = fn(f.float()[:, None])
        assert np.isfinite(float(got)), "a float32 generator loss is not finite"
        assert_close(got, want, rtol=1e-5, name="G loss in float32, (B, 1) logits")


@part("gan")
@points(2)
def test_hinge_losses(student, device):
    """d_loss_hinge is mean relu(1 - r) + mean relu(1 + f) and g_loss_hinge is -mean f."""
    r, f = logits(device, REAL), logits(device, FAKE)
    want = np.maximum(0, 1 - REAL).mean() + np.maximum(0, 1 + FAKE).mean()
    assert_close(student.gan.d_loss_hinge(r, f), want, rtol=1e-12, name="hinge D loss")
    assert_close(student.gan.g_loss_hinge(f), -FAKE.mean(), rtol=1e-12, name="hinge G loss")
    small = np.array([0.3, -0.2, 0.9])
    got = student.gan.d_loss_hinge(logits(device, small), logits(device, -small))
    assert_close(got, 2 * np.maximum(0, 1 - small).mean(), rtol=1e-12,
                 name="hinge D loss inside the margin")


def penalty_by_autograd(critic, real, fake, alpha):
    shape = (-1,) + (1,) * (real.dim() - 1)
    mixed = (alpha.reshape(shape) * real + (1 - alpha.reshape(shape)) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean().detach()


@part("gan")
@points(3)
def test_gradient_penalty_on_vectors(student, rng, device):
    """gradient_penalty matches the penalty by autograd for a float64 MLP critic on (B, 2) points
    with per-example alpha, and does not modify real, fake or alpha."""
    critic = student.gan.mlp(2, 16, 1)
    ref = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16),
                              torch.nn.ReLU(), torch.nn.Linear(16, 1)).double().to(device)
    critic.double()
    critic.to(device)
    critic.load_state_dict(ref.state_dict())
    real = torch.as_tensor(rng.normal(size=(12, 2)), device=device)
    fake = torch.as_tensor(rng.normal(size=(12, 2)) * 3, device=device)
    alpha = torch.as_tensor(rng.uniform(size=12), device=device)
    call = watch_call(student.gan.gradient_penalty, critic, real, fake, alpha)
    assert not call.changed, f"gradient_penalty modified {call.changed}"
    assert_close(call.result, penalty_by_autograd(ref, real, fake, alpha), rtol=1e-9,
                 name="gradient penalty")
    ones = torch.ones(12, dtype=torch.float64, device=device)
    assert_close(student.gan.gradient_penalty(critic, real, fake, ones),
                 penalty_by_autograd(ref, real, fake, ones), rtol=1e-9,
                 name="gradient penalty at alpha = 1 (the real points)")
    # the penalty trains the critic: its gradient reaches the critic's parameters (double
    # backpropagation, create_graph=True), as autograd's
    got = student.lib("dnn.calls").parameter_gradients_of_call(student.gan.gradient_penalty,
                                                               critic, real, fake, alpha)
    shape = (-1, 1)
    mixed = (alpha.reshape(shape) * real + (1 - alpha.reshape(shape)) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(ref(mixed).sum(), mixed, create_graph=True)
    penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
    names = [name for name, _ in ref.named_parameters()]
    want = torch.autograd.grad(penalty, list(ref.parameters()), allow_unused=True)
    for name, w in zip(names, want, strict=True):
        w = torch.zeros_like(got[name]) if w is None else w
        assert_close(got[name], w, rtol=1e-8, atol=1e-12,
                     name=f"gradient of the penalty for the critic's {name}")


@part("gan")
@points(2)
def test_gradient_penalty_on_images(student, rng, device):
    """gradient_penalty broadcasts alpha over (B, C, H, W) images and takes the norm over every
    pixel of an example, against autograd with a conv critic."""
    critic = student.lib("dnn.gen_data").conv_critic(2, 6, seed=int(rng.integers(100)))
    critic.double()
    critic.to(device)
    ref = conv_critic(2, 6).double().to(device)
    ref.load_state_dict(critic.state_dict())
    real = torch.as_tensor(rng.normal(size=(5, 2, 6, 6)), device=device)
    fake = torch.as_tensor(rng.normal(size=(5, 2, 6, 6)), device=device)
    alpha = torch.as_tensor(rng.uniform(size=5), device=device)
    assert_close(student.gan.gradient_penalty(critic, real, fake, alpha),
                 penalty_by_autograd(ref, real, fake, alpha), rtol=1e-9,
                 name="gradient penalty on images")


@part("gan")
@points(1)
def test_mlp_architecture(student, rng, device):
    """mlp is Linear(in, H) ReLU Linear(H, H) ReLU Linear(H, out) (by parameter shapes and
    output)."""
    net = student.gan.mlp(3, 7, 2)
    shapes = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    assert shapes == {"0.weight": (7, 3), "0.bias": (7,), "2.weight": (7, 7), "2.bias": (7,),
                      "4.weight": (2, 7), "4.bias": (2,)}, \
        "mlp's parameters differ from the handout's"
    ref = torch.nn.Sequential(torch.nn.Linear(3, 7), torch.nn.ReLU(), torch.nn.Linear(7, 7),
                              torch.nn.ReLU(), torch.nn.Linear(7, 2)).double().to(device)
    net.double()
    net.to(device)
    net.load_state_dict(ref.state_dict())
    x = torch.as_tensor(rng.normal(size=(4, 3)), device=device)
    assert_close(net(x), ref(x).detach(), rtol=1e-10, atol=1e-12, name="mlp output")


@part("gan")
@points(6)
def test_gan_covers_the_ring(student, device):
    """train_gan (1000 steps, seed 0) on eight Gaussians (std 0.1) on a circle of radius 2 covers
    at least 7 modes (20 of 2000 samples within 3 std) and puts at least 30% of its samples
    within 3 std of a centre (a Gaussian blob over the ring scores about 5%)."""
    data, _ = gaussian_mixture_2d(2000, std=0.1, seed=0)
    gen = student.gan.train_gan(data.to(device), steps=1000, seed=0)
    z = torch.randn(2000, 2, generator=torch.Generator().manual_seed(123)).to(device)
    samples = gen(z)
    assert tuple(samples.shape) == (2000, 2), "the generator should map (N, 2) noise to (N, 2)"
    modes, quality = mode_quality(samples.detach(), ring_centres(), 0.1, min_count=20)
    assert modes >= 7, f"the generator covers only {modes} of 8 modes"
    assert quality >= 0.3, f"only {quality:.0%} of the samples are high quality"
