"""Link prediction: a GCN encoder, an inner-product decoder, negative sampling and ROC-AUC."""

import torch
import torch.nn.functional as F  # noqa: F401 (used by the code you write; the stub has none)
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
    existing = edge_index[0] * num_nodes + edge_index[1]
    kept: list[torch.Tensor] = []
    count = 0
    while count < num_samples:
        pairs = torch.randint(0, num_nodes, (2, 2 * num_samples + 8), generator=generator)
        ok = (pairs[0] != pairs[1]) & ~torch.isin(pairs[0] * num_nodes + pairs[1], existing)
        kept.append(pairs[:, ok])
        count += int(ok.sum())
    return torch.cat(kept, dim=1)[:, :num_samples]


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
    raise NotImplementedError("implement roc_auc in link_prediction.py")


class LinkPredictor(nn.Module):
    """A graph autoencoder: GCN encoder z = GCN(x), decoder logit(i, j) = <z_i, z_j>."""

    def __init__(self, in_features: int, hidden: int = 32, embedding: int = 16) -> None:
        super().__init__()
        self.conv1 = GCNLayer(in_features, hidden)
        self.conv2 = GCNLayer(hidden, embedding)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        """Node embeddings z = conv2(relu(conv1(x, edge_index)), edge_index): (N, embedding)."""
        return self.conv2(F.relu(self.conv1(x, edge_index)), edge_index)

    def decode(self, z: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        """Logits of the pairs: (P,) with entry p = <z[pairs[0, p]], z[pairs[1, p]]>.

        Args:
            z: (N, D); pairs: (2, P) int64.
        """
        return (z[pairs[0]] * z[pairs[1]]).sum(dim=-1)


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
    targets = torch.cat([torch.ones(num_edges), torch.zeros(num_edges)])
    model.train()
    for epoch in range(epochs):
        optimizer.zero_grad()
        z = model(x, edge_index)
        negatives = negative_sampling(edge_index, num_nodes, num_edges, seed=seed + epoch)
        logits = torch.cat([model.decode(z, edge_index), model.decode(z, negatives)])
        loss = F.binary_cross_entropy_with_logits(logits, targets)
        loss.backward()
        optimizer.step()
    return model.eval()


def score_pairs(
    model: LinkPredictor, x: torch.Tensor, edge_index: torch.Tensor, pairs: torch.Tensor
) -> torch.Tensor:
    """(P,) edge probabilities sigmoid(<z_i, z_j>) of candidate pairs (2, P), with z computed
    from the (training) graph in eval mode without gradients."""
    model.eval()
    with torch.no_grad():
        return torch.sigmoid(model.decode(model(x, edge_index), pairs))
