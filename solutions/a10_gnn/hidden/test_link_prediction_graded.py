"""Graded: negative sampling, ROC-AUC and link prediction on held-out edges (part
"link_prediction", 15 points). Which candidate pairs are real edges stays in this process."""

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch_geometric.nn import GCNConv

from autograder.testing import assert_close, part, points
from dnn.graphs import planted_partition, split_edges


@part("link_prediction")
@points(4)
def test_negative_sampling(student):
    """negative_sampling returns (2, num_samples) pairs that are neither edges nor self-loops,
    reproducible for a seed, different for another seed, spread over many nodes; also on a
    dense graph with only four non-edges, for 1, 3 and 200 samples."""
    graph = planted_partition(40, 2, p_in=0.4, p_out=0.05, seed=7)
    ls = student.link_prediction
    neg = ls.negative_sampling(graph.edge_index, 40, 300, seed=1)
    assert isinstance(neg, torch.Tensor) and tuple(neg.shape) == (2, 300), (
        "negative_sampling must return a (2, num_samples) tensor"
    )
    assert neg.dtype == torch.int64, "node indices are int64"
    assert bool((neg >= 0).all() and (neg < 40).all()), "indices must be in [0, num_nodes)"
    assert bool((neg[0] != neg[1]).all()), "negative pairs must not be self-loops"
    existing = set((graph.edge_index[0] * 40 + graph.edge_index[1]).tolist())
    assert not existing & set((neg[0] * 40 + neg[1]).tolist()), "a negative pair is an edge"
    assert torch.equal(neg, ls.negative_sampling(graph.edge_index, 40, 300, seed=1)), (
        "the same seed must give the same pairs"
    )
    assert not torch.equal(neg, ls.negative_sampling(graph.edge_index, 40, 300, seed=2)), (
        "another seed must give other pairs"
    )
    assert len(torch.unique(neg[0])) >= 30 and len(torch.unique(neg[1])) >= 30, (
        "the pairs should be drawn uniformly over the nodes"
    )
    # A dense graph: all pairs are edges except 0 <-> 3 and 1 <-> 4.
    dense = torch.tensor([[i, j] for i in range(5) for j in range(5)
                          if i != j and {i, j} not in ({0, 3}, {1, 4})]).T
    for count in (1, 3, 200):
        neg = ls.negative_sampling(dense, 5, count, seed=count)
        assert isinstance(neg, torch.Tensor) and tuple(neg.shape) == (2, count), (
            f"a dense graph, num_samples={count}: return (2, num_samples) pairs"
        )
        pairs = set(map(tuple, neg.T.tolist()))
        assert pairs <= {(0, 3), (3, 0), (1, 4), (4, 1)}, "a negative pair is an edge or a loop"
    assert len(pairs) == 4, "200 uniform draws should reach all four non-edges, node 0's too"


@part("link_prediction")
@points(3)
def test_roc_auc(student, rng):
    """roc_auc equals scikit-learn's roc_auc_score, ties included (all scores tied: 0.5)."""
    for _ in range(3):
        labels = rng.integers(0, 2, size=60)
        labels[:2] = [0, 1]
        scores = np.round(rng.random(60) + 0.3 * labels, 1)  # rounding makes ties
        got = student.link_prediction.roc_auc(torch.from_numpy(scores), torch.from_numpy(labels))
        assert isinstance(got, float), "roc_auc must return a Python float"
        assert_close(got, roc_auc_score(labels, scores), rtol=1e-10, name="roc_auc")
    tied = torch.full((7,), 0.3)
    got = student.link_prediction.roc_auc(tied, torch.tensor([1, 0, 0, 1, 0, 0, 0]))
    assert_close(got, 0.5, rtol=1e-12, name="roc_auc of tied scores")


@part("link_prediction")
@points(3)
def test_link_predictor_forward_decode_score(student, rng):
    """LinkPredictor.forward is GCNConv -> ReLU -> GCNConv with copied weights (float64);
    decode gives the inner products <z_i, z_j> as logits; score_pairs gives their sigmoid in
    eval mode."""
    conv1, conv2 = GCNConv(4, 6).double(), GCNConv(6, 3).double()
    generator = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    with torch.no_grad():
        for p in [*conv1.parameters(), *conv2.parameters()]:
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * 0.7)
    model = student.link_prediction.LinkPredictor(4, 6, 3)
    model.double()
    model.load_state_dict({"conv1.lin.weight": conv1.lin.weight.detach(),
                           "conv1.bias": conv1.bias.detach(),
                           "conv2.lin.weight": conv2.lin.weight.detach(),
                           "conv2.bias": conv2.bias.detach()})
    graph = planted_partition(25, 2, p_in=0.3, p_out=0.05, seed=int(rng.integers(1000)))
    x, ei = torch.from_numpy(rng.standard_normal((25, 4))), graph.edge_index
    z = conv2(torch.relu(conv1(x, ei)), ei).detach()
    assert_close(model(x, ei), z, rtol=1e-10, atol=1e-12, name="LinkPredictor embeddings")
    pairs = torch.from_numpy(rng.integers(0, 25, size=(2, 30)))
    logits = (z[pairs[0]] * z[pairs[1]]).sum(dim=1)
    assert_close(model.decode(z, pairs), logits, rtol=1e-10, atol=1e-12, name="decode logits")
    model.train()
    scores = student.link_prediction.score_pairs(model, x, ei, pairs)
    assert_close(scores, torch.sigmoid(logits), rtol=1e-10, atol=1e-12, name="score_pairs")


@part("link_prediction")
@points(5)
def test_held_out_edges_auc(student, rng):
    """A LinkPredictor trained on a planted-partition graph with 10% of its edges removed ranks
    the removed edges above random non-edges: ROC-AUC >= 0.8 (the solution: about 0.9); the
    trained model comes back in eval mode."""
    aucs = []
    for seed in (21, 22):
        graph = planted_partition(200, 8, p_in=0.3, p_out=0.005, seed=seed)
        split = split_edges(graph.edge_index, 200, test_fraction=0.1, seed=seed)
        pairs = torch.cat([split["test_pos"], split["test_neg"]], dim=1)
        labels = np.r_[np.ones(split["test_pos"].shape[1]), np.zeros(split["test_neg"].shape[1])]
        order = torch.from_numpy(rng.permutation(len(labels)))
        lp = student.link_prediction
        model = lp.train_link_predictor(graph.x, split["train_edge_index"], epochs=100,
                                        lr=0.01, seed=seed)
        assert model.training is False, "train_link_predictor returns the model in eval mode"
        scores = lp.score_pairs(model, graph.x, split["train_edge_index"], pairs[:, order])
        assert isinstance(scores, torch.Tensor) and scores.shape == (len(labels),), (
            "score_pairs must return one score per candidate pair"
        )
        assert bool(torch.isfinite(scores).all()), "score_pairs returned NaN or inf"
        aucs.append(roc_auc_score(labels[order.numpy()], scores.numpy()))
    assert min(aucs) >= 0.8, f"held-out ROC-AUC {[round(a, 3) for a in aucs]}: need >= 0.8"
