"""The VGAE loss and the graphs it samples."""

import torch
import torch.nn.functional as F
from graph_generation import VGAE, dense_adjacency, sample_graph, train_vgae, vgae_loss

from dnn.graphs import average_clustering, planted_partition


def test_dense_adjacency() -> None:
    adj = dense_adjacency(torch.tensor([[0, 2], [1, 0]]), 3)
    assert adj.tolist() == [[0, 1, 0], [0, 0, 0], [1, 0, 0]]


def test_vgae_loss_is_bce_when_the_posterior_is_the_prior() -> None:
    logits, adj = torch.randn(5, 5), (torch.rand(5, 5) < 0.5).float()
    zeros = torch.zeros(5, 3)
    loss = vgae_loss(logits, adj, zeros, zeros)  # KL(N(0, 1) || N(0, 1)) = 0
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(logits, adj))
    assert vgae_loss(logits, adj, torch.ones(5, 3), zeros) > loss


def test_samples_resemble_the_training_graph() -> None:
    graph = planted_partition(60, 3, p_in=0.5, p_out=0.02, seed=2)
    x = torch.eye(60)
    model = train_vgae(x, graph.edge_index, latent=8, epochs=200, lr=0.03, seed=0)
    assert isinstance(model, VGAE)
    sample = sample_graph(model, x, graph.edge_index, seed=0)
    assert (sample[0] != sample[1]).all()
    assert torch.equal(sample, sample_graph(model, x, graph.edge_index, seed=0))
    assert 0.7 < sample.shape[1] / graph.edge_index.shape[1] < 1.3
    assert average_clustering(sample, 60) > 0.5 * average_clustering(graph.edge_index, 60)
