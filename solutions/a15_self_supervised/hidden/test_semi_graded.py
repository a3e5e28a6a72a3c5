"""Graded: confidence-thresholded pseudo-labels, the masked cross-entropy (FixMatch's division by
the batch size), FixMatch's loss and its detached weak branch, the strong view, the mean
teacher's EMA update over repeated calls, and FixMatch training on digits with 10 labels per
class against supervised-only training from the same weights (part "semi_supervised",
12 points). Oracles: the formulas written out in float64 numpy, their analytic gradients
``mask_i (softmax(z_i) - onehot(y_i)) / N``, and a plain Adam loop for the baseline."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from digit_tensors import digits

from autograder.testing import StudentError, assert_close, part, points, watch_call


def softmax64(z):
    z = np.asarray(z.detach().cpu().double())
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def oracle_pseudo(z, threshold):
    p = softmax64(z)
    return p.argmax(1), p.max(1) >= threshold


def oracle_masked_ce(z, labels, mask):
    """(loss, gradient with respect to z) of (1/N) sum_i mask_i CE(z_i, y_i)."""
    p = softmax64(z)
    labels, mask = np.asarray(labels.cpu()), np.asarray(mask.cpu(), dtype=np.float64)
    n = len(p)
    loss = -(mask * np.log(p[np.arange(n), labels])).sum() / n
    onehot = np.eye(p.shape[1])[labels]
    return loss, torch.as_tensor(mask[:, None] * (p - onehot) / n)


def logits(rng, device, n=12, c=5, scale=3.0):
    return torch.as_tensor(rng.standard_normal((n, c)) * scale, device=device)


def strong_oracle(x, seed, drop=0.3, noise=0.2):
    gen = torch.Generator().manual_seed(seed)
    keep = torch.rand(x.shape, generator=gen, dtype=torch.float64) >= drop
    eps = torch.randn(x.shape, generator=gen, dtype=torch.float64)
    out = torch.where(keep.to(x.device), x, torch.zeros_like(x))
    return torch.clamp(out + noise * eps.to(x.device, x.dtype), min=0.0, max=1.0)


@part("semi_supervised")
@points(2)
def test_pseudo_labels(student, rng, device):
    """pseudo_labels gives the argmax class (the first on a tie) and the mask max softmax >=
    threshold, keeping a confidence exactly at the threshold (0.5 of two equal logits, 0.25 of
    four), everything at threshold 0 and only certain rows at 1; int64 labels, a bool mask,
    logits unchanged; bad thresholds and shapes raise ValueError."""
    z = logits(rng, device)
    for t in (0.3, 0.6, 0.9):
        call = watch_call(student.semi.pseudo_labels, z, t)
        assert not call.changed, f"pseudo_labels modified {call.changed}"
        labels, mask = call.result
        assert labels.dtype == torch.int64 and mask.dtype == torch.bool, "wrong dtypes"
        want_l, want_m = oracle_pseudo(z, t)
        assert labels.cpu().tolist() == want_l.tolist(), "wrong pseudo-labels"
        assert mask.cpu().tolist() == want_m.tolist(), f"wrong mask at threshold {t}"
    ties = torch.tensor([[0.0, 0.0, -9.0, -9.0], [1.0, 1.0, 1.0, 1.0], [2.0, 5.0, 5.0, 0.0],
                         [50.0, 0.0, 0.0, 0.0]], dtype=torch.float64, device=device)
    labels, mask = student.semi.pseudo_labels(ties, 0.25)
    assert labels.cpu().tolist() == [0, 0, 1, 0], "a tie does not give the first maximum"
    assert mask.all(), "a confidence equal to the threshold (0.25) is not kept"
    assert student.semi.pseudo_labels(ties[:1, :2], 0.5)[1].tolist() == [True], (
        "a confidence equal to the threshold (0.5) is not kept")
    assert student.semi.pseudo_labels(ties, 1.0)[1].cpu().tolist() == [False] * 3 + [True], (
        "wrong mask at threshold 1")
    assert student.semi.pseudo_labels(z, 0.0)[1].all(), "threshold 0 does not keep every row"
    for bad in ((z, 1.5), (z, -0.1), (z[0], 0.5), (z[None], 0.5)):
        with pytest.raises(StudentError, match="ValueError"):
            student.semi.pseudo_labels(*bad)


@part("semi_supervised")
@points(2)
def test_masked_cross_entropy(student, rng, device):
    """masked_cross_entropy and its gradient equal (1/N) sum_i mask_i CE(z_i, y_i) (divided by
    the batch size, not the number of kept rows; float64); no kept row gives 0 and a zero
    gradient; every row kept is F.cross_entropy's mean."""
    z = logits(rng, device, 10, 4)
    y = torch.as_tensor(rng.integers(0, 4, 10), device=device)
    m = torch.as_tensor(rng.random(10) < 0.5, device=device)
    m[:2] = torch.tensor([True, False])
    one = torch.ones((), dtype=z.dtype, device=device)
    calls = student.lib("dnn.calls")
    for mask in (m, torch.zeros_like(m)):
        g = calls.gradients_of_call(student.semi.masked_cross_entropy,
                                    {"logits": z, "labels": y, "mask": mask}, one)
        loss, grad = oracle_masked_ce(z, y, mask)
        assert abs(float(g["output"]) - loss) < 1e-10, "wrong loss"
        assert_close(g["logits"], grad.to(device), rtol=1e-8, atol=1e-12, name="gradient")
    got = student.semi.masked_cross_entropy(z, y, torch.ones_like(m))
    assert abs(float(got) - F.cross_entropy(z, y).item()) < 1e-10, (
        "every row kept is not the mean cross-entropy")


