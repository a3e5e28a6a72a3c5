"""Graded: scatter sums, self-loops and normalisation, GCN, GraphSAGE and GAT layers
(part "message_passing", 35 points). Oracles: PyTorch Geometric's convs with copied weights."""

import numpy as np
import torch
from torch_geometric.nn import GATConv, GCNConv, SAGEConv
from torch_geometric.utils import softmax as pyg_softmax

from autograder.testing import assert_close, part, points


def random_graph(rng, num_nodes: int, num_edges: int, *, undirected: bool) -> torch.Tensor:
    """(2, E) edges without self-loops or duplicates; node num_nodes - 1 has no edge at all."""
    src = rng.integers(0, num_nodes - 1, size=3 * num_edges)
    dst = rng.integers(0, num_nodes - 1, size=3 * num_edges)
    pairs = np.stack([src, dst], axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    if undirected:
        pairs = np.concatenate([pairs, pairs[:, ::-1]])
    keys = np.unique(pairs[:, 0] * num_nodes + pairs[:, 1])
    keys = rng.permutation(keys)[: 2 * num_edges if undirected else num_edges]
    if undirected:  # put the reverse of every kept edge back
        keys = np.unique(np.concatenate([keys, (keys % num_nodes) * num_nodes + keys // num_nodes]))
    edges = np.stack([keys // num_nodes, keys % num_nodes])
    return torch.from_numpy(edges[:, rng.permutation(edges.shape[1])].copy())


def dense(edge_index: torch.Tensor, weight: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """(N, N) matrix M with M[target, source] summing the weights of the edges."""
    m = torch.zeros(num_nodes, num_nodes, dtype=torch.float64)
    m.index_put_((edge_index[1], edge_index[0]), weight.double(), accumulate=True)
    return m


def randomize(conv: torch.nn.Module, seed: int) -> None:
    """Non-zero random values for every parameter (PyG zero-initialises the biases)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in conv.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * 0.5)


@part("message_passing")
@points(3)
def test_scatter_sum_and_mean(student, rng):
    """scatter_sum and scatter_mean add / average the rows sent to each node; a node that
    receives one row gets that row, nodes that receive nothing get zeros."""
    src = torch.from_numpy(rng.standard_normal((40, 3, 2)))
    index = torch.from_numpy(rng.integers(0, 9, size=40))
    index[rng.integers(40)] = 9  # node 9 receives exactly one row, node 10 nothing
    want_sum = torch.zeros(11, 3, 2, dtype=torch.float64)
    for e in range(40):
        want_sum[index[e]] += src[e]
    count = torch.bincount(index, minlength=11).double().clamp(min=1).view(-1, 1, 1)
    mp = student.message_passing
    assert_close(mp.scatter_sum(src, index, 11), want_sum, rtol=1e-12, atol=1e-12,
                 name="scatter_sum")
    assert_close(mp.scatter_mean(src, index, 11), want_sum / count, rtol=1e-12, atol=1e-12,
                 name="scatter_mean")


@part("message_passing")
@points(5)
def test_self_loops_and_symmetric_normalisation(student, rng):
    """add_self_loops appends i -> i for every node; gcn_norm weighs edge j -> i of A + I by
    1 / sqrt(d_i d_j) (D^-1/2 (A + I) D^-1/2), on an undirected and a directed graph."""
    mp = student.message_passing
    for undirected, n in ((True, 12), (False, 10)):
        edge_index = random_graph(rng, n, 25, undirected=undirected)
        looped = mp.add_self_loops(edge_index, n)
        loops = torch.arange(n)
        want = torch.cat([edge_index, torch.stack([loops, loops])], dim=1)
        assert isinstance(looped, torch.Tensor) and torch.equal(looped, want), (
            "add_self_loops must return edge_index followed by the N loops 0->0, 1->1, ..."
        )
        out_index, weight = mp.gcn_norm(edge_index, n)
        assert out_index.shape == (2, edge_index.shape[1] + n), "gcn_norm adds N self-loops"
        a_hat = dense(want, torch.ones(want.shape[1]), n)  # (target, source)
        deg = a_hat.sum(dim=1)  # in-degree at the target, loop included
        expected = a_hat / torch.sqrt(deg[:, None] * deg[None, :])
        assert_close(dense(out_index, weight, n), expected, rtol=1e-12, atol=1e-12,
                     name="D^-1/2 (A + I) D^-1/2 from gcn_norm")


@part("message_passing")
@points(4)
def test_segment_softmax(student, rng):
    """segment_softmax normalises the scores over the edges sharing a target, per head, and
    stays finite for scores of 1e4."""
    index = torch.from_numpy(rng.integers(0, 7, size=50))
    scores = torch.from_numpy(rng.standard_normal((50, 3)) * 3)
    got = student.message_passing.segment_softmax(scores, index, 8)
    assert_close(got, pyg_softmax(scores, index, num_nodes=8), rtol=1e-10, atol=1e-12,
                 name="segment_softmax")
    big = scores * 1e4 / scores.abs().max()
    got = student.message_passing.segment_softmax(big, index, 8)
    assert torch.isfinite(got).all(), "segment_softmax overflows: subtract each target's max"
    assert_close(got, pyg_softmax(big, index, num_nodes=8), rtol=1e-8, atol=1e-10,
                 name="segment_softmax of large scores")


def student_gcn(student, ref: GCNConv):
    layer = student.message_passing.GCNLayer(ref.in_channels, ref.out_channels)
    layer.double()  # before loading, so the float64 weights are not rounded to float32
    layer.load_state_dict({"lin.weight": ref.lin.weight.detach(), "bias": ref.bias.detach()})
    return layer


@part("message_passing")
@points(6)
def test_gcn_layer_matches_pyg(student, rng):
    """GCNLayer equals torch_geometric's GCNConv with copied weights (float64), on an
    undirected and a directed graph with an isolated node."""
    for undirected, n in ((True, 15), (False, 13)):
        ref = GCNConv(5, 4).double()
        randomize(ref, int(rng.integers(1 << 30)))
        layer = student_gcn(student, ref)
        x = torch.from_numpy(rng.standard_normal((n, 5)))
        edge_index = random_graph(rng, n, 30, undirected=undirected)
        kind = "undirected" if undirected else "directed"
        assert_close(layer(x, edge_index), ref(x, edge_index).detach(), rtol=1e-10, atol=1e-12,
                     name=f"GCNLayer output ({kind} graph)")


@part("message_passing")
@points(3)
def test_gcn_layer_gradients(student, rng):
    """Gradients of GCNLayer with respect to x, lin.weight and bias equal GCNConv's."""
    ref = GCNConv(4, 3).double()
    randomize(ref, 3)
    layer = student_gcn(student, ref)
    x = torch.from_numpy(rng.standard_normal((12, 4)))
    edge_index = random_graph(rng, 12, 20, undirected=True)
    upstream = torch.from_numpy(rng.standard_normal((12, 3)))
    grads = student.lib("dnn.autograd").gradients(layer, [x, edge_index], upstream)
    tx = x.clone().requires_grad_(True)
    (ref(tx, edge_index) * upstream).sum().backward()
    assert_close(grads.get("input0"), tx.grad, rtol=1e-10, atol=1e-12, name="dL/dx")
    assert_close(grads.get("lin.weight"), ref.lin.weight.grad, rtol=1e-10, atol=1e-12,
                 name="dL/d lin.weight")
    assert_close(grads.get("bias"), ref.bias.grad, rtol=1e-10, atol=1e-12, name="dL/d bias")


@part("message_passing")
@points(6)
def test_sage_layer_matches_pyg(student, rng):
    """SAGELayer equals SAGEConv (mean aggregation, root weight) with copied weights, on a
    directed graph (messages flow source -> target) with an isolated node, and its gradients
    match."""
    ref = SAGEConv(6, 5).double()
    randomize(ref, int(rng.integers(1 << 30)))
    layer = student.message_passing.SAGELayer(6, 5)
    layer.double()
    layer.load_state_dict({"lin_neigh.weight": ref.lin_l.weight.detach(),
                           "lin_neigh.bias": ref.lin_l.bias.detach(),
                           "lin_self.weight": ref.lin_r.weight.detach()})
    x = torch.from_numpy(rng.standard_normal((14, 6)))
    edge_index = random_graph(rng, 14, 40, undirected=False)
    assert_close(layer(x, edge_index), ref(x, edge_index).detach(), rtol=1e-10, atol=1e-12,
                 name="SAGELayer output")
    upstream = torch.from_numpy(rng.standard_normal((14, 5)))
    grads = student.lib("dnn.autograd").gradients(layer, [x, edge_index], upstream)
    tx = x.clone().requires_grad_(True)
    (ref(tx, edge_index) * upstream).sum().backward()
    assert_close(grads.get("input0"), tx.grad, rtol=1e-10, atol=1e-12, name="SAGELayer dL/dx")


def student_gat(student, ref: GATConv, concat: bool):
    layer = student.message_passing.GATLayer(ref.in_channels, ref.out_channels,
                                             heads=ref.heads, concat=concat)
    layer.double()
    layer.load_state_dict({"lin.weight": ref.lin.weight.detach(),
                           "att_src": ref.att_src.detach()[0],  # PyG: (1, H, C)
                           "att_dst": ref.att_dst.detach()[0],
                           "bias": ref.bias.detach()})
    return layer


@part("message_passing")
@points(5)
def test_gat_layer_multi_head_concat(student, rng):
    """GATLayer with 3 concatenated heads equals GATConv(heads=3) with copied weights, on a
    directed graph with an isolated node (softmax over each target's incoming edges)."""
    ref = GATConv(5, 4, heads=3, concat=True).double()
    randomize(ref, int(rng.integers(1 << 30)))
    layer = student_gat(student, ref, concat=True)
    x = torch.from_numpy(rng.standard_normal((13, 5)))
    edge_index = random_graph(rng, 13, 35, undirected=False)
    got = layer(x, edge_index)
    assert tuple(got.shape) == (13, 12), "concatenated heads give (N, heads * out_features)"
    assert_close(got, ref(x, edge_index).detach(), rtol=1e-9, atol=1e-11, name="GATLayer output")


@part("message_passing")
@points(3)
def test_gat_layer_averaged_heads_and_gradients(student, rng):
    """GATLayer(concat=False) averages its 2 heads like GATConv(concat=False), and its
    gradients with respect to x and the attention vectors match."""
    ref = GATConv(4, 3, heads=2, concat=False).double()
    randomize(ref, int(rng.integers(1 << 30)))
    layer = student_gat(student, ref, concat=False)
    x = torch.from_numpy(rng.standard_normal((11, 4)))
    edge_index = random_graph(rng, 11, 20, undirected=True)
    assert_close(layer(x, edge_index), ref(x, edge_index).detach(), rtol=1e-9, atol=1e-11,
                 name="GATLayer output (averaged heads)")
    upstream = torch.from_numpy(rng.standard_normal((11, 3)))
    grads = student.lib("dnn.autograd").gradients(layer, [x, edge_index], upstream)
    tx = x.clone().requires_grad_(True)
    (ref(tx, edge_index) * upstream).sum().backward()
    assert_close(grads.get("input0"), tx.grad, rtol=1e-9, atol=1e-11, name="GATLayer dL/dx")
    assert_close(grads.get("att_src"), ref.att_src.grad[0], rtol=1e-9, atol=1e-11,
                 name="GATLayer dL/d att_src")
    assert_close(grads.get("att_dst"), ref.att_dst.grad[0], rtol=1e-9, atol=1e-11,
                 name="GATLayer dL/d att_dst")
