"""Scatter sums, GCN normalisation and the three layers against PyTorch Geometric's convs."""

import torch
from message_passing import (
    GATLayer,
    GCNLayer,
    SAGELayer,
    add_self_loops,
    gcn_norm,
    scatter_mean,
    scatter_sum,
    segment_softmax,
)
from torch_geometric.nn import GATConv, GCNConv, SAGEConv

from dnn.graphs import planted_partition

# A path 0 - 1 - 2 and an isolated node 3, both directions listed.
PATH = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])


def graph(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = planted_partition(20, 2, p_in=0.3, p_out=0.05, seed=seed)
    return torch.randn(20, 5, dtype=torch.float64), g.edge_index


def randomized(conv: torch.nn.Module) -> torch.nn.Module:
    with torch.no_grad():
        for p in conv.parameters():
            p.normal_()
    return conv.double()


def test_scatter_sum_and_mean() -> None:
    src = torch.tensor([[1.0], [2.0], [4.0]])
    index = torch.tensor([0, 2, 0])
    assert torch.equal(scatter_sum(src, index, 4), torch.tensor([[5.0], [0.0], [2.0], [0.0]]))
    assert torch.equal(scatter_mean(src, index, 4), torch.tensor([[2.5], [0.0], [2.0], [0.0]]))


def test_self_loops_and_gcn_norm_on_a_path() -> None:
    looped = add_self_loops(PATH, 4)
    assert looped.tolist() == [[0, 1, 1, 2, 0, 1, 2, 3], [1, 0, 2, 1, 0, 1, 2, 3]]
    edge_index, weight = gcn_norm(PATH, 4)
    assert torch.equal(edge_index, looped)
    # degrees with loops: 2, 3, 2, 1
    want = [1 / 6**0.5, 1 / 6**0.5, 1 / 6**0.5, 1 / 6**0.5, 1 / 2, 1 / 3, 1 / 2, 1.0]
    torch.testing.assert_close(weight.double(), torch.tensor(want, dtype=torch.float64))


def test_segment_softmax_sums_to_one_per_target() -> None:
    scores = torch.tensor([[1.0, 1000.0], [2.0, 0.0], [3.0, -5.0], [0.5, 2.0]])
    index = torch.tensor([0, 0, 1, 0])
    alpha = segment_softmax(scores, index, 3)
    assert torch.isfinite(alpha).all()
    torch.testing.assert_close(scatter_sum(alpha, index, 3)[:2], torch.ones(2, 2))
    torch.testing.assert_close(alpha[:, 0][[0, 1, 3]], torch.softmax(scores[[0, 1, 3], 0], 0))


def test_gcn_layer_matches_pyg() -> None:
    torch.manual_seed(0)
    x, edge_index = graph(0)
    ref = randomized(GCNConv(5, 4))
    layer = GCNLayer(5, 4).double()
    layer.load_state_dict({"lin.weight": ref.lin.weight, "bias": ref.bias})
    torch.testing.assert_close(layer(x, edge_index), ref(x, edge_index))


def test_sage_layer_matches_pyg() -> None:
    torch.manual_seed(1)
    x, edge_index = graph(1)
    ref = randomized(SAGEConv(5, 4))
    layer = SAGELayer(5, 4).double()
    layer.load_state_dict({"lin_neigh.weight": ref.lin_l.weight,
                           "lin_neigh.bias": ref.lin_l.bias, "lin_self.weight": ref.lin_r.weight})
    torch.testing.assert_close(layer(x, edge_index), ref(x, edge_index))


def test_gat_layer_matches_pyg() -> None:
    torch.manual_seed(2)
    x, edge_index = graph(2)
    for concat in (True, False):
        ref = randomized(GATConv(5, 3, heads=2, concat=concat))
        layer = GATLayer(5, 3, heads=2, concat=concat).double()
        layer.load_state_dict({"lin.weight": ref.lin.weight, "att_src": ref.att_src[0],
                               "att_dst": ref.att_dst[0], "bias": ref.bias})
        torch.testing.assert_close(layer(x, edge_index), ref(x, edge_index))
