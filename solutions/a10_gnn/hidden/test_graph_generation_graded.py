"""Graded: the VGAE's encoder, decoder and loss, and the statistics of the graphs it generates
(part "graph_generation", 12 points)."""

import numpy as np
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence
from torch_geometric.nn import GCNConv

from autograder.testing import assert_close, part, points
from dnn.graphs import average_clustering, planted_partition


@part("graph_generation")
@points(3)
def test_vgae_forward(student, rng):
    """VGAE.encode is GCNConv -> ReLU -> two GCNConvs (mu, logstd) with copied weights;
    forward reparameterises z = mu + noise * exp(logstd) and decodes z z^T + decoder_bias."""
    convs = {"conv": GCNConv(5, 6), "conv_mu": GCNConv(6, 3), "conv_logstd": GCNConv(6, 3)}
    state = {}
    generator = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    for name, conv in convs.items():
        conv.double()
        with torch.no_grad():
            for p in conv.parameters():
                p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * 0.5)
        state[f"{name}.lin.weight"] = conv.lin.weight.detach()
        state[f"{name}.bias"] = conv.bias.detach()
    state["decoder_bias"] = torch.tensor(-0.7, dtype=torch.float64)
    model = student.graph_generation.VGAE(5, 6, 3)
    model.double()
    model.load_state_dict(state)
    graph = planted_partition(20, 2, p_in=0.4, p_out=0.05, seed=5)
    x, ei = torch.from_numpy(rng.standard_normal((20, 5))), graph.edge_index
    h = torch.relu(convs["conv"](x, ei))
    mu, logstd = convs["conv_mu"](h, ei).detach(), convs["conv_logstd"](h, ei).detach()
    got_mu, got_logstd = model.encode(x, ei)
    assert_close(got_mu, mu, rtol=1e-10, atol=1e-12, name="mu")
    assert_close(got_logstd, logstd, rtol=1e-10, atol=1e-12, name="logstd")
    noise = torch.from_numpy(rng.standard_normal((20, 3)))
    logits, _, _ = model(x, ei, noise)
    z = mu + noise * logstd.exp()
    assert_close(logits, z @ z.T - 0.7, rtol=1e-10, atol=1e-12, name="adjacency logits")


@part("graph_generation")
@points(2)
def test_vgae_loss(student, rng):
    """vgae_loss = mean BCE-with-logits over the N^2 entries + (mean over nodes of
    KL(N(mu_i, exp(logstd_i)^2) || N(0, I))) / N."""
    n, d = 9, 4
    logits = torch.from_numpy(rng.standard_normal((n, n)) * 3)
    adj = torch.from_numpy((rng.random((n, n)) < 0.3).astype(np.float64))
    mu = torch.from_numpy(rng.standard_normal((n, d)))
    logstd = torch.from_numpy(rng.standard_normal((n, d)) * 0.5)
    kl = kl_divergence(Normal(mu, logstd.exp()), Normal(0.0, 1.0)).sum(dim=1).mean()
    want = F.binary_cross_entropy_with_logits(logits, adj) + kl / n
    got = student.graph_generation.vgae_loss(logits, adj, mu, logstd)
    assert isinstance(got, torch.Tensor) and got.numel() == 1, "vgae_loss returns a scalar tensor"
    # A 0-d tensor comes back from the sandbox with shape (1,) (the wire's ascontiguousarray).
    assert_close(float(got), float(want), rtol=1e-10, atol=1e-12, name="vgae_loss")


