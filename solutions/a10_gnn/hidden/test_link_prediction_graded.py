"""Graded: negative sampling, ROC-AUC and link prediction on held-out edges (part
"link_prediction", 15 points). Which candidate pairs are real edges stays in this process."""

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from autograder.testing import assert_close, part, points
from dnn.graphs import planted_partition, split_edges


@part("link_prediction")
@points(4)
def test_negative_sampling(student):
    """negative_sampling returns (2, num_samples) pairs that are neither edges nor self-loops,
    reproducible for a seed, different for another seed, spread over many nodes."""
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


@part("link_prediction")
@points(3)
def test_roc_auc(student, rng):
    """roc_auc equals scikit-learn's roc_auc_score, ties included."""
    for _ in range(3):
        labels = rng.integers(0, 2, size=60)
        labels[:2] = [0, 1]
        scores = np.round(rng.random(60) + 0.3 * labels, 1)  # rounding makes ties
        got = student.link_prediction.roc_auc(torch.from_numpy(scores), torch.from_numpy(labels))
        assert isinstance(got, float), "roc_auc must return a Python float"
        assert_close(got, roc_auc_score(labels, scores), rtol=1e-10, name="roc_auc")


@part("link_prediction")
@points(8)
def test_held_out_edges_auc(student, rng):
    """A LinkPredictor trained on a planted-partition graph with 10% of its edges removed ranks
    the removed edges above random non-edges: ROC-AUC >= 0.8 (the solution: about 0.9)."""
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
        scores = lp.score_pairs(model, graph.x, split["train_edge_index"], pairs[:, order])
        assert isinstance(scores, torch.Tensor) and scores.shape == (len(labels),), (
            "score_pairs must return one score per candidate pair"
        )
        assert bool(torch.isfinite(scores).all()), "score_pairs returned NaN or inf"
        aucs.append(roc_auc_score(labels[order.numpy()], scores.numpy()))
    assert min(aucs) >= 0.8, f"held-out ROC-AUC {[round(a, 3) for a in aucs]}: need >= 0.8"
