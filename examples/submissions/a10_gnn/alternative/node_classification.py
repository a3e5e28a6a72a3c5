"""Node classification: a two-layer GCN trained on the labelled nodes of one graph.

This version applies inverted dropout with its own Bernoulli mask, picks the labelled nodes by
index (``nonzero``) and takes the loss as NLL of ``log_softmax``.
"""

import torch
import torch.nn.functional as F
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
        hidden = torch.relu(self.conv1(x, edge_index))
        if self.training and self.dropout > 0:  # inverted dropout: keep with prob 1 - p
            keep = 1.0 - self.dropout
            mask = torch.bernoulli(torch.full_like(hidden, keep))
            hidden = hidden * mask / keep
        return self.conv2(hidden, edge_index)


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
    labelled = train_mask.nonzero().squeeze(1)
    targets = y.index_select(0, labelled)
    model = GCN(x.shape[1], hidden, int(y.max()) + 1, dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    for _ in range(epochs):
        log_probs = F.log_softmax(model(x, edge_index).index_select(0, labelled), dim=1)
        loss = F.nll_loss(log_probs, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    model.eval()
    return model


def predict_nodes(model: nn.Module, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
    """(N,) int64 predicted classes: argmax of the logits in eval mode, without gradients."""
    model.eval()
    with torch.inference_mode():
        return model(x, edge_index).max(dim=1).indices
