"""Graded: the NT-Xent loss against pytorch-metric-learning's NTXentLoss and its formula (float64,
with gradients and edge batches), the shift / augmentation pair against a torch.roll oracle
replaying the stated draws, rotation-pretext data against torch.rot90, the collapse diagnostics
against numpy, and SimCLR pretraining judged by a scikit-learn linear probe on frozen features
(part "self_supervised": 17 of its 23 points, the other 6 in test_rotation_graded.py)."""

import math

import numpy as np
import pytest
import torch
from digit_tensors import digits
from pytorch_metric_learning import losses
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from autograder.testing import StudentError, assert_close, part, points, watch_call


def views(rng, device, n=6, d=5):
    z1 = torch.as_tensor(rng.standard_normal((n, d)), device=device)
    z2 = z1 + 0.5 * torch.as_tensor(rng.standard_normal((n, d)), device=device)
    return z1, z2


def pml_nt_xent(z1, z2, t):
    """NTXentLoss on [z1; z2] with labels [0..N-1, 0..N-1]: each row's only positive is its
    other view, every other row is a negative (cosine similarity, mean over positive pairs)."""
    n = len(z1)
    labels = torch.arange(n, device=z1.device).repeat(2)
    return losses.NTXentLoss(temperature=t)(torch.cat([z1, z2]), labels)


