"""Graded: distances, pair masks, the contrastive and triplet losses and both miners against
pytorch-metric-learning and torch.nn.TripletMarginLoss (float64), recall@K against a
brute-force scikit-learn search, and metric training on digits (part "metric", 26 points)."""

import numpy as np
import pytest
import torch
from digit_tensors import digits
from pytorch_metric_learning import distances, losses, miners, reducers
from pytorch_metric_learning.utils import loss_and_miner_utils as lmu
from sklearn.neighbors import NearestNeighbors

from autograder.testing import StudentError, assert_close, part, points, watch_call

L2 = distances.LpDistance(normalize_embeddings=False)


def batch(rng, device, n=24, d=5, classes=4):
    emb = torch.as_tensor(rng.standard_normal((n, d)), device=device)
    labels = torch.as_tensor(rng.integers(0, classes, n), device=device)
    return emb, labels


def loss_grad(student, fn, emb, labels, **kw):
    """d loss / d emb, computed in the sandbox."""
    one = torch.ones((), dtype=emb.dtype, device=emb.device)
    out = student.lib("dnn.calls").gradients_of_call(fn, {"emb": emb, "labels": labels}, one,
                                                     **kw)
    return out["emb"]


def triplet_set(a, p, n):
    return set(zip(a.tolist(), p.tolist(), n.tolist(), strict=True))


@part("metric")
@points(2)
def test_pairwise_distances(student, rng, device):
    """pairwise_distances matches torch.cdist (float64) on rectangular inputs, leaves its
    arguments alone and rejects mismatched shapes."""
    x = torch.as_tensor(rng.standard_normal((7, 4)), device=device)
    y = torch.as_tensor(rng.standard_normal((5, 4)) * 3, device=device)
    call = watch_call(student.metric.pairwise_distances, x, y)
    assert not call.changed, f"pairwise_distances modified {call.changed}"
    assert tuple(call.result.shape) == (7, 5), "the result is not (N, M)"
    assert_close(call.result, torch.cdist(x, y), rtol=1e-8, atol=1e-10, name="distances")
    same = student.metric.pairwise_distances(x, x)
    assert_close(same, torch.cdist(x, x), rtol=1e-6, atol=1e-6, name="distances to itself")
    for bad in ((x, y[:, :3]), (x[0], y)):
        with pytest.raises(StudentError, match="ValueError"):
            student.metric.pairwise_distances(*bad)


@part("metric")
@points(2)
def test_pairwise_distances_gradient_is_finite_at_zero(student, rng, device):
    """Distances of a batch to itself back-propagate finite gradients (zero distance on the
    diagonal and between duplicated rows) equal to torch.cdist's off the zeros."""
    x = torch.as_tensor(rng.integers(-3, 4, (6, 3)).astype(float), device=device)
    x = torch.cat([x, x[:1]])  # exact zeros: the diagonal and the duplicated row
    w = torch.as_tensor(rng.standard_normal((7, 7)), device=device)
    g = student.lib("dnn.calls").gradients_of_call(student.metric.pairwise_distances,
                                                   {"x": x, "y": x.clone()}, w)
    assert torch.isfinite(g["x"]).all() and torch.isfinite(g["y"]).all(), (
        "gradient has NaN or inf entries")
    xr = x.clone().requires_grad_(True)
    (torch.cdist(xr, xr) * w).sum().backward()
    assert_close(g["x"] + g["y"], xr.grad, rtol=1e-6, atol=1e-8, name="input gradient")


@part("metric")
@points(2)
def test_pair_masks(student, rng, device):
    """pair_masks: positive pairs share a label off the diagonal, negative pairs differ."""
    labels = torch.as_tensor(rng.integers(0, 3, 10), device=device)
    pos, neg = student.metric.pair_masks(labels)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(10, dtype=torch.bool, device=device)
    assert pos.dtype == torch.bool and neg.dtype == torch.bool, "masks are not boolean"
    assert torch.equal(pos.cpu(), (same & ~eye).cpu()), "wrong positive mask"
    assert torch.equal(neg.cpu(), (~same).cpu()), "wrong negative mask"