@part("semi_supervised")
@points(1)
def test_fixmatch_loss(student, rng, device):
    """fixmatch_loss equals the masked cross-entropy of the strong logits against the weak
    logits' thresholded pseudo-labels (default threshold 0.95), with the oracle's gradient on
    the strong logits and exactly none on the weak ones; neither is modified."""
    weak = logits(rng, device, 16, 5, 4.0)
    strong = weak + logits(rng, device, 16, 5, 1.5)
    calls = student.lib("dnn.calls")
    one = torch.ones((), dtype=weak.dtype, device=device)
    for kw, t in (({"threshold": 0.7}, 0.7), ({}, 0.95)):
        call = watch_call(student.semi.fixmatch_loss, weak, strong, **kw)
        assert not call.changed, f"fixmatch_loss modified {call.changed}"
        labels, mask = oracle_pseudo(weak, t)
        loss, grad = oracle_masked_ce(strong, torch.as_tensor(labels), torch.as_tensor(mask))
        assert 0 < mask.sum() < 16, "the draw should keep some rows"
        assert abs(float(call.result) - loss) < 1e-10, f"wrong loss at threshold {t}"
        g = calls.gradients_of_call(student.semi.fixmatch_loss,
                                    {"weak_logits": weak, "strong_logits": strong}, one, **kw)
        assert_close(g["strong_logits"], grad.to(device), rtol=1e-8, atol=1e-12,
                     name="gradient of the strong logits")
        assert torch.equal(g["weak_logits"], torch.zeros_like(weak)), (
            "a gradient flows to the weak logits")


@part("semi_supervised")
@points(1)
def test_strong_view(student, rng, device):
    """strong_view equals the stated draws (rand drop mask, randn noise, clip) for two seeds and
    strengths, keeps the dtype and device and leaves x unchanged."""
    x = torch.as_tensor(rng.random((9, 64)), device=device)
    for seed, kw in ((5, {}), (12, {"drop": 0.6, "noise": 0.05})):
        call = watch_call(student.semi.strong_view, x, seed, **kw)
        assert not call.changed, f"strong_view modified {call.changed}"
        assert call.result.dtype == x.dtype, "strong_view changed the dtype"
        assert_close(call.result, strong_oracle(x, seed, **kw), rtol=0, atol=1e-12,
                     name=f"view of seed {seed}")
    got = student.semi.strong_view(x.float(), 3)
    assert got.dtype == torch.float32, "strong_view changed the dtype"
    assert_close(got, strong_oracle(x.float(), 3), rtol=0, atol=1e-6, name="float32 view")