def formula_nt_xent(z1, z2, t):
    z = torch.cat([z1, z2]).cpu().numpy()
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    n2 = len(z)
    s = z @ z.T / t
    total = 0.0
    for i in range(n2):
        others = [k for k in range(n2) if k != i]
        total += -s[i, (i + n2 // 2) % n2] + math.log(sum(math.exp(s[i, k]) for k in others))
    return total / n2


def shift_oracle(x, shifts):
    img = x.view(-1, 8, 8).clone()
    out = torch.zeros_like(img)
    for i, (dy, dx) in enumerate(shifts.tolist()):
        r = torch.roll(img[i], (dy, dx), dims=(0, 1))
        if dy > 0:
            r[:dy] = 0
        elif dy < 0:
            r[dy:] = 0
        if dx > 0:
            r[:, :dx] = 0
        elif dx < 0:
            r[:, dx:] = 0
        out[i] = r
    return out.reshape(-1, 64)


def augment_oracle(x, seed, max_shift=1, noise=0.1, drop=0.2):
    gen = torch.Generator().manual_seed(seed)
    n = len(x)
    shifts = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=gen)
    keep = torch.rand((n, 64), generator=gen, dtype=torch.float64) >= drop
    eps = torch.randn((n, 64), generator=gen, dtype=torch.float64)
    out = torch.where(keep.to(x.device), shift_oracle(x, shifts), 0.0)
    return torch.clamp(out + noise * eps.to(x.device, x.dtype), min=0.0, max=1.0)


@part("self_supervised")
@points(3)
def test_nt_xent_matches_pml(student, rng, device):
    """nt_xent_loss equals pytorch-metric-learning's NTXentLoss (views i and i + N the only
    positive pair) for several temperatures and widths, and so does its gradient (float64)."""
    for t, n, d in ((0.5, 6, 5), (0.1, 9, 3), (2.0, 4, 8)):
        z1, z2 = views(rng, device, n, d)
        got = student.contrastive.nt_xent_loss(z1, z2, t)
        assert_close(got, pml_nt_xent(z1, z2, t), rtol=1e-8, atol=1e-10, name=f"loss t={t}")
    z1, z2 = views(rng, device, 7, 4)
    a, b = z1.clone().requires_grad_(True), z2.clone().requires_grad_(True)
    pml_nt_xent(a, b, 0.3).backward()
    one = torch.ones((), dtype=z1.dtype, device=device)
    g = student.lib("dnn.calls").gradients_of_call(student.contrastive.nt_xent_loss,
                                                   {"z1": z1, "z2": z2}, one, temperature=0.3)
    assert_close(g["z1"], a.grad, rtol=1e-6, atol=1e-10, name="gradient of z1")
    assert_close(g["z2"], b.grad, rtol=1e-6, atol=1e-10, name="gradient of z2")


@part("self_supervised")
@points(3)
def test_nt_xent_formula_and_edge_batches(student, rng, device):
    """nt_xent_loss equals the written-out formula (scale-invariant in each row); a single pair
    has loss 0; 2N identical embeddings give log(2N - 1); bad shapes or temperature raise
    ValueError; the views are left unchanged."""
    z1, z2 = views(rng, device, 5, 3)
    call = watch_call(student.contrastive.nt_xent_loss, z1, 3.0 * z2, 0.25)
    assert not call.changed, f"nt_xent_loss modified {call.changed}"
    assert abs(float(call.result) - formula_nt_xent(z1, z2, 0.25)) < 1e-9, "wrong loss"
    one1, one2 = views(rng, device, 1, 4)
    assert abs(float(student.contrastive.nt_xent_loss(one1, one2, 0.5))) < 1e-12, (
        "a batch of one pair (no negatives) does not have loss 0")
    same = torch.ones((4, 3), dtype=torch.float64, device=device)
    got = float(student.contrastive.nt_xent_loss(same, same.clone(), 0.2))
    assert abs(got - math.log(7)) < 1e-9, "wrong loss for identical embeddings"
    for bad in ((z1, z2[:3]), (z1[0], z2[0])):
        with pytest.raises(StudentError, match="ValueError"):
            student.contrastive.nt_xent_loss(*bad)
    with pytest.raises(StudentError, match="ValueError"):
        student.contrastive.nt_xent_loss(z1, z2, 0.0)


@part("self_supervised")
@points(2)
def test_shift_and_augment(student, rng, device):
    """shift_images equals a torch.roll with the wrapped rows and columns zeroed; augment and
    two_views equal the stated draws (randint shifts, rand drop mask, randn noise, clip) for
    several seeds and strengths, keep dtype and device and leave x unchanged."""
    x = torch.as_tensor(rng.random((10, 64)), device=device)
    shifts = torch.as_tensor(rng.integers(-2, 3, (10, 2)))
    call = watch_call(student.contrastive.shift_images, x, shifts)
    assert not call.changed, f"shift_images modified {call.changed}"
    assert torch.equal(call.result.cpu(), shift_oracle(x, shifts).cpu()), "wrong shifted images"
    for seed, kw in ((3, {}), (11, {"max_shift": 2, "noise": 0.3, "drop": 0.5})):
        call = watch_call(student.contrastive.augment, x, seed, **kw)
        assert not call.changed, f"augment modified {call.changed}"
        got = call.result
        assert got.dtype == x.dtype, "augment changed the dtype"
        assert_close(got, augment_oracle(x, seed, **kw), rtol=0, atol=1e-12,
                     name=f"view of seed {seed}")
    v1, v2 = student.contrastive.two_views(x.float(), 4)
    assert v1.dtype == torch.float32, "two_views changed the dtype"
    assert_close(v1, augment_oracle(x.float(), 8), rtol=0, atol=1e-6, name="first view")
    assert_close(v2, augment_oracle(x.float(), 9), rtol=0, atol=1e-6, name="second view")


@part("self_supervised")
@points(2)
def test_rotation_batch(student, rng, device):
    """rotation_batch stacks the k-quarter-turn rotations (torch.rot90) in blocks k = 0..3 with
    int64 labels k, exactly."""
    x = torch.as_tensor(rng.random((5, 64)), device=device)
    imgs, labels = student.contrastive.rotation_batch(x)
    want = torch.cat([torch.rot90(x.view(-1, 8, 8), k, dims=(1, 2)).reshape(-1, 64)
                      for k in range(4)])
    assert tuple(imgs.shape) == (20, 64), "the images are not (4N, 64)"
    assert torch.equal(imgs.cpu(), want.cpu()), "wrong rotated images"
    assert labels.dtype == torch.int64, "labels are not int64"
    assert labels.tolist() == [k for k in range(4) for _ in range(5)], "wrong labels"


@part("self_supervised")
@points(2)
def test_collapse_diagnostics(student, rng, device):
    """embedding_std equals the SimSiam formula and effective_rank Roy & Vetterli's (numpy SVD of
    the centred rows); a collapsed batch gives std 0 and rank 0; r orthogonal directions with
    equal singular values give effective rank r."""
    z = rng.standard_normal((30, 6)) * rng.random(6) * 3 + 1.0
    u = z / np.linalg.norm(z, axis=1, keepdims=True)
    zt = torch.as_tensor(z, device=device)
    got = float(student.contrastive.embedding_std(zt))
    assert abs(got - u.std(0).mean()) < 1e-10, "wrong embedding std"
    s = np.linalg.svd(z - z.mean(0), compute_uv=False)
    p = s / s.sum()
    got = float(student.contrastive.effective_rank(zt))
    assert abs(got - np.exp(-(p * np.log(p)).sum())) < 1e-8, "wrong effective rank"
    flat = torch.as_tensor(np.tile(rng.standard_normal(6), (10, 1)), device=device)
    assert abs(float(student.contrastive.embedding_std(flat))) < 1e-7, "collapsed std is not 0"
    assert float(student.contrastive.effective_rank(flat)) == 0.0, "collapsed rank is not 0"
    a = rng.standard_normal((20, 3))
    q, _ = np.linalg.qr(a - a.mean(0))  # orthonormal columns with zero mean
    v, _ = np.linalg.qr(rng.standard_normal((8, 3)))
    low = torch.as_tensor(2.5 * q @ v.T + rng.standard_normal(8), device=device)
    assert abs(float(student.contrastive.effective_rank(low)) - 3.0) < 1e-6, (
        "equal singular values in 3 directions do not give effective rank 3")


@part("self_supervised")
@points(2)
def test_train_simclr_reports_the_mean_batch_loss(student, reference, device):
    """With lr = 0, train_simclr's one-epoch history is the mean NT-Xent (pytorch-metric-learning)
    of the projections of two_views(x[idx], seed * 100003 + b) over the batches of
    torch.randperm(N, generator seeded with seed), the last one short."""
    (x, _), _ = digits(device)
    x = x[:200]
    model = student.contrastive.Encoder(8, 32, 8, 0)
    model.to(device)
    net = reference.contrastive.Encoder(8, 32, 8, 0).to(device)
    net.load_state_dict(model.state_dict())
    hist = student.contrastive.train_simclr(model, x, 1, 64, 0.0, 0.5, 2)
    order = torch.randperm(200, generator=torch.Generator().manual_seed(2)).to(device)
    want = []
    with torch.no_grad():
        for b, start in enumerate(range(0, 200, 64)):
            xb = x[order[start : start + 64]]
            v1 = augment_oracle(xb, 2 * (200006 + b))
            v2 = augment_oracle(xb, 2 * (200006 + b) + 1)
            want.append(pml_nt_xent(net.project(v1), net.project(v2), 0.5).item())
    assert len(hist) == 1 and abs(hist[0] - sum(want) / 4) < 1e-5, "wrong epoch loss"


def probe_accuracy(feats, y, ft, yt):
    """A linear probe: logistic regression on standardised frozen features."""
    scale = StandardScaler().fit(feats.detach().cpu().numpy())
    clf = LogisticRegression(max_iter=2000)
    clf.fit(scale.transform(feats.detach().cpu().numpy()), y.cpu().numpy())
    return clf.score(scale.transform(ft.detach().cpu().numpy()), yt.cpu().numpy())


@part("self_supervised")
@points(3)
def test_simclr_features_beat_random_features(student, reference, device):
    """SimCLR pretraining (Encoder(4, 64, 16, 0), 15 epochs, lr 1e-2, temperature 0.2) lowers
    the loss, keeps the features from collapsing (effective rank >= 2 of 4) and lifts a linear
    probe (scikit-learn logistic regression on the standardised frozen features of 300
    labelled digits) by 0.1 over the same encoder untrained. Every submission starts from the
    same initial weights (the gain varies from +0.06 to +0.29 over initialisations)."""
    (x, y), (xt, yt) = digits(device)
    model = student.contrastive.Encoder(4, 64, 16, 0)
    model.load_state_dict(reference.contrastive.Encoder(4, 64, 16, 0).state_dict())
    model.to(device)
    base = probe_accuracy(model(x[:300]), y[:300], model(xt), yt)
    hist = student.contrastive.train_simclr(model, x, 15, 128, 1e-2, 0.2, 0)
    assert len(hist) == 15 and hist[-1] < hist[0] - 0.5, "the loss did not go down"
    feats = model(xt).detach()
    assert reference.contrastive.effective_rank(feats) >= 2.0, "the features collapsed"
    after = probe_accuracy(model(x[:300]), y[:300], feats, yt)
    assert after >= base + 0.1, f"probe accuracy {after:.3f} does not beat random features"
