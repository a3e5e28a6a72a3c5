"""Graded: the episodic sampler, prototypical networks and their few-shot accuracy on held-out
glyph classes (part "fewshot")."""

import numpy as np
import pytest
import torch
from scipy import stats

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.glyphs import make_glyphs

SIZE = 16


def sqdist(a, b):
    """Squared Euclidean distances (Q, N), exactly (cdist's matmul shortcut loses digits)."""
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


def pool(rng, n_classes=12, device="cpu"):
    """Labels with uneven class sizes; classes 3 and 7 too small for 4 + 3 examples."""
    counts = rng.integers(8, 15, n_classes)
    counts[3], counts[7] = 6, 2
    labels = np.repeat(np.arange(n_classes) * 10, counts)   # class ids 0, 10, 20, ...
    return torch.as_tensor(rng.permutation(labels), device=device)


def glyph_data(device):
    x, y = make_glyphs(100 * 20, num_classes=100, size=SIZE, seed=11)
    x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    train, test = y < 64, y >= 64
    return x[train], y[train], x[test], y[test]


@part("fewshot")
@points(2)
def test_sampler_counts_and_disjoint(student, rng, device):
    """EpisodeSampler.sample: shapes (N, K), (N, Q), (N,); N distinct eligible classes; every
    index is of its class; support and query disjoint; eligible classes sorted in .classes."""
    labels = pool(rng, device=device)
    sampler = student.episodes.EpisodeSampler(labels, 5, 4, 3, seed=int(rng.integers(1000)))
    eligible = sorted({int(c) for c in labels.unique() if (labels == c).sum() >= 7})
    assert [int(c) for c in sampler.classes] == eligible, \
        ".classes should hold the sorted classes with at least k_shot + n_query examples"
    lab = labels.cpu()
    for _ in range(20):
        s, q, c = sampler.sample()
        assert tuple(s.shape) == (5, 4) and tuple(q.shape) == (5, 3) and tuple(c.shape) == (5,), \
            "support, query and classes should have shapes (N, K), (N, Q), (N,)"
        assert len(set(c.tolist())) == 5, "the N classes of an episode should be distinct"
        assert set(c.tolist()) <= set(eligible), "an episode used a class with too few examples"
        for j in range(5):
            assert bool((lab[s[j].cpu()] == c[j].cpu()).all()), "a support index of another class"
            assert bool((lab[q[j].cpu()] == c[j].cpu()).all()), "a query index of another class"
        every = torch.cat([s.flatten(), q.flatten()]).tolist()
        assert len(set(every)) == len(every), "support and query should be disjoint, no repeats"


@part("fewshot")
@points(3)
def test_sampler_follows_specified_draws(student, reference, rng, device):
    """Same seed, same episodes as the specified draws (randperm of the classes, then one
    randperm per picked class), over repeated calls; a different seed gives other episodes."""
    labels = pool(rng, device=device)
    seed = int(rng.integers(1000))
    got = student.episodes.EpisodeSampler(labels, 4, 2, 3, seed=seed)
    want = reference.episodes.EpisodeSampler(labels, 4, 2, 3, seed=seed)
    for i in range(4):
        (s, q, c), (ws, wq, wc) = got.sample(), want.sample()
        what = f"call {i + 1}: the {{}} differs from the specified draws"
        assert torch.equal(c.cpu(), wc), what.format("classes")
        assert torch.equal(s.cpu(), ws), what.format("support")
        assert torch.equal(q.cpu(), wq), what.format("query")
    other = student.episodes.EpisodeSampler(labels, 4, 2, 3, seed=seed + 1)
    firsts = [other.sample()[0].cpu() for _ in range(3)]
    again = reference.episodes.EpisodeSampler(labels, 4, 2, 3, seed=seed)
    assert not all(torch.equal(f, again.sample()[0]) for f in firsts), \
        "another seed should give other episodes"


@part("fewshot")
@points(2)
def test_sampler_uniform(student, rng):
    """Over many episodes every eligible class is picked equally often, and every example of a
    class lands in the support equally often (chi-square tests)."""
    labels = torch.as_tensor(np.repeat(np.arange(8), 6))
    sampler = student.episodes.EpisodeSampler(labels, 3, 1, 2, seed=int(rng.integers(1000)))
    class_counts = np.zeros(8)
    shot_counts = np.zeros(48)
    for _ in range(400):
        s, _, c = sampler.sample()
        np.add.at(class_counts, c.numpy(), 1)
        np.add.at(shot_counts, s.flatten().numpy(), 1)
    p_class = stats.chisquare(class_counts).pvalue
    assert p_class > 1e-4, f"classes are not picked uniformly (chi-square p = {p_class:.1e})"
    for k in range(8):
        block = shot_counts[k * 6:(k + 1) * 6]
        p = stats.chisquare(block).pvalue
        assert p > 1e-4, f"the examples of class {k} are not drawn uniformly (p = {p:.1e})"


