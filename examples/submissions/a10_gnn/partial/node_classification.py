"""Node classification: a two-layer GCN trained on the labelled nodes of one graph."""

import torch
import torch.nn.functional as F  # noqa: F401 (used by the code you write; the stub has none)
from message_passing import GCNLayer
from torch import nn


class GCN(nn.Module):
    """GCNLayer -> ReLU -> dropout -> GCNLayer: logits for every node (Kipf & Welling)."""

    def __init__(
        self, in_features: int, hidden: int, num_classes: int, dropout: float = 0.5
    ) -> None:
        super().__init__()
        self.conv1 = GCNLayer(in_features, hidden)
        self.conv2 = GCNLayer(hidden, num_classes)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        """Z = A_n relu(A_n X W_1^T + b_1) W_2^T + b_2 with A_n = D^-1/2 (A + I) D^-1/2, dropout
        (``F.dropout`` with ``self.training``) on the hidden features.

        Args:
            x: (N, F_in); edge_index: (2, E).

        Returns:
            (N, num_classes) logits.
        """
        h = F.relu(self.conv1(x, edge_index))
        h = F.dropout(h, self.dropout, training=self.training)
        return self.conv2(h, edge_index)


def train_node_classifier(
    x: torch.Tensor,
    edge_index: torch.Tensor,
    y: torch.Tensor,
    train_mask: torch.Tensor,
    *,
    hidden: int = 16,
    epochs: int = 200,
    lr: float = 0.01,
    weight_decay: float = 5e-4,
    dropout: float = 0.5,
    seed: int = 0,
) -> GCN:
    """Train a GCN on the labelled nodes only (semi-supervised, full-batch).

    ``torch.manual_seed(seed)``, build ``GCN(F_in, hidden, y.max() + 1, dropout)``, then for
    ``epochs`` steps of Adam(lr, weight_decay): the cross-entropy of the logits of the nodes in
    ``train_mask`` (the whole graph is propagated; only the loss is masked). Labels outside
    ``train_mask`` may be anything (e.g. -1) and must not be used.

    Args:
        x: (N, F_in) float; edge_index: (2, E); y: (N,) int64; train_mask: (N,) bool.

    Returns:
        the trained model, in eval mode.
    """
    torch.manual_seed(seed)
    num_classes = int(y[train_mask].max()) + 1
    model = GCN(x.shape[1], hidden, num_classes, dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x, edge_index)[train_mask], y[train_mask])
        loss.backward()
        optimizer.step()
    return model.eval()


def predict_nodes(model: nn.Module, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
    """(N,) int64 predicted classes: argmax of the logits in eval mode, without gradients."""
    model.eval()
    with torch.no_grad():
        return model(x, edge_index).argmax(dim=1)
