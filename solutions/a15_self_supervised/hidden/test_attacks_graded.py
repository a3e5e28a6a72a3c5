"""Graded: input gradients, FGSM, the L-inf and L2 projections, random starts, PGD in both norms
and the robust-accuracy curve on a fixed digit classifier (part "attacks", 27 points).

torchattacks 3.5.1 pins requests~=2.25.1, which conflicts with the course's Jupyter stack, so
the oracles are analytic (a linear softmax model's input gradient in closed form) and an
independent float64 transcription of torchattacks' FGSM / PGD / PGDL2 update rules below.
"""

import functools

import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points, watch_call


@functools.cache
def _fixed_state(ref_attacks):
    """A digit MLP trained once (float64, CPU) by the solution's given helpers, and the first
    120 test digits."""
    from dnn.data import load_digits

    d = load_digits(seed=0)
    x = torch.as_tensor(d["train"].x)
    y = torch.as_tensor(d["train"].y)
    model = ref_attacks.make_classifier(32, 0).double()
    ref_attacks.train_classifier(model, x, y, epochs=20, seed=0)
    return ({k: v.clone() for k, v in model.state_dict().items()},
            torch.as_tensor(d["test"].x[:120]), torch.as_tensor(d["test"].y[:120]))


def fixed(student, reference, device):
    """The same trained weights in the judge (ref) and in the sandbox (student)."""
    ref_attacks = reference.attacks
    state, x, y = _fixed_state(ref_attacks)
    ref = ref_attacks.make_classifier(32, 0).double().to(device)
    ref.load_state_dict(state)
    ref.eval()
    model = student.attacks.make_classifier(32, 0)
    model.double()
    model.to(device)
    model.load_state_dict(state)
    model.eval()
    return ref, model, x.to(device), y.to(device)


def grad_x(model, x, y):
    xr = x.clone().requires_grad_(True)
    F.cross_entropy(model(xr), y).backward()
    return xr.grad


def oracle_pgd(model, x, y, eps, alpha, steps, norm, delta0=None):
    """torchattacks.PGD / PGDL2's update rule, written out."""
    adv = x.clone() if delta0 is None else torch.clamp(x + delta0, 0, 1)
    for _ in range(steps):
        g = grad_x(model, adv, y)
        if norm == "linf":
            adv = adv + alpha * g.sign()
            delta = torch.clamp(adv - x, min=-eps, max=eps)
        else:
            gn = torch.norm(g.view(len(x), -1), p=2, dim=1) + 1e-10
            adv = adv + alpha * g / gn.view(-1, 1)
            delta = adv - x
            dn = torch.norm(delta.view(len(x), -1), p=2, dim=1)
            factor = torch.min(eps / dn, torch.ones_like(dn))
            delta = delta * factor.view(-1, 1)
        adv = torch.clamp(x + delta, 0, 1).detach()
    return adv


@part("attacks")
@points(3)
def test_input_gradient_closed_form(student, reference, device):
    """input_gradient of the fixed ReLU MLP equals the hand-derived back-propagation
    W1^T (relu'(h) * W2^T (softmax(z) - onehot(y))) / N, and the call leaves x and the
    parameters' .grad untouched."""
    ref, model, x, y = fixed(student, reference, device)
    call = watch_call(student.attacks.input_gradient, model, x, y)
    assert not call.changed, f"input_gradient modified {call.changed}"
    w1, b1, w2, b2 = (ref[0].weight, ref[0].bias, ref[2].weight, ref[2].bias)
    with torch.no_grad():
        h = x @ w1.T + b1
        p = torch.softmax(h.clamp_min(0) @ w2.T + b2, 1)
        want = (((p - F.one_hot(y, 10).double()) @ w2) * (h > 0)) @ w1 / len(y)
    assert_close(call.result, want, rtol=1e-8, atol=1e-12, name="input gradient")
    assert student.lib("dnn.modelinfo").grad_count(model) == 0, (
        "input_gradient left a .grad on the parameters")


@part("attacks")
@points(3)
def test_fgsm_matches_oracle(student, reference, device):
    """fgsm equals clip(x + eps * sign(grad)) on the fixed classifier for three eps, stays in
    [0, 1] and within eps of x, and lowers the accuracy."""
    ref, model, x, y = fixed(student, reference, device)
    g = grad_x(ref, x, y)
    for eps in (0.05, 0.1, 0.3):
        call = watch_call(student.attacks.fgsm, model, x, y, eps)
        assert not call.changed, f"fgsm modified {call.changed}"
        adv = call.result
        assert_close(adv, (x + eps * g.sign()).clamp(0, 1), rtol=0, atol=1e-12, name="fgsm")
        assert (adv - x).abs().max() <= eps + 1e-12, "perturbation larger than eps"
    clean = (ref(x).argmax(1) == y).double().mean()
    assert (ref(adv).argmax(1) == y).double().mean() < clean - 0.2, "FGSM barely hurt accuracy"


