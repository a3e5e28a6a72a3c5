"""Graph generation with a variational graph autoencoder (VGAE, Kipf & Welling 2016)."""

import torch
import torch.nn.functional as F  # noqa: F401 (used by the code you write; the stub has none)
from message_passing import GCNLayer
from torch import nn


class VGAE(nn.Module):
    """Encoder q(z_i | X, A) = N(mu_i, diag(exp(logstd_i))^2) by GCNs; decoder
    p(A_ij = 1 | z) = sigmoid(<z_i, z_j> + b).

    The scalar ``decoder_bias`` b is an addition to Kipf and Welling's decoder: the logits z z^T
    alone sum to ||sum_i z_i||^2 >= 0 over all pairs, so they cannot make a sparse graph's many
    non-edges improbable; b can."""

    def __init__(self, in_features: int, hidden: int = 32, latent: int = 16) -> None:
        super().__init__()
        self.conv = GCNLayer(in_features, hidden)
        self.conv_mu = GCNLayer(hidden, latent)
        self.conv_logstd = GCNLayer(hidden, latent)
        self.decoder_bias = nn.Parameter(torch.zeros(()))

    def encode(
        self, x: torch.Tensor, edge_index: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """h = relu(conv(x)); mu = conv_mu(h); logstd = conv_logstd(h); each (N, latent)."""
        raise NotImplementedError('implement VGAE.encode in graph_generation.py')

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(N, N) edge logits z z^T + decoder_bias from z (N, latent)."""
        raise NotImplementedError('implement VGAE.decode in graph_generation.py')

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, noise: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Reparameterised pass: z = mu + noise * exp(logstd) with noise ~ N(0, I) given,
        (N, latent). Returns (adjacency logits (N, N), mu, logstd)."""
        raise NotImplementedError('implement VGAE.forward in graph_generation.py')


def dense_adjacency(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """(N, N) float32 with A[i, j] = 1 for each column (i, j) of edge_index, else 0."""
    raise NotImplementedError('implement dense_adjacency in graph_generation.py')


def vgae_loss(
    logits: torch.Tensor, adj: torch.Tensor, mu: torch.Tensor, logstd: torch.Tensor
) -> torch.Tensor:
    """Negative ELBO per entry: reconstruction + KL / N.

    reconstruction = mean over all N^2 entries of BCE-with-logits(logits_ij, A_ij);
    KL = (1/N) sum_i sum_d 0.5 (mu_id^2 + exp(2 logstd_id) - 1 - 2 logstd_id), the mean over
    nodes of KL(q(z_i) || N(0, I)).

    Args:
        logits, adj: (N, N); mu, logstd: (N, D).

    Returns:
        a scalar tensor: reconstruction + KL / N.
    """
    raise NotImplementedError('implement vgae_loss in graph_generation.py')


def train_vgae(
    x: torch.Tensor,
    edge_index: torch.Tensor,
    *,
    hidden: int = 32,
    latent: int = 16,
    epochs: int = 200,
    lr: float = 0.01,
    seed: int = 0,
) -> VGAE:
    """Fit a VGAE to one graph: ``torch.manual_seed(seed)``; each epoch draw the noise with
    ``torch.randn(N, latent)``, take one Adam(lr) step on ``vgae_loss`` against the dense
    adjacency of edge_index. Returns the model in eval mode."""
    raise NotImplementedError('implement train_vgae in graph_generation.py')


def sample_graph(
    model: VGAE, x: torch.Tensor, edge_index: torch.Tensor, *, seed: int = 0
) -> torch.Tensor:
    """Generate a new undirected graph on the same N nodes.

    With ``g = torch.Generator().manual_seed(seed)``: z = mu + exp(logstd) * eps with
    eps = ``torch.randn(mu.shape, generator=g)``; P = sigmoid(z z^T + b) =
    sigmoid(``model.decode(z)``), with the decoder's bias b; for every pair i < j draw
    A_ij ~ Bernoulli(P_ij) (``torch.rand(..., generator=g)`` < P) and set A_ji = A_ij. No
    gradients.

    Returns:
        (2, E) int64 edge_index with both directions of each sampled edge, no self-loops,
        sorted by (source, target).
    """
    raise NotImplementedError('implement sample_graph in graph_generation.py')