def random_state(ref_semi, rng, hidden):
    """A state_dict of make_bn_classifier(hidden) with random parameters and buffers (float64)."""
    state = {}
    for k, v in ref_semi.make_bn_classifier(hidden, 0).double().state_dict().items():
        if k.endswith("num_batches_tracked"):
            state[k] = torch.tensor(int(rng.integers(1, 100)))
        else:
            draw = rng.random(v.shape) + 0.5 if k.endswith("running_var") else rng.standard_normal(
                v.shape)
            state[k] = torch.as_tensor(draw)
    return state


def bn_pair(student, reference, rng, device):
    teacher = student.semi.make_bn_classifier(8, 0)
    pupil = student.semi.make_bn_classifier(8, 1)
    t0 = random_state(reference.semi, rng, 8)
    for net, state in ((teacher, t0), (pupil, random_state(reference.semi, rng, 8))):
        net.double()
        net.to(device)
        net.load_state_dict(state)
    return teacher, pupil, t0


@part("semi_supervised")
@points(2)
def test_ema_update_formula_over_repeated_calls(student, reference, rng, device):
    """Over four calls with changing students and decays 0.9, 0.5, 0.99 and 0, ema_update moves
    every teacher parameter to decay * theta_t + (1 - decay) * theta_s (float64), in place,
    returns None and leaves the student unchanged; decay 1 leaves the teacher as it was."""
    teacher, pupil, t0 = bn_pair(student, reference, rng, device)
    names = [k for k in t0 if "running" not in k and "num_batches" not in k]
    want = {k: t0[k].clone() for k in names}
    for decay in (0.9, 0.5, 0.99, 0.0):
        s = random_state(reference.semi, rng, 8)
        pupil.load_state_dict(s)
        assert student.semi.ema_update(teacher, pupil, decay) is None, "ema_update returned"
        want = {k: decay * want[k] + (1 - decay) * s[k] for k in names}
        got = teacher.state_dict()
        for k in names:
            assert_close(got[k], want[k].to(device), rtol=1e-12, atol=1e-12,
                         name=f"{k} after decay {decay}")
        after = pupil.state_dict()
        assert all(torch.equal(after[k].cpu(), s[k]) for k in s), "the student changed"
    before = teacher.state_dict()
    pupil.load_state_dict(random_state(reference.semi, rng, 8))
    student.semi.ema_update(teacher, pupil, 1.0)
    got = teacher.state_dict()
    assert all(torch.equal(got[k], before[k]) for k in names), "decay 1 changed the teacher"


@part("semi_supervised")
@points(1)
def test_ema_update_buffers_and_flags(student, reference, rng, device):
    """ema_update copies the student's buffers (running mean and variance, num_batches_tracked)
    into the teacher, keeps the teacher's requires_grad flags, leaves no .grad, and raises
    ValueError for a decay outside [0, 1] or models with other parameter or buffer names."""
    teacher, pupil, _ = bn_pair(student, reference, rng, device)
    s = random_state(reference.semi, rng, 8)
    pupil.load_state_dict(s)
    info = student.lib("dnn.modelinfo")
    for frozen in (False, True):
        if frozen:
            info.freeze(teacher, [""])
        student.semi.ema_update(teacher, pupil, 0.8)
        got = teacher.state_dict()
        for k in ("1.running_mean", "1.running_var", "1.num_batches_tracked"):
            assert torch.equal(got[k].cpu(), s[k]), f"{k} is not the student's"
        names = info.trainable_names(teacher)
        assert len(names) == (0 if frozen else 6), "ema_update changed requires_grad"
        assert info.grad_count(teacher) == 0, "ema_update left a .grad on the teacher"
    for decay in (-0.1, 1.5):
        with pytest.raises(StudentError, match="ValueError"):
            student.semi.ema_update(teacher, pupil, decay)
    other = student.attacks.make_classifier(8, 0)
    other.double()
    with pytest.raises(StudentError, match="ValueError"):
        student.semi.ema_update(teacher, other, 0.5)
    encoder = student.contrastive.Encoder(8, 8, 8, 0)  # other parameters, the same (no) buffers
    encoder.double()
    with pytest.raises(StudentError, match="ValueError"):
        student.semi.ema_update(other, encoder, 0.5)


