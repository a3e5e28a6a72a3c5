"""Graph generation with a variational graph autoencoder (VGAE, Kipf & Welling 2016).

This version encodes mu and log sigma with ONE propagation of the stacked weights
[W_mu; W_logstd] (both heads aggregate the same h), builds the dense adjacency through a sparse
tensor, writes the reconstruction term as logaddexp(0, l) - a l and the KL with expm1, and
draws the Bernoulli variables of the pairs i < j only.
"""

import torch
from message_passing import GCNLayer, gcn_propagate
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
        h = torch.relu(self.conv(x, edge_index))
        # both heads are GCN layers on the same h: propagate it once, apply [W_mu; W_logstd]
        weight = torch.cat((self.conv_mu.lin.weight, self.conv_logstd.lin.weight))
        bias = torch.cat((self.conv_mu.bias, self.conv_logstd.bias))
        out = torch.addmm(bias, gcn_propagate(h, edge_index), weight.T)
        mu, logstd = out.split(self.conv_mu.bias.numel(), dim=1)
        return mu, logstd

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(N, N) edge logits z z^T + decoder_bias from z (N, latent)."""
        return torch.addmm(self.decoder_bias, z, z.T)

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, noise: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Reparameterised pass: z = mu + noise * exp(logstd) with noise ~ N(0, I) given,
        (N, latent). Returns (adjacency logits (N, N), mu, logstd)."""
        mu, logstd = self.encode(x, edge_index)
        return self.decode(torch.addcmul(mu, noise, logstd.exp())), mu, logstd


def dense_adjacency(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """(N, N) float32 with A[i, j] = 1 for each column (i, j) of edge_index, else 0."""
    ones = torch.ones(edge_index.shape[1], dtype=torch.float32, device=edge_index.device)
    adjacency = torch.sparse_coo_tensor(edge_index, ones, (num_nodes, num_nodes),
                                        check_invariants=False).to_dense()
    return adjacency.clamp(max=1.0)  # repeated columns are still one edge


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
    num_nodes = adj.shape[0]
    # BCE-with-logits(l, a) = log(1 + e^l) - a l, exactly (no softplus threshold)
    reconstruction = (torch.logaddexp(torch.zeros_like(logits), logits) - adj * logits).mean()
    # sum_d (mu^2 + sigma^2 - 1 - 2 log sigma), with sigma^2 - 1 = expm1(2 log sigma)
    kl_sum = 0.5 * (mu.square().sum() + (torch.expm1(2 * logstd) - 2 * logstd).sum())
    kl_mean = kl_sum / num_nodes  # the mean over nodes of KL(q(z_i) || N(0, I))
    return reconstruction + kl_mean / num_nodes


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
    torch.manual_seed(seed)
    num_nodes = x.shape[0]
    model = VGAE(x.shape[1], hidden, latent)
    adjacency = dense_adjacency(edge_index, num_nodes).to(x.dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        noise = torch.randn(num_nodes, latent)
        logits, mu, logstd = model(x, edge_index, noise)
        loss = vgae_loss(logits, adjacency, mu, logstd)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    model.eval()
    return model


def sample_graph(
    model: VGAE, x: torch.Tensor, edge_index: torch.Tensor, *, seed: int = 0
) -> torch.Tensor:
    """Generate a new undirected graph on the same N nodes.

    With ``g = torch.Generator().manual_seed(seed)``: z = mu + exp(logstd) * eps with
    eps = ``torch.randn(mu.shape, generator=g)``; P = sigmoid(z z^T); for every pair i < j draw
    A_ij ~ Bernoulli(P_ij) (``torch.rand(..., generator=g)`` < P) and set A_ji = A_ij. No
    gradients.

    Returns:
        (2, E) int64 edge_index with both directions of each sampled edge, no self-loops,
        sorted by (source, target).
    """
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    num_nodes = x.shape[0]
    with torch.inference_mode():
        mu, logstd = model.encode(x, edge_index)
        z = mu + logstd.exp() * torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
        i, j = torch.triu_indices(num_nodes, num_nodes, offset=1)  # the pairs i < j
        # the decoder's probability of each pair: sigmoid(<z_i, z_j> + b)
        prob = torch.sigmoid((z[i] * z[j]).sum(dim=1) + model.decoder_bias)
        keep = torch.rand(prob.shape, generator=generator, dtype=prob.dtype) < prob
        src = torch.cat((i[keep], j[keep]))
        dst = torch.cat((j[keep], i[keep]))
        order = torch.argsort(src * num_nodes + dst)  # sorted by (source, target)
        return torch.stack((src[order], dst[order]))