@part("attacks")
@points(4)
def test_projections(student, rng, device):
    """project_linf clips to [-eps, eps]; project_l2 rescales only the rows outside the ball
    (per sample, over all trailing dimensions) and leaves zero rows at zero."""
    delta = torch.as_tensor(rng.standard_normal((5, 2, 3)), device=device)
    delta[0] = 0
    delta[1] *= 0.01
    call = watch_call(student.attacks.project_linf, delta, 0.5)
    assert not call.changed, f"project_linf modified {call.changed}"
    assert_close(call.result, delta.clamp(-0.5, 0.5), rtol=0, atol=0, name="linf projection")
    call = watch_call(student.attacks.project_l2, delta, 0.5)
    assert not call.changed, f"project_l2 modified {call.changed}"
    got = call.result
    norms = delta.flatten(1).norm(dim=1)
    want = delta * torch.clamp(0.5 / norms.clamp_min(1e-300), max=1.0).view(-1, 1, 1)
    want[0] = 0
    assert torch.isfinite(got).all(), "the L2 projection of a zero row is not finite"
    assert_close(got, want, rtol=1e-10, atol=1e-12, name="L2 projection")


@part("attacks")
@points(3)
def test_random_start(student, device):
    """random_start: the same seed gives the same start, other seeds others; L-inf starts fill
    [-eps, eps] uniformly, L2 starts lie inside the ball with directions and radii as specified;
    an unknown norm raises ValueError."""
    x = torch.zeros(2000, 64, dtype=torch.float64, device=device)
    a = student.attacks.random_start(x, 0.3, "linf", 5)
    b = student.attacks.random_start(x, 0.3, "linf", 5)
    c = student.attacks.random_start(x, 0.3, "linf", 6)
    assert a.device == x.device and a.dtype == x.dtype and a.shape == x.shape, "wrong tensor"
    assert torch.equal(a, b) and not torch.equal(a, c), "the start is not a function of the seed"
    assert a.abs().max() <= 0.3 and a.abs().max() > 0.29, "L-inf start does not fill the box"
    assert abs(a.mean().item()) < 0.01 and abs(a.var().item() - 0.03) < 0.002, "not uniform"
    r = student.attacks.random_start(x, 3.0, "l2", 1).flatten(1).norm(dim=1)
    assert r.max() <= 3.0 + 1e-9, "L2 start outside the ball"
    assert abs(r.mean().item() - 1.5) < 0.075, "L2 radii are not eps * U[0, 1]"
    assert abs(r.var().item() - 0.75) < 0.1, "L2 radii are not eps * U[0, 1]"
    small = torch.zeros(1000, 2, dtype=torch.float64, device=device)
    d = student.attacks.random_start(small, 1.0, "l2", 2)
    ang = torch.atan2(d[:, 1], d[:, 0])
    assert (ang > 0).double().mean().sub(0.5).abs() < 0.06, "L2 directions are not uniform"
    with pytest.raises(StudentError, match="ValueError"):
        student.attacks.random_start(x, 0.3, "l1", 0)