def ten_per_class(y, k=10):
    """The first k training rows of every class, and the mask of the others."""
    idx = torch.cat([torch.nonzero(y == c).flatten()[:k] for c in range(10)])
    rest = torch.ones(len(y), dtype=torch.bool, device=y.device)
    rest[idx] = False
    return idx, rest


@part("semi_supervised")
@points(1)
def test_train_fixmatch_recipe(student, reference, device):
    """With lr = 0, train_fixmatch's losses are CE(model(x_lab), y_lab) during the warm-up and
    that plus lam * fixmatch_loss(model(x_unlab), model(strong_view(x_unlab, seed * 100003 +
    t)), threshold) after it, and kept is 0.0 then the fraction of rows passing the threshold."""
    (x, y), _ = digits(device)
    idx, rest = ten_per_class(y, 3)
    xu = x[rest][:150]
    model = student.attacks.make_classifier(16, 0)
    model.to(device)
    net = reference.attacks.make_classifier(16, 0).to(device)
    net.load_state_dict(model.state_dict())
    with torch.no_grad():
        conf = np.sort(softmax64(net(xu)).max(1))
        t = float(conf[59] + conf[60]) / 2  # keeps 90 of the 150 rows, far from a tie
        labels, mask = oracle_pseudo(net(xu), t)
        sup = F.cross_entropy(net(x[idx]), y[idx]).item()
    losses, kept = student.semi.train_fixmatch(model, x[idx], y[idx], xu, 5, 2, t, 0.5, 0.0, 4)
    assert len(losses) == 5 and len(kept) == 5, "one loss and one rate per step"
    with torch.no_grad():
        for t in range(5):
            want = sup
            if t >= 2:
                strong = net(strong_oracle(xu, 400012 + t))
                want += 0.5 * oracle_masked_ce(strong, torch.as_tensor(labels),
                                               torch.as_tensor(mask))[0]
            assert abs(losses[t] - want) < 1e-5, f"wrong loss at step {t}"
            assert abs(kept[t] - (mask.mean() if t >= 2 else 0.0)) < 1e-6, (
                f"wrong kept fraction at step {t}")


@part("semi_supervised")
@points(2)
def test_fixmatch_beats_supervised_only(student, reference, device):
    """FixMatch (200 steps, warm-up 50, threshold 0.9, lam 1, lr 1e-2) from the same initial
    MLP and the same 10 labels per class beats 200 supervised-only Adam steps on the labelled
    rows by 0.02 accuracy on the 538 test and validation digits, and its kept fraction grows.
    Over six labelled sets and four seeds the gain was +0.03 to +0.07 (+0.033 to +0.045 on this
    set)."""
    from dnn.data import load_digits

    (x, y), (xt, yt) = digits(device)
    val = load_digits(seed=0)["val"]
    xe = torch.cat([xt, torch.as_tensor(val.x, dtype=torch.float32, device=device)])
    ye = torch.cat([yt, torch.as_tensor(val.y, device=device)])
    idx, rest = ten_per_class(y)
    init = reference.attacks.make_classifier(64, 0).to(device)
    base = reference.attacks.make_classifier(64, 0).to(device)
    opt = torch.optim.Adam(base.parameters(), lr=1e-2)
    for _ in range(200):
        loss = F.cross_entropy(base(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        sup = (base(xe).argmax(1) == ye).double().mean().item()
    model = student.attacks.make_classifier(64, 0)
    model.to(device)
    model.load_state_dict(init.state_dict())
    _, kept = student.semi.train_fixmatch(model, x[idx], y[idx], x[rest], 200, 50, 0.9, 1.0,
                                          1e-2, 0)
    assert kept[-1] > kept[50], "the kept fraction did not grow"
    got = (model(xe).argmax(1) == ye).double().mean().item()
    assert got >= sup + 0.02, f"accuracy {got:.3f} does not beat supervised-only {sup:.3f}"