@part("metric")
@points(2)
def test_contrastive_loss_matches_pml(student, rng, device):
    """contrastive_loss equals pytorch-metric-learning's ContrastiveLoss (Euclidean, mean over
    all pairs of each kind) for several margins, and so does its gradient."""
    emb, labels = batch(rng, device)
    for mp, mn in ((0.0, 1.0), (0.5, 3.0), (1.0, 2.5)):
        ref = losses.ContrastiveLoss(pos_margin=mp, neg_margin=mn, distance=L2,
                                     reducer=reducers.MeanReducer())
        got = student.metric.contrastive_loss(emb, labels, mp, mn)
        assert_close(got, ref(emb, labels), rtol=1e-8, atol=1e-10, name=f"loss m=({mp},{mn})")
    e = emb.clone().requires_grad_(True)
    ref = losses.ContrastiveLoss(pos_margin=0.5, neg_margin=3.0, distance=L2,
                                 reducer=reducers.MeanReducer())
    ref(e, labels).backward()
    g = loss_grad(student, student.metric.contrastive_loss, emb, labels, pos_margin=0.5,
                  neg_margin=3.0)
    assert_close(g, e.grad, rtol=1e-6, atol=1e-9, name="gradient")


@part("metric")
@points(2)
def test_contrastive_loss_edge_batches(student, device):
    """contrastive_loss of a batch with one class only (no negative pair) or all-distinct
    labels (no positive pair) keeps only the other term."""
    emb = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]], dtype=torch.float64, device=device)
    one = torch.zeros(3, dtype=torch.int64, device=device)
    got = float(student.metric.contrastive_loss(emb, one, 0.0, 1.0))
    assert abs(got - (5 + 1 + np.sqrt(18)) / 3) < 1e-9, "wrong loss with no negative pairs"
    dist = torch.arange(3, device=device)
    got = float(student.metric.contrastive_loss(emb, dist, 0.0, 2.0))
    assert abs(got - (0 + 1 + 0) * 2 / 6) < 1e-9, "wrong loss with no positive pairs"


@part("metric")
@points(2)
def test_all_triplets_matches_pml(student, rng, device):
    """all_triplets lists exactly pytorch-metric-learning's batch-all triplets (as a set)."""
    for classes in (3, 6):
        _, labels = batch(rng, device, n=15, classes=classes)
        a, p, n = student.metric.all_triplets(labels)
        ra, rp, rn = lmu.get_all_triplets_indices(labels)
        assert len(a) == len(ra), "wrong number of triplets"
        assert triplet_set(a, p, n) == triplet_set(ra, rp, rn), "wrong set of triplets"
    a, p, n = student.metric.all_triplets(torch.arange(4, device=device))
    assert len(a) == 0, "triplets found among all-distinct labels"


@part("metric")
@points(3)
def test_batch_all_loss_matches_pml(student, rng, device):
    """triplet_loss_batch_all equals pytorch-metric-learning's TripletMarginLoss (all triplets,
    average over the non-zero ones) for several margins, with its gradient; 0 when no triplet
    is active."""
    emb, labels = batch(rng, device)
    for m in (0.1, 0.5, 2.0):
        ref = losses.TripletMarginLoss(margin=m, distance=L2)
        got = student.metric.triplet_loss_batch_all(emb, labels, m)
        assert_close(got, ref(emb, labels), rtol=1e-8, atol=1e-10, name=f"loss margin={m}")
    e = emb.clone().requires_grad_(True)
    losses.TripletMarginLoss(margin=0.5, distance=L2)(e, labels).backward()
    g = loss_grad(student, student.metric.triplet_loss_batch_all, emb, labels, margin=0.5)
    assert_close(g, e.grad, rtol=1e-6, atol=1e-9, name="gradient")
    far = torch.tensor([[0.0], [0.1], [10.0], [10.1]], dtype=torch.float64, device=device)
    lab = torch.tensor([0, 0, 1, 1], device=device)
    assert float(student.metric.triplet_loss_batch_all(far, lab, 1.0)) == 0.0, (
        "the loss of a batch without active triplets is not 0")


@part("metric")
@points(2)
def test_hard_triplets_match_pml(student, rng, device):
    """hard_triplets mines what pytorch-metric-learning's BatchHardMiner mines (Euclidean),
    anchors without a positive left out."""
    for n, classes in ((24, 4), (12, 6)):
        emb, labels = batch(rng, device, n=n, classes=classes)
        a, p, ng = student.metric.hard_triplets(emb, labels)
        ra, rp, rn = miners.BatchHardMiner(distance=L2)(emb, labels)
        assert triplet_set(a, p, ng) == triplet_set(ra, rp, rn), "wrong hard triplets"
        assert a.tolist() == sorted(a.tolist()), "anchors are not in increasing order"


