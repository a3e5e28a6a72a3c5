"""Batching, pooling and a short graph-classification run on the cycle dataset."""

import torch
from graph_classifier import (
    collate,
    global_add_pool,
    global_max_pool,
    global_mean_pool,
    predict_graphs,
    train_graph_classifier,
)

from dnn.graphs import cycle_graphs


def test_collate_shifts_edges() -> None:
    xs = [torch.ones(2, 1), torch.zeros(3, 1)]
    edges = [torch.tensor([[0], [1]]), torch.tensor([[0, 2], [1, 1]])]
    x, edge_index, batch = collate(xs, edges)
    assert x.shape == (5, 1)
    assert edge_index.tolist() == [[0, 2, 4], [1, 3, 3]]
    assert batch.tolist() == [0, 0, 1, 1, 1]


def test_pooling() -> None:
    x = torch.tensor([[1.0, -2.0], [3.0, -4.0], [-5.0, -6.0]])
    batch = torch.tensor([0, 1, 0])
    assert global_add_pool(x, batch, 2).tolist() == [[-4.0, -8.0], [3.0, -4.0]]
    assert global_mean_pool(x, batch, 2).tolist() == [[-2.0, -4.0], [3.0, -4.0]]
    assert global_max_pool(x, batch, 2).tolist() == [[1.0, -2.0], [3.0, -4.0]]


def test_cycle_detection_learns() -> None:
    train, test = cycle_graphs(160, seed=1), cycle_graphs(60, seed=2)
    model = train_graph_classifier([g.x for g in train], [g.edge_index for g in train],
                                   torch.stack([g.y for g in train]), epochs=15, seed=0)
    pred = predict_graphs(model, [g.x for g in test], [g.edge_index for g in test])
    assert (pred == torch.stack([g.y for g in test])).float().mean() > 0.8
