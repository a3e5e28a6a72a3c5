"""Negative sampling, ROC-AUC and a short link-prediction run."""

import torch
from link_prediction import negative_sampling, roc_auc, score_pairs, train_link_predictor

from dnn.graphs import planted_partition, split_edges


def test_negative_sampling_avoids_edges_and_loops() -> None:
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    neg = negative_sampling(edge_index, 3, 50, seed=0)
    assert neg.shape == (2, 50) and neg.dtype == torch.int64
    assert set(map(tuple, neg.T.tolist())) <= {(0, 2), (2, 0)}
    assert torch.equal(neg, negative_sampling(edge_index, 3, 50, seed=0))


def test_roc_auc_small_cases() -> None:
    assert roc_auc(torch.tensor([0.1, 0.2, 0.8, 0.9]), torch.tensor([0, 0, 1, 1])) == 1.0
    assert roc_auc(torch.tensor([0.9, 0.2, 0.8, 0.1]), torch.tensor([0, 0, 1, 1])) == 0.25
    assert roc_auc(torch.tensor([0.5, 0.5]), torch.tensor([1, 0])) == 0.5


def test_held_out_edges_are_ranked_high() -> None:
    graph = planted_partition(200, 8, p_in=0.3, p_out=0.005, seed=10)
    split = split_edges(graph.edge_index, 200, seed=0)
    model = train_link_predictor(graph.x, split["train_edge_index"], epochs=60, seed=0)
    pairs = torch.cat([split["test_pos"], split["test_neg"]], dim=1)
    labels = torch.cat([torch.ones(split["test_pos"].shape[1]),
                        torch.zeros(split["test_neg"].shape[1])])
    scores = score_pairs(model, graph.x, split["train_edge_index"], pairs)
    assert roc_auc(scores, labels) > 0.75
