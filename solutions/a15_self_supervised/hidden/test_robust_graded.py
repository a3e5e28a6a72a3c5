"""Graded: Madry's PGD adversarial training built on the student's own attacks.py: the crafted
example (random start, eval mode, mode restored), the mixed clean/adversarial objective, one
training step replayed against a float64 oracle (eval-mode attack, train-mode update,
zero_grad, two repeated calls), the gradient-masking report, and adversarial training on
digits against standard training from the same weights (part "adversarial_training",
12 points). Oracles: torchattacks' PGD update rule written out (``oracle_pgd`` of the attacks
part), the random start's documented draw, ``torch.optim.SGD`` / ``torch.optim.Adam`` on a
judge-side copy of the weights."""

import pytest
import torch
import torch.nn.functional as F
from digit_tensors import digits
from test_attacks_graded import fixed, oracle_pgd
from torch import nn

from autograder.testing import StudentError, assert_close, part, points, watch_call


def bn_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 10))


def oracle_start(x, eps, seed):
    gen = torch.Generator().manual_seed(seed)
    d = (2 * torch.rand(x.shape, generator=gen, dtype=torch.float64) - 1) * eps
    return d.to(x.device, x.dtype)


def oracle_craft(ref, x, y, eps, alpha, steps, seed):
    ref.eval()
    return oracle_pgd(ref, x, y, eps, alpha, steps, "linf", oracle_start(x, eps, seed))


def oracle_mixed(ref, x, x_adv, y, lam):
    loss = x.new_zeros(())
    if lam < 1:
        loss = loss + (1 - lam) * F.cross_entropy(ref(x), y)
    if lam > 0:
        loss = loss + lam * F.cross_entropy(ref(x_adv), y)
    return loss


def bn_pair(student, device, n=96):
    """A batch-norm MLP with running statistics away from their defaults, in the judge (float64)
    and the same weights and buffers in the sandbox; ``n`` training digits."""
    (xt, yt), _ = digits(device)
    x, y = xt[:n].double(), yt[:n]
    ref = bn_model(0).double().to(device)
    with torch.no_grad():
        ref.train()
        ref(x[:48] * 0.7)
    ref.eval()
    model = student.robust.make_bn_classifier(32, 0)
    model.double()
    model.to(device)
    model.load_state_dict({k: v.clone() for k, v in ref.state_dict().items()})
    return ref, model, x, y


def assert_same_state(model, ref, what):
    got = model.state_dict()
    for k, v in ref.state_dict().items():
        assert_close(got[k].to(v.dtype), v.detach(), rtol=1e-9, atol=1e-10, name=f"{what}: {k}")


@part("adversarial_training")
@points(2)
def test_craft_adversarial(student, device):
    """craft_adversarial is PGD from random_start(x, eps, "linf", seed) with the model in eval
    mode (batch norm's running statistics, left unchanged), the model's mode restored (train
    stays train, eval stays eval), x unchanged, within eps of x and in [0, 1], a function of
    the seed."""
    ref, model, x, y = bn_pair(student, device)
    for mode, (eps, alpha, steps, seed) in ((True, (0.1, 0.03, 5, 3)), (False, (0.2, 0.05, 3, 4))):
        model.train(mode)
        call = watch_call(student.robust.craft_adversarial, model, x, y, eps, alpha, steps, seed)
        assert not call.changed, f"craft_adversarial modified {call.changed}"
        assert bool(model.training) == mode, "craft_adversarial did not restore the model's mode"
        want = oracle_craft(ref, x, y, eps, alpha, steps, seed)
        assert_close(call.result, want, rtol=0, atol=1e-9, name=f"adversarial batch (seed {seed})")
        assert_same_state(model, ref, "the attack changed the model")
        got = call.result
        assert (got - x).abs().max() <= eps + 1e-9 and got.min() >= 0 and got.max() <= 1, (
            "the adversarial batch left the eps-box or [0, 1]")
    other = student.robust.craft_adversarial(model, x, y, 0.2, 0.05, 3, 5)
    assert not torch.equal(other, got), "the random start ignores the seed"


@part("adversarial_training")
@points(2)
def test_mixed_adversarial_loss(student, rng, device):
    """mixed_adversarial_loss is (1 - lam) CE(clean) + lam CE(adversarial) for lam in
    {0, 0.3, 0.5, 1}, in the model's current mode (train mode: batch norm sees the clean batch
    first, then the adversarial one, and a term of weight 0 runs no forward pass); inputs
    unchanged; lam outside [0, 1] raises ValueError."""
    ref, model, x, y = bn_pair(student, device)
    x_adv = (x + torch.as_tensor(rng.uniform(-0.1, 0.1, x.shape), device=device)).clamp(0, 1)
    model.eval()
    for lam in (0.0, 0.3, 1.0):
        call = watch_call(student.robust.mixed_adversarial_loss, model, x, x_adv, y, lam)
        assert not call.changed, f"mixed_adversarial_loss modified {call.changed}"
        with torch.no_grad():
            want = oracle_mixed(ref, x, x_adv, y, lam)
        assert_close(torch.as_tensor(call.result, dtype=torch.float64), want.cpu(), rtol=1e-10,
                     atol=1e-12, name=f"eval-mode loss, lam={lam}")
    assert not model.training, "mixed_adversarial_loss switched the model to train mode"
    model.train()
    ref.train()
    for lam in (0.5, 1.0, 0.0):
        got = student.robust.mixed_adversarial_loss(model, x, x_adv, y, lam)
        with torch.no_grad():
            want = oracle_mixed(ref, x, x_adv, y, lam)
        assert_close(torch.as_tensor(got, dtype=torch.float64), want.cpu(), rtol=1e-10,
                     atol=1e-12, name=f"train-mode loss, lam={lam}")
        assert_same_state(model, ref, f"batch-norm statistics after lam={lam}")
    for bad in (-0.1, 1.5):
        with pytest.raises(StudentError, match="ValueError"):
            student.robust.mixed_adversarial_loss(model, x, x_adv, y, bad)