@part("metric")
@points(3)
def test_batch_hard_loss_matches_torch(student, rng, device):
    """triplet_loss_batch_hard equals nn.TripletMarginLoss on pytorch-metric-learning's batch-hard
    triplets, with its gradient, for two margins."""
    emb, labels = batch(rng, device)
    ra, rp, rn = miners.BatchHardMiner(distance=L2)(emb, labels)
    for m in (0.2, 1.5):
        want = torch.nn.TripletMarginLoss(margin=m, eps=0.0)(emb[ra], emb[rp], emb[rn])
        got = student.metric.triplet_loss_batch_hard(emb, labels, m)
        assert_close(got, want, rtol=1e-8, atol=1e-10, name=f"loss margin={m}")
    lone = torch.arange(5, device=device)
    assert float(student.metric.triplet_loss_batch_hard(emb[:5], lone, 1.0)) == 0.0, (
        "the loss of a batch without a qualifying anchor is not 0")
    e = emb.clone().requires_grad_(True)
    torch.nn.TripletMarginLoss(margin=1.5, eps=0.0)(e[ra], e[rp], e[rn]).backward()
    g = loss_grad(student, student.metric.triplet_loss_batch_hard, emb, labels, margin=1.5)
    assert_close(g, e.grad, rtol=1e-6, atol=1e-9, name="gradient")


@part("metric")
@points(3)
def test_recall_at_k_matches_brute_force(student, rng, device):
    """recall_at_k equals a leave-one-out brute-force nearest-neighbour search (scikit-learn)
    for K = 1, 3, 10, and rejects K outside [1, N - 1]."""
    emb, labels = batch(rng, device, n=40, d=3, classes=5)
    e, lab = emb.cpu().numpy(), labels.cpu().numpy()
    nn_ = NearestNeighbors(algorithm="brute").fit(e)
    for k in (1, 3, 10):
        idx = nn_.kneighbors(e, k + 1, return_distance=False)[:, 1:]
        want = (lab[idx] == lab[:, None]).any(1).mean()
        got = float(student.metric.recall_at_k(emb, labels, k))
        assert abs(got - want) < 1e-12, f"wrong recall@{k}"
    for k in (0, 40):
        with pytest.raises(StudentError, match="ValueError"):
            student.metric.recall_at_k(emb, labels, k)


@part("metric")
@points(1)
def test_train_metric_reports_the_mean_batch_loss(student, reference, device):
    """With lr = 0, train_metric's one-epoch history is the mean batch-hard loss (PML miner, torch
    TripletMarginLoss) over the batches of torch.randperm(N, generator seeded 0), last one short."""
    (x, y), _ = digits(device)
    x, y = x[:300], y[:300]
    model = student.metric.EmbeddingNet(4, 64, 0)
    model.to(device)
    net = reference.metric.EmbeddingNet(4, 64, 0).to(device)
    net.load_state_dict(model.state_dict())
    hist = student.metric.train_metric(model, x, y, 1, 128, 0.0, 0.2, 0)
    order = torch.randperm(300, generator=torch.Generator().manual_seed(0)).to(device)
    want = []
    with torch.no_grad():
        for start in range(0, 300, 128):
            idx = order[start : start + 128]
            e = net(x[idx])
            a, p, n = miners.BatchHardMiner(distance=L2)(e, y[idx])
            want.append(torch.nn.TripletMarginLoss(margin=0.2, eps=0.0)(e[a], e[p], e[n]).item())
    assert len(hist) == 1 and abs(hist[0] - sum(want) / 3) < 1e-5, "wrong epoch loss"


@part("metric")
@points(2)
def test_metric_training_retrieves_seen_and_unseen_classes(student, device):
    """Batch-hard training of a 4-d EmbeddingNet on digits 0-6 (10 epochs) lowers the loss,
    lifts test recall@1 of the seen classes by 0.25 over the untrained net to 0.9, and
    retrieves the held-out digits 7-9 well above chance (recall@1 >= 0.5)."""
    (x, y), (xt, yt) = digits(device)
    seen = y < 7
    model = student.metric.EmbeddingNet(4, 64, 0)
    model.to(device)
    seen_t, unseen_t = yt < 7, yt >= 7
    before = student.metric.recall_at_k(model(xt[seen_t]).detach(), yt[seen_t], 1)
    hist = student.metric.train_metric(model, x[seen], y[seen], 10, 128, 1e-2, 0.2, 0)
    assert len(hist) == 10 and hist[-1] < hist[0], "the loss did not go down"
    after = student.metric.recall_at_k(model(xt[seen_t]).detach(), yt[seen_t], 1)
    unseen = student.metric.recall_at_k(model(xt[unseen_t]).detach(), yt[unseen_t], 1)
    assert after >= 0.9 and after >= before + 0.25, f"seen-class recall@1 only {after:.3f}"
    assert unseen >= 0.5, f"held-out-class recall@1 only {unseen:.3f}"
