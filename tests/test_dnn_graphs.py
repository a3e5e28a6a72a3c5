"""Tests for dnn.graphs: the seeded graph generators, the edge split and the graph statistics."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from dnn.graphs import (
    average_clustering,
    cycle_graphs,
    degree_features,
    dynamic_communities,
    load_karate_club,
    node_split,
    planted_partition,
    split_edges,
    undirected_edge_index,
)


def to_networkx(edge_index: torch.Tensor, num_nodes: int) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(num_nodes))
    graph.add_edges_from(edge_index.T.tolist())
    return graph


def assert_simple_undirected(edge_index: torch.Tensor, num_nodes: int) -> None:
    """int64 (2, E), both directions, no loops, no duplicates, sorted by (source, target)."""
    assert edge_index.dtype == torch.int64 and edge_index.shape[0] == 2
    keys = (edge_index[0] * num_nodes + edge_index[1]).tolist()
    assert keys == sorted(set(keys)), "sorted, without duplicates"
    assert set(keys) == set((edge_index[1] * num_nodes + edge_index[0]).tolist())
    assert bool((edge_index[0] != edge_index[1]).all())
    assert edge_index.numel() == 0 or int(edge_index.max()) < num_nodes


def test_undirected_edge_index_symmetrises_and_deduplicates() -> None:
    edge_index = undirected_edge_index(np.array([[0, 1], [1, 0], [2, 2], [1, 3]]), 4)
    assert edge_index.tolist() == [[0, 1, 1, 3], [1, 0, 3, 1]]


def test_planted_partition_is_seeded_and_assortative() -> None:
    graph = planted_partition(200, 4, p_in=0.1, p_out=0.01, seed=0)
    again = planted_partition(200, 4, p_in=0.1, p_out=0.01, seed=0)
    other = planted_partition(200, 4, p_in=0.1, p_out=0.01, seed=1)
    assert torch.equal(graph.edge_index, again.edge_index) and torch.equal(graph.x, again.x)
    assert not torch.equal(graph.edge_index, other.edge_index)
    assert graph.x.shape == (200, 16) and graph.x.dtype == torch.float32
    assert torch.bincount(graph.y).tolist() == [50, 50, 50, 50]
    assert_simple_undirected(graph.edge_index, 200)
    same = (graph.y[graph.edge_index[0]] == graph.y[graph.edge_index[1]]).double().mean()
    # expected fraction of edges inside a block: 49 * 0.1 / (49 * 0.1 + 150 * 0.01) = 0.77
    assert 0.7 < float(same) < 0.85
    degree = graph.edge_index.shape[1] / 200
    assert 5.5 < degree < 7.3  # expected 6.4


def test_node_split_masks() -> None:
    y = planted_partition(100, 4, seed=3).y
    masks = node_split(y, train_per_class=5, val_fraction=0.25, seed=0)
    total = masks["train"].int() + masks["val"].int() + masks["test"].int()
    assert bool((total == 1).all()), "the masks partition the nodes"
    assert torch.bincount(y[masks["train"]]).tolist() == [5, 5, 5, 5]
    assert int(masks["val"].sum()) == 20
    assert torch.equal(masks["test"], node_split(y, train_per_class=5, val_fraction=0.25,
                                                 seed=0)["test"])


def test_split_edges_holds_out_edges_and_true_negatives() -> None:
    graph = planted_partition(100, 2, p_in=0.2, p_out=0.02, seed=4)
    split = split_edges(graph.edge_index, 100, test_fraction=0.2, seed=0)
    full = set(map(tuple, graph.edge_index.T.tolist()))
    train = set(map(tuple, split["train_edge_index"].T.tolist()))
    pos = set(map(tuple, split["test_pos"].T.tolist()))
    neg = split["test_neg"].T.tolist()
    assert_simple_undirected(split["train_edge_index"], 100)
    assert len(full) == len(train) + 2 * len(pos)
    assert pos <= full and not pos & train and not {(b, a) for a, b in pos} & train
    assert len(neg) == len(pos) and all(a != b and (a, b) not in full for a, b in neg)
    assert len({(min(a, b), max(a, b)) for a, b in neg}) == len(neg)


def test_cycle_graphs_have_the_documented_structure() -> None:
    graphs = cycle_graphs(60, min_nodes=8, max_nodes=12, seed=0)
    labels = [int(g.y) for g in graphs]
    assert labels.count(0) == labels.count(1) == 30
    for g in graphs:
        n = g.num_nodes
        assert 8 <= n <= 12 and g.y.dim() == 0
        assert_simple_undirected(g.edge_index, n)
        assert g.edge_index.shape[1] == 2 * (n - 1), "n - 1 edges in both classes"
        graph = to_networkx(g.edge_index, n)
        assert nx.is_forest(graph) != bool(g.y), "label 1 exactly when there is a cycle"
        assert nx.number_connected_components(graph) == (2 if g.y else 1)
        torch.testing.assert_close(g.x, degree_features(g.edge_index, n))
    assert torch.equal(cycle_graphs(5, seed=1)[3].edge_index, cycle_graphs(5, seed=1)[3].edge_index)


def test_dynamic_communities_follow_the_schedule() -> None:
    snaps = dynamic_communities(60, 3, 8, period=2, seed=0)
    assert len(snaps) == 8
    labels = torch.stack([s.y for s in snaps])  # (T, N)
    moved = labels[1:] != labels[:-1]
    # every node moves once per period (3 or 4 times in 7 transitions), to the next community
    assert set(moved.sum(dim=0).tolist()) == {3, 4}
    assert bool((moved[1:] != moved[:-1]).all()), "a move is followed by a step without one"
    assert bool(((labels[1:] - labels[:-1]) % 3)[moved].eq(1).all())
    for s in snaps:
        assert_simple_undirected(s.edge_index, 60)
        assert s.x.shape == (60, 8)
    assert not torch.equal(snaps[0].edge_index, snaps[2].edge_index), "fresh edges per step"


def test_average_clustering_matches_networkx() -> None:
    graph = planted_partition(80, 3, p_in=0.3, p_out=0.02, seed=5)
    expected = nx.average_clustering(to_networkx(graph.edge_index, 80))
    assert average_clustering(graph.edge_index, 80) == pytest.approx(expected, abs=1e-12)


def test_karate_club_is_the_built_in_copy() -> None:
    graph = load_karate_club()
    assert graph.x.shape == (34, 34) and graph.edge_index.shape == (2, 156)
    assert torch.bincount(graph.y).tolist() == [13, 12, 4, 5]
    assert_simple_undirected(graph.edge_index, 34)