@part("fewshot")
@points(2)
def test_sampler_raises(student, rng):
    """EpisodeSampler raises ValueError for n_way, k_shot or n_query < 1 and when fewer than
    n_way classes have k_shot + n_query examples."""
    labels = torch.as_tensor(np.repeat(np.arange(4), 5))
    for args in ((0, 1, 1), (2, 0, 1), (2, 1, 0), (5, 1, 1), (2, 3, 3)):
        with pytest.raises(StudentError) as raised:
            student.episodes.EpisodeSampler(labels, *args)
        assert raised.value.type_name == "ValueError", \
            f"EpisodeSampler{args} should raise ValueError"
    student.episodes.EpisodeSampler(labels, 4, 2, 3)   # exactly enough: no error


@part("fewshot")
@points(2)
def test_episode_labels(student, device):
    """episode_labels(N, n) is [0]*n + [1]*n + ... (int64, on the device)."""
    got = student.episodes.episode_labels(4, 3, device)
    assert got.dtype == torch.int64 and got.device.type == device, "int64 on the given device"
    assert got.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], "labels class by class"


@part("fewshot")
@points(3)
def test_prototypes_and_logits(student, rng, device):
    """prototypes is the mean over the shots; proto_logits is -||q - c||^2 (float64), and
    neither modifies its arguments."""
    sup = torch.as_tensor(rng.normal(size=(5, 3, 7)), device=device)
    call = watch_call(student.protonet.prototypes, sup)
    assert not call.changed, "prototypes modified its argument"
    assert_close(call.result, sup.mean(dim=1), rtol=1e-12, atol=1e-12, name="prototypes")
    one = student.protonet.prototypes(sup[:, :1])
    assert_close(one, sup[:, 0], rtol=1e-12, atol=1e-12, name="1-shot prototypes")
    query = torch.as_tensor(rng.normal(size=(6, 7)) * 3, device=device)
    protos = torch.as_tensor(rng.normal(size=(5, 7)), device=device)
    call = watch_call(student.protonet.proto_logits, query, protos)
    assert not call.changed, "proto_logits modified its arguments"
    want = -sqdist(query, protos)
    assert tuple(call.result.shape) == (6, 5), "logits should be (Q, N)"
    assert_close(call.result, want, rtol=1e-10, atol=1e-10, name="the logits")