@part("adversarial_training")
@points(3)
def test_adversarial_training_step_replay(student, device):
    """adversarial_training_step replayed against an oracle from the same weights (float64):
    the attack crafted in eval mode, then model.train(), zero_grad, the mixed loss, backward and
    one SGD-with-momentum step; the returned loss, the parameters and batch-norm statistics
    after three repeated calls (lam = 1, 1, 0.5; the model given in eval mode first), the model
    left in train mode, x unchanged."""
    ref, model, x, y = bn_pair(student, device)
    opt = student.robust.make_sgd(model, 0.05, 0.9)
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.05, momentum=0.9)
    model.eval()
    for i, (lam, seed) in enumerate(((1.0, 0), (1.0, 1), (0.5, 2))):
        xb, yb = x[32 * i : 32 * i + 64], y[32 * i : 32 * i + 64]
        call = watch_call(student.robust.adversarial_training_step, model, opt, xb, yb,
                          0.1, 0.04, 4, lam, seed)
        assert not call.changed, f"adversarial_training_step modified {call.changed}"
        assert bool(model.training), "the model is not left in train mode"
        x_adv = oracle_craft(ref, xb, yb, 0.1, 0.04, 4, seed)
        ref.train()
        ref_opt.zero_grad()
        loss = oracle_mixed(ref, xb, x_adv, yb, lam)
        loss.backward()
        ref_opt.step()
        assert isinstance(call.result, float), "the step should return loss.item(), a float"
        assert abs(call.result - loss.item()) < 1e-9, f"wrong returned loss at step {i}"
        assert_same_state(model, ref, f"after step {i}")


@part("adversarial_training")
@points(2)
def test_attack_report(student, reference, device):
    """attack_report on the fixed digit classifier: clean accuracy, PGD with `steps` and with
    4 x `steps` steps (alpha = 2.5 eps / steps, no random start) and the transfer attack from a
    second model, all matching the oracle; no "transfer" key without a source."""
    ref, model, x, y = fixed(student, reference, device)
    src_ref = bn_model(1).double().to(device).eval()
    source = student.robust.make_bn_classifier(32, 1)
    source.double()
    source.to(device)
    source.load_state_dict(src_ref.state_dict())
    source.eval()

    def acc(a):
        return (ref(a).argmax(1) == y).double().mean().item()

    for eps, steps in ((0.05, 5), (0.1, 3)):
        got = student.robust.attack_report(model, x, y, eps, steps, source)
        want = {"clean": acc(x),
                "pgd": acc(oracle_pgd(ref, x, y, eps, 2.5 * eps / steps, steps, "linf")),
                "pgd_4x": acc(oracle_pgd(ref, x, y, eps, 2.5 * eps / (4 * steps), 4 * steps,
                                         "linf")),
                "transfer": acc(oracle_pgd(src_ref, x, y, eps, 2.5 * eps / steps, steps,
                                           "linf"))}
        assert isinstance(got, dict) and set(got) == set(want), "wrong keys"
        for k, v in want.items():
            assert abs(got[k] - v) < 1e-9, f"wrong {k!r} accuracy at eps={eps}"
    assert "transfer" not in student.robust.attack_report(model, x, y, 0.05, 5), (
        "a 'transfer' entry without a source model")


EPS, ALPHA, STEPS = 0.1, 0.04, 4


def judge_standard(x, y, device, epochs=20, seed=0):
    """Plain Adam training of the attacks part's 64-32-10 MLP from the same initial weights."""
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)).to(device)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen).to(device)
        for s in range(0, len(y), 128):
            idx = order[s : s + 128]
            opt.zero_grad()
            F.cross_entropy(m(x[idx]), y[idx]).backward()
            opt.step()
    return m.eval()


@part("adversarial_training")
@points(3)
def test_adversarial_training_buys_robustness(student, device):
    """train_adversarial on digits (eps = 0.1, 4 PGD steps, 20 epochs) against standard training
    from the same weights: PGD robust accuracy at eps = 0.1 rises by at least 0.15, clean
    accuracy drops by at most 0.08, and the robustness is not gradient masking (20-step PGD
    at most 0.03 above 5-step PGD, white-box 5-step PGD at most 0.03 above the transfer attack
    from the standard model)."""
    (xt, yt), (xs, ys) = digits(device)
    std = judge_standard(xt, yt, device)
    model = student.attacks.make_classifier(32, 0)
    model.to(device)
    student.robust.train_adversarial(model, xt, yt, EPS, ALPHA, STEPS, epochs=20, seed=0)
    adv = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)).to(device)
    adv.load_state_dict(model.state_dict())
    adv.eval()

    def acc(m, a):
        return (m(a).argmax(1) == ys).float().mean().item()

    def robust(m, steps, src=None):
        return acc(m, oracle_pgd(src or m, xs, ys, EPS, 2.5 * EPS / steps, steps, "linf"))

    clean_std, clean_adv = acc(std, xs), acc(adv, xs)
    rob_std, rob_adv = robust(std, 5), robust(adv, 5)
    assert rob_adv >= rob_std + 0.15, "adversarial training barely raised the robust accuracy"
    assert clean_adv >= clean_std - 0.08, "adversarial training cost too much clean accuracy"
    assert robust(adv, 20) <= rob_adv + 0.03, (
        "a stronger PGD does worse than a weaker one: gradient masking")
    assert rob_adv <= robust(adv, 5, std) + 0.03, (
        "a transfer attack beats the white-box attack: gradient masking")
