"""Graph data for the course: planted-partition graphs, cycle detection, dynamic communities.

Every generator is a pure function of its ``seed`` (its own ``numpy.random.Generator``, never
global random state), so the same arguments give the same graph on every machine. Graphs cross
as plain tensors, in PyTorch Geometric's conventions:

- ``x``: (N, F) float32 node features;
- ``edge_index``: (2, E) int64, one column per *directed* edge ``source -> target``; undirected
  graphs list both directions, have no self-loops and no duplicate edges, and columns are sorted;
- ``y``: (N,) int64 node labels, or one int64 label per graph.

Generation processes (documented in ``datasets/cards/synthetic_graphs.md``):

- ``planted_partition``: a stochastic block model with ``num_blocks`` equal blocks; each pair of
  nodes is joined independently with probability ``p_in`` inside a block, ``p_out`` across;
  features are ``signal * mu[block] + noise`` (``mu`` random unit-norm class means,
  ``noise ~ N(0, I)``), so features alone are only weakly informative.
- ``cycle_graphs``: half the graphs are uniform random labelled trees on n nodes (Pruefer
  sequences), label 0; the other half are a random tree on n - k nodes plus a separate cycle of
  k = 3..5 nodes, label 1. Both have n nodes and n - 1 edges: edge counting cannot tell them
  apart, message passing has to find the cycle.
- ``dynamic_communities``: nodes migrate between communities on a fixed schedule: node i has a
  start community ``c_i`` and a phase ``f_i in {0, .., period - 1}``; its label at step t is
  ``(c_i + floor((t + f_i) / period)) mod num_blocks``. Each snapshot is a fresh planted-partition
  graph on the current labels, with fresh noisy features of the current labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Graph:
    """One graph: node features ``x`` (N, F), ``edge_index`` (2, E) and labels ``y``."""

    x: torch.Tensor
    edge_index: torch.Tensor
    y: torch.Tensor

    @property
    def num_nodes(self) -> int:
        return int(self.x.shape[0])


def undirected_edge_index(pairs: np.ndarray, num_nodes: int) -> torch.Tensor:
    """(2, E) int64 edge_index listing both directions of each pair, sorted, without self-loops
    or duplicates. ``pairs``: (P, 2) integer node pairs in ``[0, num_nodes)``."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    both = np.concatenate([pairs, pairs[:, ::-1]])
    both = both[both[:, 0] != both[:, 1]]
    keys = np.unique(both[:, 0] * num_nodes + both[:, 1])
    return torch.from_numpy(np.stack([keys // num_nodes, keys % num_nodes]))


def stochastic_block_model(
    labels: np.ndarray, p_in: float, p_out: float, rng: np.random.Generator
) -> torch.Tensor:
    """Undirected edge_index joining each pair i < j with probability p_in if
    labels[i] == labels[j], else p_out (all pairs independent)."""
    n = len(labels)
    i, j = np.triu_indices(n, k=1)
    prob = np.where(labels[i] == labels[j], p_in, p_out)
    keep = rng.random(len(i)) < prob
    return undirected_edge_index(np.stack([i[keep], j[keep]], axis=1), n)


def _features(labels: np.ndarray, num_classes: int, dim: int, signal: float,
              rng: np.random.Generator) -> torch.Tensor:
    means = rng.standard_normal((num_classes, dim))
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    x = signal * means[labels] + rng.standard_normal((len(labels), dim))
    return torch.from_numpy(x.astype(np.float32))


def planted_partition(
    num_nodes: int = 200,
    num_blocks: int = 4,
    *,
    p_in: float = 0.1,
    p_out: float = 0.01,
    feature_dim: int = 16,
    signal: float = 1.0,
    seed: int = 0,
) -> Graph:
    """A planted-partition (SBM) graph with noisy features; y = the block of each node.

    Nodes are assigned to blocks round-robin (sizes differ by at most one), then the labels are
    shuffled. Features: ``signal * mu[y] + N(0, I)`` with unit-norm random class means mu.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(num_nodes) % num_blocks)
    edge_index = stochastic_block_model(labels, p_in, p_out, rng)
    x = _features(labels, num_blocks, feature_dim, signal, rng)
    return Graph(x, edge_index, torch.from_numpy(labels.astype(np.int64)))


def node_split(
    y: torch.Tensor, *, train_per_class: int = 10, val_fraction: float = 0.2, seed: int = 0
) -> dict[str, torch.Tensor]:
    """Boolean masks {"train", "val", "test"}: ``train_per_class`` nodes of each class for
    training, then ``val_fraction`` of the remaining nodes for validation, the rest for test."""
    rng = np.random.default_rng(seed)
    labels = y.numpy()
    train = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:train_per_class]
                            for c in np.unique(labels)])
    rest = rng.permutation(np.setdiff1d(np.arange(len(labels)), train))
    n_val = round(len(rest) * val_fraction)
    masks = {}
    for name, idx in (("train", train), ("val", rest[:n_val]), ("test", rest[n_val:])):
        mask = torch.zeros(len(labels), dtype=torch.bool)
        mask[torch.from_numpy(idx)] = True
        masks[name] = mask
    return masks


def load_karate_club() -> Graph:
    """Zachary's karate club as PyG ships it (no download): 34 nodes, 156 directed edges,
    x = identity (34, 34), y in 4 communities. ``train_mask`` of PyG (one node per class) is
    nodes 0, 4, 8, 24."""
    from torch_geometric.datasets import KarateClub  # slow import, only when asked for

    data = KarateClub()[0]
    return Graph(data.x.float(), data.edge_index.long(), data.y.long())


def split_edges(
    edge_index: torch.Tensor, num_nodes: int, *, test_fraction: float = 0.1, seed: int = 0
) -> dict[str, torch.Tensor]:
    """Hold out a fraction of the undirected edges for link prediction.

    Returns {"train_edge_index": (2, E') undirected, "test_pos": (2, P) held-out pairs,
    "test_neg": (2, P) pairs that are not edges of the full graph (nor self-loops)}.
    """
    rng = np.random.default_rng(seed)
    src, dst = edge_index.numpy()
    upper = np.stack([src[src < dst], dst[src < dst]], axis=1)
    order = rng.permutation(len(upper))
    n_test = max(1, round(len(upper) * test_fraction))
    test_pos, train = upper[order[:n_test]], upper[order[n_test:]]
    existing = set((src * num_nodes + dst).tolist())
    negatives: list[tuple[int, int]] = []
    seen: set[int] = set()
    while len(negatives) < n_test:
        a, b = (int(v) for v in rng.integers(0, num_nodes, size=2))
        key = min(a, b) * num_nodes + max(a, b)
        if a != b and a * num_nodes + b not in existing and key not in seen:
            seen.add(key)
            negatives.append((a, b))
    return {
        "train_edge_index": undirected_edge_index(train, num_nodes),
        "test_pos": torch.from_numpy(test_pos.T.copy()),
        "test_neg": torch.tensor(negatives, dtype=torch.int64).T.contiguous(),
    }


def _random_tree(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n - 1, 2) edges of a uniform random labelled tree, decoded from a Pruefer sequence."""
    if n == 2:
        return np.array([[0, 1]])
    seq = rng.integers(0, n, size=n - 2)
    degree = np.ones(n, dtype=np.int64)
    np.add.at(degree, seq, 1)
    edges = []
    for v in seq:
        leaf = int(np.flatnonzero(degree == 1)[0])
        edges.append((leaf, int(v)))
        degree[leaf] -= 1
        degree[v] -= 1
    last = np.flatnonzero(degree == 1)
    edges.append((int(last[0]), int(last[1])))
    return np.array(edges)


def degree_features(edge_index: torch.Tensor, num_nodes: int, max_degree: int = 4) -> torch.Tensor:
    """(N, max_degree + 1) float32 one-hot of each node's degree, clipped at ``max_degree``."""
    deg = torch.bincount(edge_index[1], minlength=num_nodes).clamp(max=max_degree)
    return torch.nn.functional.one_hot(deg, max_degree + 1).float()


def cycle_graphs(
    num_graphs: int = 200, *, min_nodes: int = 10, max_nodes: int = 16, seed: int = 0
) -> list[Graph]:
    """Graphs labelled 1 if they contain a cycle, 0 if they are trees (half each, shuffled).

    Every graph has n nodes (uniform in [min_nodes, max_nodes]) and n - 1 edges, so counting
    nodes and edges does not give the label away. Label 0: a uniform random tree on n nodes.
    Label 1: a uniform random tree on n - k nodes plus, as a second component, a cycle of
    k nodes (k uniform in 3..5); the node ids are shuffled. Features are ``degree_features``
    (one-hot degree, clipped at 4); ``y`` is a 0-d int64 tensor.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(num_graphs) % 2)
    graphs = []
    for label in labels:
        n = int(rng.integers(min_nodes, max_nodes + 1))
        if label:
            k = int(rng.integers(3, 6))
            ring = np.arange(n - k, n)
            edges = np.concatenate([_random_tree(n - k, rng),
                                    np.stack([ring, np.roll(ring, 1)], axis=1)])
        else:
            edges = _random_tree(n, rng)
        edge_index = undirected_edge_index(rng.permutation(n)[edges], n)
        graphs.append(Graph(degree_features(edge_index, n), edge_index,
                            torch.tensor(int(label), dtype=torch.int64)))
    return graphs


def dynamic_communities(
    num_nodes: int = 120,
    num_blocks: int = 3,
    num_steps: int = 12,
    *,
    period: int = 2,
    p_in: float = 0.15,
    p_out: float = 0.01,
    feature_dim: int = 8,
    signal: float = 1.0,
    seed: int = 0,
) -> list[Graph]:
    """``num_steps`` snapshots of a graph whose node labels change over time.

    Node i starts in community c_i and has phase f_i in [0, period); its label at step t is
    y_t[i] = (c_i + floor((t + f_i) / period)) mod num_blocks, so every node moves to the next
    community once every ``period`` steps, the nodes staggered by their phases. Snapshot t is a
    planted-partition graph on y_t (fresh edges) with fresh features signal * mu[y_t] + N(0, I)
    (the class means mu are fixed over time). The next labels are a function of the history
    (when did the node last move?), not of the current snapshot alone.
    """
    rng = np.random.default_rng(seed)
    start = rng.integers(0, num_blocks, size=num_nodes)
    phase = rng.integers(0, period, size=num_nodes)
    means = rng.standard_normal((num_blocks, feature_dim))
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    snapshots = []
    for t in range(num_steps):
        labels = (start + (t + phase) // period) % num_blocks
        edge_index = stochastic_block_model(labels, p_in, p_out, rng)
        x = signal * means[labels] + rng.standard_normal((num_nodes, feature_dim))
        snapshots.append(Graph(torch.from_numpy(x.astype(np.float32)), edge_index,
                               torch.from_numpy(labels.astype(np.int64))))
    return snapshots


def average_clustering(edge_index: torch.Tensor, num_nodes: int) -> float:
    """Mean local clustering coefficient (nodes of degree < 2 count as 0, as in networkx):
    C_i = 2 T_i / (d_i (d_i - 1)), T_i = the triangles through i."""
    adj = torch.zeros(num_nodes, num_nodes, dtype=torch.float64)
    adj[edge_index[0], edge_index[1]] = 1.0
    adj.fill_diagonal_(0.0)
    adj = ((adj + adj.T) > 0).double()
    deg = adj.sum(1)
    triangles = ((adj @ adj) * adj).sum(1) / 2
    pairs = deg * (deg - 1) / 2
    local = torch.where(pairs > 0, triangles / pairs.clamp(min=1), torch.zeros_like(pairs))
    return float(local.mean())