def ref_embedder(channels, blocks, in_channels=3):
    layers = []
    for b in range(blocks):
        layers += [torch.nn.Conv2d(in_channels if b == 0 else channels, channels, 3, padding=1),
                   torch.nn.BatchNorm2d(channels), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
    return torch.nn.Sequential(*layers, torch.nn.Flatten())


@part("fewshot")
@points(2)
def test_conv_embedder(student, rng, device):
    """ConvEmbedder: the parameter shapes of the specified blocks, and the same output as the
    specified stack with copied weights (train and eval mode, float64)."""
    model = student.protonet.ConvEmbedder(3, 8, 2)
    ref = ref_embedder(8, 2)
    got_shapes = sorted(tuple(v.shape) for v in model.state_dict().values())
    want_shapes = sorted(tuple(v.shape) for v in ref.state_dict().values())
    assert got_shapes == want_shapes, "the parameters and buffers do not match the specified blocks"
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(torch.as_tensor(rng.normal(size=tuple(p.shape)) * 0.3))
    ref = ref.double().to(device)
    model.double()
    model.load_state_dict({f"net.{k}": v for k, v in ref.state_dict().items()})
    model.to(device)
    x = torch.as_tensor(rng.random((6, 3, 12, 12)), device=device)
    out = model(x)
    assert tuple(out.shape) == (6, 8 * 3 * 3), "output should be (B, channels * H/4 * W/4)"
    assert_close(out, ref(x).detach(), rtol=1e-9, atol=1e-10, name="train-mode embedding")
    model.eval()
    ref.eval()
    assert_close(model(x), ref(x).detach(), rtol=1e-9, atol=1e-10, name="eval-mode embedding")


@part("fewshot")
@points(3)
def test_episode_loss(student, rng, device):
    """episode_loss: one batch through the model (support then query), cross-entropy of the
    negative squared distances to the prototypes, and the query accuracy (float64)."""
    model = student.protonet.ConvEmbedder(3, 4, 2)
    ref = ref_embedder(4, 2).double().to(device)
    model.double()
    model.load_state_dict({f"net.{k}": v for k, v in ref.state_dict().items()})
    model.to(device)
    n, k, q = 4, 3, 5
    sup = torch.as_tensor(rng.random((n, k, 3, 8, 8)), device=device)
    qry = torch.as_tensor(rng.random((n, q, 3, 8, 8)), device=device)
    loss, acc = student.protonet.episode_loss(model, sup, qry)
    emb = ref(torch.cat([sup.flatten(0, 1), qry.flatten(0, 1)])).detach()
    protos = emb[:n * k].reshape(n, k, -1).mean(1)
    logits = -sqdist(emb[n * k:], protos)
    target = torch.arange(n, device=device).repeat_interleave(q)
    want = torch.nn.functional.cross_entropy(logits, target)
    assert abs(float(loss) - float(want)) <= 1e-9 * float(want), "the episode loss is wrong"
    want_acc = (logits.argmax(1) == target).double().mean().item()
    assert abs(float(acc) - want_acc) < 1e-6, "the query accuracy is wrong"


def ref_accuracy(reference, embed, y, k_shot, episodes, seed):
    """Mean accuracy of nearest-prototype classification of precomputed embeddings."""
    sampler = reference.episodes.EpisodeSampler(y.cpu(), 5, k_shot, 15, seed=seed)
    emb = embed.cpu().double()
    total = 0.0
    for _ in range(episodes):
        s, q, _ = sampler.sample()
        protos = emb[s].mean(1)
        logits = -sqdist(emb[q].flatten(0, 1), protos)
        total += (logits.argmax(1) == torch.arange(5).repeat_interleave(15)).double().mean().item()
    return total / episodes


@part("fewshot")
@points(4)
def test_protonet_held_out_accuracy(student, reference, rng, device):
    """train_protonet on the 64 training glyph classes (120 5-way 5-shot episodes): 5-way 1-shot
    and 5-shot accuracy on 36 held-out classes, scored by the test from the model's embeddings,
    above thresholds well over chance (0.2) and over an untrained embedder's."""
    xtr, ytr, xte, yte = glyph_data(device)
    model = student.protonet.train_protonet(xtr, ytr, episodes=120, lr=3e-3, channels=16,
                                            seed=int(rng.integers(100)))
    assert not model.training, "train_protonet should return the model in eval mode"
    emb = torch.cat([model(xte[i:i + 400]) for i in range(0, len(yte), 400)])
    seed = int(rng.integers(1000))
    acc1 = ref_accuracy(reference, emb, yte, 1, 60, seed)
    acc5 = ref_accuracy(reference, emb, yte, 5, 60, seed)
    assert acc1 > 0.58, f"5-way 1-shot accuracy on held-out classes {acc1:.2f} is too low"
    assert acc5 > 0.8, f"5-way 5-shot accuracy on held-out classes {acc5:.2f} is too low"


@part("fewshot")
@points(2)
def test_evaluate_protonet(student, reference, rng, device):
    """evaluate_protonet is the mean query accuracy over the specified episodes, the model in
    eval mode."""
    _, _, xte, yte = glyph_data(device)
    torch.manual_seed(0)
    ref = reference.protonet.ConvEmbedder(3, 8).to(device)
    model = student.protonet.ConvEmbedder(3, 8)
    model.load_state_dict(ref.state_dict())
    model.to(device)
    model.train()
    seed = int(rng.integers(1000))
    got = student.protonet.evaluate_protonet(model, xte, yte, k_shot=3, episodes=10, seed=seed)
    ref.eval()
    with torch.no_grad():
        emb = ref(xte)
    sampler = reference.episodes.EpisodeSampler(yte.cpu(), 5, 3, 15, seed=seed)
    want = 0.0
    for _ in range(10):
        s, q, _ = sampler.sample()
        protos = emb[s.to(device)].mean(1)
        logits = -sqdist(emb[q.to(device)].flatten(0, 1), protos)
        hits = logits.argmax(1).cpu() == torch.arange(5).repeat_interleave(15)
        want += hits.float().mean().item()
    assert abs(float(got) - want / 10) < 1e-6, "the mean accuracy over the episodes is wrong"