@part("attacks")
@points(4)
def test_pgd_linf_matches_oracle(student, reference, rng, device):
    """pgd with norm="linf" follows torchattacks' PGD step for step (no start and a given random
    start), stays in the eps-box and in [0, 1], and beats FGSM at the same eps."""
    ref, model, x, y = fixed(student, reference, device)
    for eps, alpha, steps in ((0.1, 0.025, 7), (0.2, 0.05, 3)):
        call = watch_call(student.attacks.pgd, model, x, y, eps, alpha, steps, "linf")
        assert not call.changed, f"pgd modified {call.changed}"
        want = oracle_pgd(ref, x, y, eps, alpha, steps, "linf")
        assert_close(call.result, want, rtol=0, atol=1e-9, name=f"pgd eps={eps}")
    d0 = torch.as_tensor(rng.uniform(-0.1, 0.1, x.shape), device=device)
    got = student.attacks.pgd(model, x, y, 0.1, 0.02, 5, "linf", d0)
    want = oracle_pgd(ref, x, y, 0.1, 0.02, 5, "linf", d0)
    assert_close(got, want, rtol=0, atol=1e-9, name="pgd from a random start")
    assert (got - x).abs().max() <= 0.1 + 1e-9 and got.min() >= 0 and got.max() <= 1, (
        "PGD left the eps-box or [0, 1]")
    fg = (x + 0.1 * grad_x(ref, x, y).sign()).clamp(0, 1)
    pg = oracle_pgd(ref, x, y, 0.1, 0.025, 10, "linf")
    acc = [(ref(a).argmax(1) == y).double().mean().item() for a in (fg, pg)]
    adv = student.attacks.pgd(model, x, y, 0.1, 0.025, 10, "linf")
    mine = (ref(adv).argmax(1) == y).double().mean().item()
    assert mine <= acc[0] and abs(mine - acc[1]) < 1e-9, "PGD is not at least as strong as FGSM"


@part("attacks")
@points(4)
def test_pgd_l2_matches_oracle(student, reference, rng, device):
    """pgd with norm="l2" follows torchattacks' PGDL2 step for step (no start and a given
    random start) and stays in the L2 ball and [0, 1]."""
    ref, model, x, y = fixed(student, reference, device)
    for eps, alpha, steps in ((1.0, 0.25, 6), (0.5, 0.2, 3)):
        got = student.attacks.pgd(model, x, y, eps, alpha, steps, "l2")
        want = oracle_pgd(ref, x, y, eps, alpha, steps, "l2")
        assert_close(got, want, rtol=0, atol=1e-9, name=f"pgd-l2 eps={eps}")
        assert (got - x).flatten(1).norm(dim=1).max() <= eps + 1e-9, "outside the L2 ball"
    d0 = torch.as_tensor(rng.standard_normal(x.shape) * 0.05, device=device)
    got = student.attacks.pgd(model, x, y, 1.0, 0.3, 4, "l2", d0)
    want = oracle_pgd(ref, x, y, 1.0, 0.3, 4, "l2", d0)
    assert_close(got, want, rtol=0, atol=1e-9, name="pgd-l2 from a random start")
    assert got.min() >= 0 and got.max() <= 1, "outside [0, 1]"


@part("attacks")
@points(3)
def test_pgd_edge_cases(student, reference, device):
    """pgd with 0 steps returns x (or the clipped start); an unknown norm or negative steps
    raise ValueError."""
    ref, model, x, y = fixed(student, reference, device)
    got = student.attacks.pgd(model, x, y, 0.1, 0.01, 0, "linf")
    assert torch.equal(got, x), "0 steps did not return x"
    d0 = torch.full_like(x, 0.05)
    got = student.attacks.pgd(model, x, y, 0.1, 0.01, 0, "linf", d0)
    assert_close(got, (x + d0).clamp(0, 1), rtol=0, atol=1e-12, name="the clipped start")
    for bad in ({"norm": "l1", "steps": 3}, {"norm": "linf", "steps": -1}):
        with pytest.raises(StudentError, match="ValueError"):
            student.attacks.pgd(model, x, y, 0.1, 0.01, bad["steps"], bad["norm"])


@part("attacks")
@points(3)
def test_accuracy_and_robust_curve(student, reference, device):
    """accuracy counts argmax hits; robust_accuracy_curve gives the clean accuracy at eps = 0,
    PGD accuracies (alpha = 2.5 eps / steps) matching the oracle, non-increasing in eps, in
    both norms."""
    ref, model, x, y = fixed(student, reference, device)
    clean = (ref(x).argmax(1) == y).double().mean().item()
    assert abs(student.attacks.accuracy(model, x, y) - clean) < 1e-12, "wrong accuracy"
    for norm, eps_list in (("linf", [0.0, 0.05, 0.1, 0.2]), ("l2", [0.0, 0.5, 1.0])):
        got = student.attacks.robust_accuracy_curve(model, x, y, eps_list, 5, norm)
        assert len(got) == len(eps_list), "one accuracy per eps"
        want = [clean] + [
            (ref(oracle_pgd(ref, x, y, e, 2.5 * e / 5, 5, norm)).argmax(1) == y)
            .double().mean().item() for e in eps_list[1:]]
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) < 1e-9, f"wrong {norm} curve"
        pairs = zip(got[:-1], got[1:], strict=True)
        assert all(a >= b for a, b in pairs), "robust accuracy rose with eps"
