"""Graded: rotation-prediction pretraining (part "self_supervised"): train_rotation replayed
against torch.rot90 data and torch.optim.Adam from the student's own initial weights,
rotation_accuracy against an eval-mode argmax, linear_probe against a float64 numpy logistic
regression trained by a hand-written Adam, and the pretrained features judged by the rotation
accuracy on held-out digits, the collapse diagnostics and a scikit-learn probe."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from digit_tensors import digits
from test_contrastive_graded import probe_accuracy  # the same probe as SimCLR's test

from autograder.testing import StudentError, assert_close, part, points, watch_call


def rotations(x):
    """The 4N quarter-turn rotations of images (N, 64) in blocks k = 0..3, and their labels."""
    img = x.reshape(-1, 8, 8)
    imgs = torch.cat([torch.rot90(img, k, dims=(1, 2)).reshape(-1, 64) for k in range(4)])
    return imgs, torch.arange(4, device=x.device).repeat_interleave(len(x))


def copy_of(reference, model, dim, hidden, proj, device):
    """The solution's Encoder with the student's model's weights (the architecture is given)."""
    net = reference.contrastive.Encoder(dim, hidden, proj, 0).to(device)
    net.load_state_dict(model.state_dict())
    return net


def replay_rotation(net, x, epochs, batch_size, lr, seed):
    """The stated recipe in the judge: randperm per epoch from one seeded generator, batches in
    that order, cross-entropy of the rotation logits, torch's Adam."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen).to(x.device)
        batch = []
        for start in range(0, len(x), batch_size):
            imgs, labels = rotations(x[order[start : start + batch_size]])
            loss = F.cross_entropy(net.project(imgs), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
            batch.append(loss.item())
        losses.append(sum(batch) / len(batch))
    return losses


def same_weights(a, b):
    return all(torch.equal(a[k].cpu(), b[k].cpu()) for k in a)


@part("self_supervised")
@points(1)
def test_train_rotation_loss_mode_and_edge_inputs(student, reference, device):
    """With lr = 0, train_rotation's one-epoch history is the mean cross-entropy of the rotation
    logits over the batches of randperm(N) (the last one short) and the weights stay; x is
    unchanged, the model's mode (train or eval) is restored, epochs = 0 gives []; images that
    are not (N, 64), an empty batch, batch_size 0 or a head without 4 outputs raise
    ValueError."""
    (x, _), _ = digits(device)
    x = x[:150]
    model = student.contrastive.Encoder(8, 32, 4, 0)
    model.to(device)
    net = copy_of(reference, model, 8, 32, 4, device)
    before = copy.deepcopy(net.state_dict())
    model.eval()
    call = watch_call(student.contrastive.train_rotation, model, x, 1, 64, 0.0, 3)
    assert not call.changed, f"train_rotation modified {call.changed}"
    assert model.training is False, "train_rotation did not restore eval mode"
    hist = call.result
    order = torch.randperm(150, generator=torch.Generator().manual_seed(3)).to(device)
    with torch.no_grad():
        want = [F.cross_entropy(net.project(imgs), labels).item()
                for imgs, labels in (rotations(x[order[s : s + 64]]) for s in range(0, 150, 64))]
    assert len(hist) == 1 and abs(hist[0] - sum(want) / 3) < 1e-5, "wrong epoch loss"
    assert same_weights(model.state_dict(), before), "lr = 0 changed the weights"
    model.train()
    assert student.contrastive.train_rotation(model, x, 0, 64, 1e-2, 0) == [], (
        "epochs = 0 does not give an empty history")
    assert model.training is True, "train_rotation did not restore train mode"
    wide = student.contrastive.Encoder(8, 32, 16, 0)
    for args in ((wide, x), (model, x[:, :63]), (model, x[:0]), (model, x[0])):
        with pytest.raises(StudentError, match="ValueError"):
            student.contrastive.train_rotation(*args, 1, 64, 1e-2, 0)
    with pytest.raises(StudentError, match="ValueError"):
        student.contrastive.train_rotation(model, x, 1, 0, 1e-2, 0)


@part("self_supervised")
@points(2)
def test_train_rotation_replays_the_seeded_recipe(student, reference, device):
    """Two epochs of train_rotation (lr 1e-2) give the weights and losses of the stated recipe
    replayed with torch.rot90 data and torch.optim.Adam from the same initial weights, with the
    batch order of one torch.Generator seeded with seed; the same seed again gives the same
    weights, another seed other weights."""
    (x, _), _ = digits(device)
    x = x[:150]
    runs = []
    for seed in (5, 5, 6):
        model = student.contrastive.Encoder(8, 32, 4, 0)
        model.to(device)
        net = copy_of(reference, model, 8, 32, 4, device)
        hist = student.contrastive.train_rotation(model, x, 2, 64, 1e-2, seed)
        want = replay_rotation(net, x, 2, 64, 1e-2, seed)
        assert len(hist) == 2, "the history does not have one loss per epoch"
        assert max(abs(a - b) for a, b in zip(hist, want, strict=True)) < 1e-4, (
            f"wrong epoch losses for seed {seed}")
        got = model.state_dict()
        for name, value in net.state_dict().items():
            assert_close(got[name], value, rtol=1e-4, atol=1e-5, name=f"{name} (seed {seed})")
        runs.append(got)
    assert same_weights(runs[0], runs[1]), "the same seed gave different weights"
    assert not same_weights(runs[0], runs[2]), "another seed gave the same weights"


@part("self_supervised")
@points(1)
def test_rotation_accuracy(student, reference, rng, device):
    """rotation_accuracy is the fraction of the 4N rotated rows whose argmax of the head's
    logits is the label (an eval-mode forward pass of the same weights); all-tied logits
    give 0.25 (the first maximum, label 0); x is unchanged and the mode restored."""
    (x, _), _ = digits(device)
    x = x[torch.as_tensor(rng.permutation(len(x))[:40], device=device)]
    model = student.contrastive.Encoder(8, 32, 4, 0)
    model.to(device)
    student.contrastive.train_rotation(model, x, 2, 20, 1e-2, 0)
    net = copy_of(reference, model, 8, 32, 4, device)
    imgs, labels = rotations(x)
    with torch.no_grad():
        want = (net.project(imgs).argmax(1) == labels).double().mean().item()
    model.train()
    call = watch_call(student.contrastive.rotation_accuracy, model, x)
    assert not call.changed, f"rotation_accuracy modified {call.changed}"
    assert abs(float(call.result) - want) < 1e-6, "wrong rotation accuracy"
    assert model.training is True, "rotation_accuracy did not restore train mode"
    state = model.state_dict()
    state["head.1.weight"] = torch.zeros_like(state["head.1.weight"])
    state["head.1.bias"] = torch.zeros_like(state["head.1.bias"])
    model.load_state_dict(state)
    model.eval()
    tied = float(student.contrastive.rotation_accuracy(model, x))
    assert abs(tied - 0.25) < 1e-12, "all-tied logits do not give the first class"
    assert model.training is False, "rotation_accuracy did not restore eval mode"


def probe_oracle(f, y, ft, steps, lr):
    """Logistic regression from zero weights by full-batch Adam (beta 0.9 / 0.999, eps 1e-8),
    written out in float64 numpy; returns the test predictions."""
    mu, sd = f.mean(0), f.std(0) + 1e-8
    f, ft = (f - mu) / sd, (ft - mu) / sd
    n, d = f.shape
    c = int(y.max()) + 1
    onehot = np.eye(c)[y]
    theta = np.zeros((c, d + 1))  # [W | b]
    fa = np.hstack([f, np.ones((n, 1))])
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t in range(1, steps + 1):
        z = fa @ theta.T
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        g = (p - onehot).T @ fa / n
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        theta -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return (np.hstack([ft, np.ones((len(ft), 1))]) @ theta.T).argmax(1)


@part("self_supervised")
@points(1)
def test_linear_probe(student, reference, rng, device):
    """linear_probe equals a float64 logistic regression on the frozen features standardised
    with the training statistics, trained from zero by Adam on the training labels only (its
    result does not depend on y_test beyond scoring); collapsed (constant) features give the
    majority class; the encoder's weights and mode are untouched and no input is modified."""
    (x, y), (xt, yt) = digits(device)
    idx = torch.as_tensor(rng.permutation(len(x))[:120], device=device)
    x, y, xt, yt = x[idx].double(), y[idx], xt[:90].double(), yt[:90]
    model = student.contrastive.Encoder(6, 32, 4, 0)
    model.double()
    model.to(device)
    net = copy_of(reference, model, 6, 32, 4, device).double()
    before = copy.deepcopy(net.state_dict())
    with torch.no_grad():
        f, ft = net(x).cpu().numpy(), net(xt).cpu().numpy()
    pred = probe_oracle(f, y.cpu().numpy(), ft, 60, 0.1)
    shuffled = yt[torch.as_tensor(rng.permutation(90), device=device)]
    model.train()
    for labels in (yt, shuffled):
        call = watch_call(student.contrastive.linear_probe, model, x, y, xt, labels, 60, 0.1)
        assert not call.changed, f"linear_probe modified {call.changed}"
        want = float((pred == labels.cpu().numpy()).mean())
        assert abs(float(call.result) - want) < 1e-6, "wrong probe accuracy"
    assert model.training is True, "linear_probe did not restore train mode"
    assert same_weights(model.state_dict(), before), "linear_probe changed the encoder"
    state = model.state_dict()
    state["features.2.weight"] = torch.zeros_like(state["features.2.weight"])
    model.load_state_dict(state)
    model.eval()
    got = float(student.contrastive.linear_probe(model, x, y, xt, yt, 20, 0.1))
    major = int(np.bincount(y.cpu().numpy()).argmax())
    assert abs(got - float((yt == major).double().mean())) < 1e-6, (
        "collapsed features do not give the majority class")
    assert model.training is False, "linear_probe did not restore eval mode"


