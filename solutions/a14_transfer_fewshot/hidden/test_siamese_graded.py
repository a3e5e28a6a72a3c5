"""Graded: the pair sampler, the siamese network, the contrastive loss, verification and one-shot
classification on held-out glyph classes (part "siamese")."""

from functools import cache

import numpy as np
import pytest
import torch
from pytorch_metric_learning import distances, losses, reducers
from scipy import stats

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.glyphs import make_glyphs

SIZE = 16


@cache
def _glyphs():
    x, y = make_glyphs(100 * 20, num_classes=100, size=SIZE, seed=11)
    return torch.from_numpy(x), torch.from_numpy(y)


def glyph_data(device):
    """64 training and 36 held-out glyph classes, 20 images each."""
    x, y = _glyphs()
    train, test = y < 64, y >= 64
    return x[train].to(device), y[train].to(device), x[test].to(device), y[test].to(device)


def pool(rng, device="cpu"):
    """Labels 0, 10, 20, ... of uneven class sizes; classes 20 and 50 have one example only."""
    counts = rng.integers(2, 7, 8)
    counts[2] = counts[5] = 1
    labels = np.repeat(np.arange(8) * 10, counts)
    return torch.as_tensor(rng.permutation(labels), device=device)


def ref_embedder(channels, blocks, in_channels=3):
    layers = []
    for b in range(blocks):
        layers += [torch.nn.Conv2d(in_channels if b == 0 else channels, channels, 3, padding=1),
                   torch.nn.BatchNorm2d(channels), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
    return torch.nn.Sequential(*layers, torch.nn.Flatten())


def dist(a, b):
    return ((a - b) ** 2).sum(-1).sqrt()


def hadsell(d, same, margin):
    y = same.to(d.dtype)
    return (y * d ** 2 / 2 + (1 - y) * torch.clamp(margin - d, min=0) ** 2 / 2).mean()


def call_grads(student, fn, inputs, **kw):
    """fn(**inputs, **kw) and its gradients, computed in the sandbox."""
    first = next(iter(inputs.values()))
    one = torch.ones((), dtype=first.dtype, device=first.device)
    return student.lib("dnn.calls").gradients_of_call(fn, inputs, one, **kw)


@part("siamese")
@points(1)
def test_pair_sampler_counts_and_labels(student, rng, device):
    """PairSampler: sorted .classes and .pair_classes; sample(P) gives P/2 same-class pairs of two
    distinct examples, then P/2 pairs of two different classes, int64, over repeated calls;
    ValueError for an odd or too small P and for labels without two classes or without a pair."""
    labels = pool(rng, device=device)
    lab = labels.cpu()
    sampler = student.siamese.PairSampler(labels, seed=int(rng.integers(1000)))
    values, counts = lab.unique(return_counts=True)
    assert sampler.classes.tolist() == values.tolist(), ".classes should be the sorted classes"
    assert sampler.pair_classes.tolist() == values[counts >= 2].tolist(), \
        ".pair_classes should be the sorted classes with at least two examples"
    for n_pairs in (2, 10, 40, 40):
        first, second, same = (t.cpu() for t in sampler.sample(n_pairs))
        h = n_pairs // 2
        assert tuple(first.shape) == tuple(second.shape) == tuple(same.shape) == (n_pairs,), \
            "sample(P) should return three tensors of shape (P,)"
        assert same.dtype == torch.int64 and first.dtype == torch.int64, "int64 indices, labels"
        assert same.tolist() == [1] * h + [0] * h, "P/2 same pairs (label 1), then P/2 different"
        assert bool((lab[first[:h]] == lab[second[:h]]).all()), "a same pair of two classes"
        assert bool((first[:h] != second[:h]).all()), "a same pair used one example twice"
        assert bool((lab[first[h:]] != lab[second[h:]]).all()), "a different pair of one class"
    for bad in (0, 3, 7):
        with pytest.raises(StudentError) as raised:
            sampler.sample(bad)
        assert raised.value.type_name == "ValueError", f"sample({bad}) should raise ValueError"
    for bad in (torch.zeros(5, dtype=torch.int64), torch.arange(6)):
        with pytest.raises(StudentError) as raised:
            student.siamese.PairSampler(bad.to(device))
        assert raised.value.type_name == "ValueError", \
            "labels of one class, or without two examples of a class, should raise ValueError"


@part("siamese")
@points(1)
def test_pair_sampler_follows_specified_draws(student, reference, rng, device):
    """Same seed, same pairs as the specified draws (same classes, different classes and their
    offsets, then the examples pair by pair), over repeated calls; another seed, other pairs."""
    labels = pool(rng, device=device)
    seed = int(rng.integers(1000))
    got = student.siamese.PairSampler(labels, seed=seed)
    want = reference.siamese.PairSampler(labels.cpu(), seed=seed)
    for i, n_pairs in enumerate((8, 2, 12, 8)):
        for name, g, w in zip(("first", "second", "same"), got.sample(n_pairs),
                              want.sample(n_pairs), strict=True):
            assert torch.equal(g.cpu(), w), f"call {i + 1}: {name} differs from the specified draws"
    other = student.siamese.PairSampler(labels, seed=seed + 1)
    again = reference.siamese.PairSampler(labels.cpu(), seed=seed)
    assert not all(torch.equal(other.sample(8)[0].cpu(), again.sample(8)[0]) for _ in range(3)), \
        "another seed should give other pairs"


@part("siamese")
@points(1)
def test_pair_sampler_uniform(student, rng):
    """Same pairs: classes uniform over those with two examples, ordered pairs of distinct examples
    uniform; different pairs: ordered pairs of distinct classes uniform (chi-square tests)."""
    labels = torch.as_tensor(np.concatenate([np.repeat(np.arange(5), 3), [5, 6]]))
    sampler = student.siamese.PairSampler(labels, seed=int(rng.integers(1000)))
    firsts, seconds = [], []
    for _ in range(12):
        first, second, _ = sampler.sample(400)
        firsts.append(first)
        seconds.append(second)
    first, second = torch.cat(firsts).numpy(), torch.cat(seconds).numpy()
    same = np.tile(np.arange(400) < 200, 12)
    lab = labels.numpy()
    same_class = np.bincount(lab[first[same]], minlength=7)
    assert same_class[5:].sum() == 0, "a same pair of a class with one example"
    p = stats.chisquare(same_class[:5]).pvalue
    assert p > 1e-4, f"same pairs' classes are not uniform (chi-square p = {p:.1e})"
    within = np.bincount((first[same] % 3) * 3 + second[same] % 3, minlength=9)
    assert within[[0, 4, 8]].sum() == 0, "a same pair used one example twice"
    p = stats.chisquare(within[[1, 2, 3, 5, 6, 7]]).pvalue
    assert p > 1e-4, f"the examples of same pairs are not uniform (chi-square p = {p:.1e})"
    cross = np.bincount(lab[first[~same]] * 7 + lab[second[~same]], minlength=49)
    off = ~np.eye(7, dtype=bool).flatten()
    p = stats.chisquare(cross[off]).pvalue
    assert p > 1e-4, f"different pairs' classes are not uniform (chi-square p = {p:.1e})"


@part("siamese")
@points(1)
def test_pair_distance(student, rng, device):
    """pair_distance is the exact Euclidean distance (float64), symmetric, 0 for identical rows
    with a zero (not NaN) gradient there, the analytic gradient elsewhere, arguments unchanged."""
    e1 = torch.as_tensor(rng.normal(size=(7, 5)), device=device)
    e2 = torch.as_tensor(rng.normal(size=(7, 5)), device=device)
    e2[2] = e1[2]
    call = watch_call(student.siamese.pair_distance, e1, e2)
    assert not call.changed, "pair_distance modified its arguments"
    assert tuple(call.result.shape) == (7,), "distances should be (P,)"
    assert_close(call.result, dist(e1, e2), rtol=1e-12, atol=1e-14, name="distances")
    assert float(call.result[2]) == 0.0, "identical rows should be exactly 0 apart"
    back = student.siamese.pair_distance(e2, e1)
    assert torch.equal(back, call.result), "d(a, b) should equal d(b, a)"
    out = call_grads(student, student.siamese.pair_distance, {"e1": e1, "e2": e2})
    assert bool(torch.isfinite(out["e1"]).all()), "the gradient has NaN or inf (identical rows?)"
    want = (e1 - e2) / dist(e1, e2).clamp_min(1e-300)[:, None]
    assert_close(out["e1"], want, rtol=1e-10, atol=1e-12, name="d(sum of distances)/d e1")
    assert_close(out["e2"], -want, rtol=1e-10, atol=1e-12, name="d(sum of distances)/d e2")


@part("siamese")
@points(2)
def test_contrastive_loss(student, rng, device):
    """contrastive_loss matches Hadsell et al.'s formula (float64, labels 1 = same) and its
    gradient; the margin's hinge (a different pair at or beyond the margin costs 0 with a zero
    gradient); on same pairs it is half pytorch-metric-learning's ContrastiveLoss with squared
    distances (its negative term, max(0, m - D), is not squared, so only that half is compared)."""
    d = torch.as_tensor(rng.uniform(0, 3, 12), device=device)
    same = torch.as_tensor(rng.permutation(np.arange(12) % 2), device=device)
    for margin in (0.5, 1.5, 4.0):
        for labels in (same, same.double(), same.bool()):
            got = student.siamese.contrastive_loss(d, labels, margin)
            assert got.dtype == torch.float64 and got.ndim == 0, "a float64 scalar for float64 d"
            assert_close(got, hadsell(d, same, margin), rtol=1e-12, atol=1e-14,
                         name=f"loss, margin {margin}")
    out = call_grads(student, student.siamese.contrastive_loss, {"dist": d, "same": same},
                     margin=1.5)
    y = same.double()
    want = (y * d - (1 - y) * torch.clamp(1.5 - d, min=0)) / len(d)
    assert_close(out["dist"], want, rtol=1e-10, atol=1e-14, name="the gradient")
    edge = torch.tensor([2.0, 2.5, 1.5, 0.0], dtype=torch.float64, device=device)
    diff = torch.zeros(4, dtype=torch.int64, device=device)
    out = call_grads(student, student.siamese.contrastive_loss, {"dist": edge, "same": diff},
                     margin=2.0)
    assert abs(float(out["output"]) - (0.25 / 2 + 4 / 2) / 4) < 1e-12, \
        "different pairs: wrong loss around the margin"
    assert out["dist"][:2].abs().max() == 0, "a different pair at or beyond the margin costs 0"
    ones = torch.ones(4, dtype=torch.int64, device=device)
    got = student.siamese.contrastive_loss(edge, ones, 2.0)
    assert abs(float(got) - float((edge ** 2).mean() / 2)) < 1e-12, "same pairs: wrong loss"
    e1 = torch.as_tensor(rng.normal(size=(6, 4)), device=device)
    e2 = torch.as_tensor(rng.normal(size=(6, 4)), device=device)
    pml = losses.ContrastiveLoss(pos_margin=0.0, neg_margin=1.0, reducer=reducers.MeanReducer(),
                                 distance=distances.LpDistance(power=2,
                                                               normalize_embeddings=False))
    a, none = torch.arange(6, device=device), torch.zeros(0, dtype=torch.int64, device=device)
    want = pml(torch.cat([e1, e2]), torch.arange(12, device=device),
               indices_tuple=(a, a + 6, none, none)) / 2
    got = student.siamese.contrastive_loss(dist(e1, e2), torch.ones_like(a), 1.0)
    assert_close(got, want, rtol=1e-10, atol=1e-12, name="same-pair loss against ContrastiveLoss")


def loaded_net(student, rng, device, channels=4, blocks=2):
    """The student's SiameseNet with the weights of an oracle embedder (float64)."""
    net = student.siamese.SiameseNet(3, channels, blocks)
    ref = ref_embedder(channels, blocks)
    got = sorted((k, tuple(v.shape)) for k, v in net.state_dict().items())
    want = sorted((f"embed.net.{k}", tuple(v.shape)) for k, v in ref.state_dict().items())
    assert got == want, ("the state_dict should be exactly one ConvEmbedder in .embed, shared "
                         "by both inputs (no second copy, no other parameter)")
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(torch.as_tensor(rng.normal(size=tuple(p.shape)) * 0.4))
    ref = ref.double().to(device)
    net.double()
    net.load_state_dict({f"embed.net.{k}": v for k, v in ref.state_dict().items()})
    net.to(device)
    return net, ref


@part("siamese")
@points(1)
def test_siamese_net_shares_weights(student, rng, device):
    """SiameseNet: one shared ConvEmbedder (state_dict check); distances equal the oracle's with
    both inputs in one batch (train mode) and in eval mode; the parameter gradient collects both
    branches; d(a, b) = d(b, a) and d(a, a) = 0 in eval mode (float64)."""
    net, ref = loaded_net(student, rng, device)
    x1 = torch.as_tensor(rng.random((5, 3, 8, 8)), device=device)
    x2 = torch.as_tensor(rng.random((5, 3, 8, 8)), device=device)
    emb = ref(torch.cat([x1, x2]))
    assert_close(net(x1, x2), dist(emb[:5], emb[5:]).detach(), rtol=1e-9, atol=1e-10,
                 name="train-mode distances (one batch of x1 then x2)")
    up = torch.as_tensor(rng.normal(size=5), device=device)
    grads = student.lib("dnn.autograd").gradients(net, [x1, x2], up)
    emb = ref(torch.cat([x1, x2]))   # a second train-mode pass, as the student's had
    (dist(emb[:5], emb[5:]) * up).sum().backward()
    for name, p in ref.named_parameters():
        assert_close(grads[f"embed.net.{name}"], p.grad, rtol=1e-8, atol=1e-10,
                     name=f"gradient of {name} (both branches)")
    net.eval()
    ref.eval()
    d = net(x1, x2)
    assert_close(d, dist(ref(x1), ref(x2)).detach(), rtol=1e-9, atol=1e-10,
                 name="eval-mode distances")
    assert torch.equal(net(x2, x1), d), "d(a, b) should equal d(b, a)"
    assert float(net(x1, x1).abs().max()) == 0.0, "an image should be 0 away from itself"


@part("siamese")
@points(1)
def test_verify_and_one_shot_predict(student, rng, device):
    """verify is 1 strictly below the threshold (int64); one_shot_predict gives each query its
    nearest support embedding, the lowest index on ties, and modifies nothing."""
    d = torch.tensor([0.5, 1.0, 1.5, 0.0, 1.0 - 1e-12], dtype=torch.float64, device=device)
    got = student.siamese.verify(d, 1.0)
    assert got.dtype == torch.int64, "verify should return int64"
    assert got.tolist() == [1, 0, 0, 1, 1], "verify is 'same' strictly below the threshold"
    support = torch.as_tensor(rng.normal(size=(5, 6)), device=device)
    support[3] = support[1]
    query = torch.cat([torch.as_tensor(rng.normal(size=(20, 6)), device=device),
                       support[[4, 1, 0]] + 1e-3])
    call = watch_call(student.siamese.one_shot_predict, support, query)
    assert not call.changed, "one_shot_predict modified its arguments"
    want = ((query[:, None] - support[None]) ** 2).sum(-1).argmin(1)
    assert call.result.dtype == torch.int64 and tuple(call.result.shape) == (23,), \
        "predictions should be (Q,) int64"
    assert call.result.tolist() == want.tolist(), "not the nearest support embedding everywhere"


@part("siamese")
@points(1)
def test_train_siamese_follows_the_recipe(student, reference, rng, device):
    """train_siamese: from the model that steps=0 returns, two Adam steps on the specified pairs
    and contrastive loss give the same weights as the test's replay; the same seed gives the same
    model twice; the model comes back in eval mode."""
    x, y, _, _ = glyph_data(device)
    x, y = x[:200], y[:200]
    seed, kw = int(rng.integers(100)), {"n_pairs": 8, "margin": 3.0, "lr": 1e-2, "channels": 4}
    init = student.siamese.train_siamese(x, y, steps=0, seed=seed, **kw)
    assert not init.training, "train_siamese should return the model in eval mode"
    ref = ref_embedder(4, 3).to(device)
    ref.load_state_dict({k.removeprefix("embed.net."): v for k, v in init.state_dict().items()})
    opt = torch.optim.Adam(ref.parameters(), lr=1e-2)
    pairs = reference.siamese.PairSampler(y.cpu(), seed=seed)
    for _ in range(2):
        i, j, same = (t.to(device) for t in pairs.sample(8))
        emb = ref(torch.cat([x[i], x[j]]))
        loss = hadsell(dist(emb[:8], emb[8:]), same, 3.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    got = student.siamese.train_siamese(x, y, steps=2, seed=seed, **kw).state_dict()
    for k, v in ref.state_dict().items():
        layer = ref[int(k.split(".")[0])]
        if (isinstance(layer, torch.nn.Conv2d) and k.endswith("bias")) or "running_mean" in k:
            # batch norm cancels a conv bias: its gradient is rounding noise, which Adam scales
            # up, and the next running mean takes the bias in
            continue
        assert_close(got[f"embed.net.{k}"], v, rtol=1e-4, atol=1e-5, name=f"trained {k}")
    again = student.siamese.train_siamese(x, y, steps=2, seed=seed, **kw).state_dict()
    assert all(torch.equal(again[k], v) for k, v in got.items()), \
        "the same seed should give the same model"


def held_out_scores(reference, emb, y, seed):
    """Verification ROC AUC over 1000 balanced held-out pairs and 5-way 1-shot accuracy by the
    nearest support embedding over 60 episodes, both computed here from the embeddings."""
    from sklearn.metrics import roc_auc_score  # here: its import costs ~1 s a graded run

    emb, y = emb.cpu().double(), y.cpu()
    i, j, same = reference.siamese.PairSampler(y, seed=seed).sample(1000)
    auc = roc_auc_score(same.numpy(), -dist(emb[i], emb[j]).numpy())
    sampler = reference.episodes.EpisodeSampler(y, 5, 1, 15, seed=seed)
    hits = 0.0
    for _ in range(60):
        s, q, _ = sampler.sample()
        sq = ((emb[q.flatten()][:, None] - emb[s[:, 0]][None]) ** 2).sum(-1)
        hits += (sq.argmin(1) == torch.arange(5).repeat_interleave(15)).double().mean().item()
    return auc, hits / 60


@part("siamese")
@points(2)
def test_siamese_held_out_verification_and_one_shot(student, reference, rng, device):
    """train_siamese on the 64 training glyph classes (100 steps of 32 pairs, margin 10): on 36
    held-out classes, verification ROC AUC and 5-way 1-shot accuracy by the nearest support
    embedding, scored by the test from the model's embeddings, above thresholds and above an
    untrained embedding's by a margin."""
    xtr, ytr, xte, yte = glyph_data(device)
    seed = int(rng.integers(100))
    model = student.siamese.train_siamese(xtr, ytr, steps=100, n_pairs=32, margin=10.0, lr=3e-3,
                                          channels=16, seed=seed)
    assert not model.training, "train_siamese should return the model in eval mode"
    emb = torch.cat([model.embed(xte[k:k + 400]) for k in range(0, len(yte), 400)])
    torch.manual_seed(seed)
    untrained = ref_embedder(16, 3).to(device).eval()
    with torch.no_grad():
        base = untrained(xte)
    score_seed = int(rng.integers(1000))
    auc, acc = held_out_scores(reference, emb, yte, score_seed)
    auc0, acc0 = held_out_scores(reference, base, yte, score_seed)
    assert auc > 0.74, f"held-out verification ROC AUC {auc:.2f} is too low"
    assert acc > 0.55, f"held-out 5-way 1-shot accuracy {acc:.2f} is too low (chance 0.2)"
    assert auc - auc0 > 0.1 and acc - acc0 > 0.15, \
        f"training gains too little over an untrained embedding (AUC {auc0:.2f} -> {auc:.2f}, " \
        f"1-shot accuracy {acc0:.2f} -> {acc:.2f})"
