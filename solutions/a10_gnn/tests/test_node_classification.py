"""A short GCN training run on the karate club."""

import torch
from node_classification import predict_nodes, train_node_classifier

from dnn.graphs import load_karate_club


def test_karate_club_semi_supervised() -> None:
    graph = load_karate_club()
    train_mask = torch.zeros(34, dtype=torch.bool)
    train_mask[[0, 4, 8, 24]] = True
    y = torch.where(train_mask, graph.y, -1)  # the other labels are hidden
    model = train_node_classifier(graph.x, graph.edge_index, y, train_mask, epochs=100, seed=1)
    pred = predict_nodes(model, graph.x, graph.edge_index)
    assert pred.shape == (34,) and pred.dtype == torch.int64
    assert torch.equal(pred[train_mask], graph.y[train_mask])
    assert (pred[~train_mask] == graph.y[~train_mask]).float().mean() >= 0.6