@part("self_supervised")
@points(1)
def test_rotation_pretraining_learns_the_pretext(student, reference, device):
    """Rotation pretraining (Encoder(8, 128, 4, 0), 10 epochs, lr 1e-2) on the training digits
    lowers the loss, predicts the rotation of 85% of the rotated held-out digits, keeps the
    features from collapsing (effective rank >= 3 of 8, embedding std >= 0.03) and keeps their
    class information: a scikit-learn probe on the standardised frozen features of 300 labelled
    digits reaches 0.5 and stays within 0.1 of the untrained encoder's features (on 8x8 digits
    rotation features do not reliably beat random ones: -0.03 to +0.12 over seeds)."""
    (x, y), (xt, yt) = digits(device)
    model = student.contrastive.Encoder(8, 128, 4, 0)
    model.load_state_dict(reference.contrastive.Encoder(8, 128, 4, 0).state_dict())
    model.to(device)
    base = probe_accuracy(model(x[:300]), y[:300], model(xt), yt)
    hist = student.contrastive.train_rotation(model, x, 10, 128, 1e-2, 0)
    assert len(hist) == 10 and hist[-1] < hist[0] - 0.5, "the loss did not go down"
    imgs, labels = rotations(xt)
    acc = (model.project(imgs).argmax(1) == labels).double().mean().item()
    assert acc >= 0.85, f"rotation accuracy {acc:.3f} on held-out digits is below 0.85"
    feats = model(xt).detach()
    assert reference.contrastive.effective_rank(feats) >= 3.0, "the features collapsed (rank)"
    assert reference.contrastive.embedding_std(feats) >= 0.03, "the features collapsed (std)"
    after = probe_accuracy(model(x[:300]), y[:300], feats, yt)
    assert after >= 0.5 and after >= base - 0.1, f"probe accuracy {after:.3f} lost the classes"