@part("graph_generation")
@points(2)
def test_dense_adjacency_and_seeded_sampling(student, rng):
    """dense_adjacency puts A[i, j] = 1 for each column (i, j) of a directed edge_index;
    sample_graph draws eps = torch.randn(mu.shape, generator=g) first and z = mu + exp(logstd)
    eps: for a VGAE whose mu is 5 and sigma 10 everywhere (latent size 1), every pair whose
    logit z_i z_j is far from 0 (P within 1e-5 of 0 or 1) is an edge exactly when P is near 1,
    for pairs i < j and j < i, never i = i."""
    n = 30
    edges = torch.from_numpy(rng.integers(0, n, size=(2, 80)))
    edges = edges[:, edges[0] != edges[1]]
    adj = student.graph_generation.dense_adjacency(edges, n)
    want = torch.zeros(n, n)
    want[edges[0], edges[1]] = 1.0
    assert isinstance(adj, torch.Tensor) and torch.equal(adj.float(), want), (
        "dense_adjacency: A[i, j] = 1 exactly for the columns (i, j) of edge_index")
    model = student.graph_generation.VGAE(4, 3, 1)
    state = model.state_dict()
    state = {k: torch.zeros_like(v) for k, v in state.items()}
    state["conv_mu.bias"] = torch.tensor([5.0])
    state["conv_logstd.bias"] = torch.tensor([float(np.log(10.0))])
    model.load_state_dict(state)
    x = torch.from_numpy(rng.standard_normal((n, 4)).astype(np.float32))
    for seed in (int(rng.integers(1 << 20)), 7):
        sample = student.graph_generation.sample_graph(model, x, edges, seed=seed)
        assert isinstance(sample, torch.Tensor) and sample.shape[0] == 2, "a (2, E) edge_index"
        got = torch.zeros(n, n, dtype=torch.bool)
        got[sample[0], sample[1]] = True
        eps = torch.randn((n, 1), generator=torch.Generator().manual_seed(seed))
        z = 5.0 + 10.0 * eps
        logits = (z @ z.T).double()
        sure = (logits.abs() > 12) & ~torch.eye(n, dtype=torch.bool)
        assert not bool(got.diagonal().any()), "a sampled graph has no self-loops"
        assert torch.equal(got[sure], (logits > 0)[sure]), (
            f"seed {seed}: the sampled edges do not follow z = mu + exp(logstd) * eps with eps "
            "the first draw of the seeded generator")


@part("graph_generation")
@points(2)
def test_train_vgae_recipe(student, reference, rng):
    """train_vgae follows its docstring: torch.manual_seed(seed), noise torch.randn(N, latent)
    each epoch, Adam on vgae_loss against the dense adjacency: the same weights after 4 epochs
    as that recipe, for features with F != N; the model comes back in eval mode."""
    graph = planted_partition(24, 2, p_in=0.4, p_out=0.05, seed=int(rng.integers(1000)))
    x = torch.from_numpy(rng.standard_normal((24, 5)).astype(np.float32))
    kw = {"hidden": 6, "latent": 3, "epochs": 4, "lr": 0.05, "seed": int(rng.integers(1, 50))}
    model = student.graph_generation.train_vgae(x, graph.edge_index, **kw)
    want = reference.graph_generation.train_vgae(x, graph.edge_index, **kw)
    assert model.training is False, "train_vgae returns the model in eval mode"
    state = model.state_dict()
    for key, value in want.state_dict().items():
        assert key in state, f"the VGAE has no parameter {key}"
        assert_close(state[key], value, rtol=1e-4, atol=1e-5, name=f"trained {key}")


@part("graph_generation")
@points(3)
def test_generated_graph_statistics(student):
    """A VGAE fitted to a 3-community graph generates graphs whose mean degree is within 25%
    and whose mean clustering coefficient is within 35% of the training graph's (an Erdos-Renyi
    graph of the same density has less than half that clustering); the samples are valid
    undirected graphs, reproducible from their seed and not copies of the training graph."""
    graph = planted_partition(60, 3, p_in=0.5, p_out=0.02, seed=42)
    n, edges = 60, graph.edge_index
    x = torch.eye(n)
    gen = student.graph_generation
    model = gen.train_vgae(x, edges, hidden=32, latent=8, epochs=400, lr=0.03, seed=0)
    degrees, clustering = [], []
    train_edges = set((edges[0] * n + edges[1]).tolist())
    for seed in range(4):
        sample = gen.sample_graph(model, x, edges, seed=seed)
        assert isinstance(sample, torch.Tensor) and sample.shape[0] == 2, "a (2, E) edge_index"
        assert bool((sample[0] != sample[1]).all()), "generated graphs have no self-loops"
        keys = (sample[0] * n + sample[1]).tolist()
        assert len(set(keys)) == len(keys), "no duplicate edges"
        assert set(keys) == set((sample[1] * n + sample[0]).tolist()), "undirected: both ways"
        assert len(set(keys) & train_edges) < 0.95 * len(keys), "a sample copies the graph"
        degrees.append(sample.shape[1] / n)
        clustering.append(average_clustering(sample, n))
    again = gen.sample_graph(model, x, edges, seed=0)
    assert torch.equal(again, gen.sample_graph(model, x, edges, seed=0)), "seeded sampling"
    degree, target_degree = float(np.mean(degrees)), edges.shape[1] / n
    assert abs(degree / target_degree - 1) <= 0.25, (
        f"mean degree of the samples {degree:.1f}, of the training graph {target_degree:.1f}"
    )
    clust, target_clust = float(np.mean(clustering)), average_clustering(edges, n)
    assert abs(clust / target_clust - 1) <= 0.35, (
        f"mean clustering of the samples {clust:.3f}, of the training graph {target_clust:.3f}"
    )
