"""Graph classification: batching many graphs into one, global pooling readouts, a classifier.

This version pools with a dense one-hot assignment matrix (sum), ``index_reduce`` (mean) and a
segment reduction over the nodes sorted by graph (max), and collates with running offsets.
"""

import torch
import torch.nn.functional as F
from message_passing import SAGELayer
from torch import nn


def collate(
    xs: list[torch.Tensor], edge_indices: list[torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Merge graphs into one disconnected graph (PyG's mini-batching).

    Node features are stacked; graph g's edges are shifted by the number of nodes of the graphs
    before it; ``batch[n]`` is the index of the graph node n comes from.

    Args:
        xs: G tensors (N_g, F); edge_indices: G tensors (2, E_g).

    Returns:
        x (sum N_g, F), edge_index (2, sum E_g) int64, batch (sum N_g,) int64.
    """
    shifted, owners, offset = [], [], 0
    for g, (x, edge_index) in enumerate(zip(xs, edge_indices, strict=True)):
        shifted.append(edge_index + offset)
        owners.append(torch.full((x.shape[0],), g, dtype=torch.int64, device=x.device))
        offset += x.shape[0]
    return torch.cat(xs), torch.cat(shifted, dim=1).to(torch.int64), torch.cat(owners)


def global_add_pool(x: torch.Tensor, batch: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """(num_graphs, F): row g is the sum of the rows of x (N, F) with batch == g."""
    assignment = F.one_hot(batch, num_graphs).to(x.dtype)  # (N, G)
    return assignment.T @ x


def global_mean_pool(x: torch.Tensor, batch: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """(num_graphs, F): row g is the mean of the rows of x (N, F) with batch == g."""
    return x.new_zeros(num_graphs, x.shape[1]).index_reduce_(0, batch, x, "mean",
                                                               include_self=False)


def global_max_pool(x: torch.Tensor, batch: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """(num_graphs, F): row g is the element-wise max of the rows of x (N, F) with batch == g
    (every graph has at least one node); use ``Tensor.scatter_reduce(..., reduce="amax")``."""
    order = torch.argsort(batch, stable=True)  # the nodes grouped by graph
    sizes = torch.bincount(batch, minlength=num_graphs)
    return torch.segment_reduce(x[order], "max", lengths=sizes, axis=0)


class GraphClassifier(nn.Module):
    """Two SAGELayers with ReLU, a [sum, max] readout per graph, then a two-layer MLP head."""

    def __init__(self, in_features: int, hidden: int = 32, num_classes: int = 2) -> None:
        super().__init__()
        self.conv1 = SAGELayer(in_features, hidden)
        self.conv2 = SAGELayer(hidden, hidden)
        self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, num_classes))

    def forward(
        self, x: torch.Tensor, edge_index: torch.Tensor, batch: torch.Tensor, num_graphs: int
    ) -> torch.Tensor:
        """Logits (num_graphs, num_classes) of a collated batch.

        h = relu(conv2(relu(conv1(x)))) per node; readout r_g = [sum_{n in g} h_n, max_{n in g}
        h_n] (2 hidden); logits = head(r).
        """
        h = torch.relu(self.conv1(x, edge_index))
        h = torch.relu(self.conv2(h, edge_index))
        pooled = (global_add_pool(h, batch, num_graphs), global_max_pool(h, batch, num_graphs))
        return self.head(torch.cat(pooled, dim=1))


def train_graph_classifier(
    xs: list[torch.Tensor],
    edge_indices: list[torch.Tensor],
    labels: torch.Tensor,
    *,
    hidden: int = 32,
    epochs: int = 30,
    batch_size: int = 32,
    lr: float = 0.01,
    seed: int = 0,
) -> GraphClassifier:
    """Minibatch training of a GraphClassifier with Adam(lr) and cross-entropy.

    ``torch.manual_seed(seed)``; every epoch visits the graphs in the order
    ``torch.randperm(G)`` in batches of ``batch_size``, each collated into one graph.

    Args:
        xs, edge_indices: the G graphs; labels: (G,) int64.

    Returns:
        the trained model, in eval mode.
    """
    torch.manual_seed(seed)
    model = GraphClassifier(xs[0].shape[1], hidden, int(labels.max()) + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        for chosen in torch.randperm(len(xs)).split(batch_size):
            ids = chosen.tolist()
            x, edge_index, batch = collate([xs[i] for i in ids], [edge_indices[i] for i in ids])
            logits = model(x, edge_index, batch, len(ids))
            loss = F.nll_loss(F.log_softmax(logits, dim=1), labels[chosen])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    model.eval()
    return model


def predict_graphs(
    model: GraphClassifier, xs: list[torch.Tensor], edge_indices: list[torch.Tensor]
) -> torch.Tensor:
    """(G,) int64 predicted classes of the graphs, collated in one batch, eval mode, no grad."""
    model.eval()
    x, edge_index, batch = collate(xs, edge_indices)
    with torch.inference_mode():
        return model(x, edge_index, batch, len(xs)).max(dim=1).indices
