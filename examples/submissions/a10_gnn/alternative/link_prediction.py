"""Link prediction: a GCN encoder, an inner-product decoder, negative sampling and ROC-AUC.

This version samples negatives uniformly from the explicit list of non-edges (a boolean N x N
mask), which is the distribution rejection sampling gives, computes the AUC by counting, for
every positive, the negatives below and tied with it (binary search in the sorted negative
scores) instead of ranks, and writes the loss as softplus terms.
"""

import torch
import torch.nn.functional as F
from message_passing import GCNLayer
from torch import nn


def negative_sampling(
    edge_index: torch.Tensor, num_nodes: int, num_samples: int, *, seed: int = 0
) -> torch.Tensor:
    """Uniformly random node pairs that are not edges: the negatives of link prediction.

    Draw candidate pairs (i, j) uniformly with ``torch.Generator().manual_seed(seed)`` and keep
    those with i != j whose column (i, j) is not in ``edge_index``, until ``num_samples`` are
    kept (pairs may repeat among the negatives).

    Args:
        edge_index: (2, E) int64 edges of the (training) graph.

    Returns:
        (2, num_samples) int64.
    """
    generator = torch.Generator().manual_seed(seed)
    allowed = torch.ones(num_nodes, num_nodes, dtype=torch.bool)
    allowed.fill_diagonal_(False)
    allowed[edge_index[0].cpu(), edge_index[1].cpu()] = False
    candidates = allowed.flatten().nonzero().squeeze(1)  # flat ids i * N + j of the non-edges
    if candidates.numel() == 0:
        raise ValueError("the graph is complete: there is no non-edge to sample")
    pick = candidates[torch.randint(candidates.numel(), (num_samples,), generator=generator)]
    return torch.stack((pick // num_nodes, pick % num_nodes)).to(edge_index.device)


def roc_auc(scores: torch.Tensor, labels: torch.Tensor) -> float:
    """Area under the ROC curve: P(score of a random positive > score of a random negative),
    ties counting 1/2. Equivalently (Mann-Whitney), with r the average ranks (1-based, ties
    sharing the mean rank) of all scores, n_+ positives and n_- negatives:
        AUC = (sum of r over the positives - n_+ (n_+ + 1) / 2) / (n_+ n_-).

    Args:
        scores: (P,) float; labels: (P,) 0/1 (both classes present).

    Returns:
        the AUC in [0, 1], a Python float.
    """
    s = scores.detach().double().flatten().cpu()
    positive = labels.flatten().cpu() > 0
    pos, neg = s[positive], torch.sort(s[~positive]).values
    below = torch.searchsorted(neg, pos, right=False)  # negatives strictly below each positive
    tied = torch.searchsorted(neg, pos, right=True) - below
    wins = below.double().sum() + 0.5 * tied.double().sum()
    return float(wins) / (pos.numel() * neg.numel())


class LinkPredictor(nn.Module):
    """A graph autoencoder: GCN encoder z = GCN(x), decoder logit(i, j) = <z_i, z_j>."""

    def __init__(self, in_features: int, hidden: int = 32, embedding: int = 16) -> None:
        super().__init__()
        self.conv1 = GCNLayer(in_features, hidden)
        self.conv2 = GCNLayer(hidden, embedding)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        """Node embeddings z = conv2(relu(conv1(x, edge_index)), edge_index): (N, embedding)."""
        return self.conv2(self.conv1(x, edge_index).clamp(min=0), edge_index)

    def decode(self, z: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        """Logits of the pairs: (P,) with entry p = <z[pairs[0, p]], z[pairs[1, p]]>.

        Args:
            z: (N, D); pairs: (2, P) int64.
        """
        return torch.einsum("pd,pd->p", z[pairs[0]], z[pairs[1]])


def train_link_predictor(
    x: torch.Tensor,
    edge_index: torch.Tensor,
    *,
    hidden: int = 32,
    embedding: int = 16,
    epochs: int = 100,
    lr: float = 0.01,
    seed: int = 0,
) -> LinkPredictor:
    """Train a LinkPredictor to tell the edges of ``edge_index`` from non-edges.

    ``torch.manual_seed(seed)``; each epoch t: z = model(x, edge_index); positives are all the
    columns of edge_index, negatives ``negative_sampling(edge_index, N, E, seed=seed + t)``;
    the loss is the binary cross-entropy with logits of decode(z, positives) against 1 and of
    decode(z, negatives) against 0 (the mean over all 2E pairs); one Adam(lr) step.

    Returns:
        the trained model, in eval mode.
    """
    torch.manual_seed(seed)
    num_nodes, num_edges = x.shape[0], edge_index.shape[1]
    model = LinkPredictor(x.shape[1], hidden, embedding)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for epoch in range(epochs):
        negatives = negative_sampling(edge_index, num_nodes, num_edges, seed=seed + epoch)
        z = model(x, edge_index)
        # BCE with logits: -log sigmoid(l) = softplus(-l) for edges, softplus(l) for non-edges
        loss = (F.softplus(-model.decode(z, edge_index)).sum()
                + F.softplus(model.decode(z, negatives)).sum()) / (2 * num_edges)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    model.eval()
    return model


def score_pairs(
    model: LinkPredictor, x: torch.Tensor, edge_index: torch.Tensor, pairs: torch.Tensor
) -> torch.Tensor:
    """(P,) edge probabilities sigmoid(<z_i, z_j>) of candidate pairs (2, P), with z computed
    from the (training) graph in eval mode without gradients."""
    model.eval()
    with torch.inference_mode():
        return torch.special.expit(model.decode(model(x, edge_index), pairs))
