"""Graph classification: batching many graphs into one, global pooling readouts, a classifier."""

import torch
import torch.nn.functional as F  # noqa: F401 (used by the code you write; the stub has none)
from message_passing import SAGELayer, scatter_sum  # noqa: F401 (for your pooling)
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
    raise NotImplementedError('implement collate in graph_classifier.py')


def global_add_pool(x: torch.Tensor, batch: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """(num_graphs, F): row g is the sum of the rows of x (N, F) with batch == g."""
    raise NotImplementedError('implement global_add_pool in graph_classifier.py')


def global_mean_pool(x: torch.Tensor, batch: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """(num_graphs, F): row g is the mean of the rows of x (N, F) with batch == g."""
    raise NotImplementedError('implement global_mean_pool in graph_classifier.py')


def global_max_pool(x: torch.Tensor, batch: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """(num_graphs, F): row g is the element-wise max of the rows of x (N, F) with batch == g
    (every graph has at least one node); use ``Tensor.scatter_reduce(..., reduce="amax")``."""
    raise NotImplementedError('implement global_max_pool in graph_classifier.py')


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
        raise NotImplementedError('implement GraphClassifier.forward in graph_classifier.py')


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

    ``torch.manual_seed(seed)``, ``GraphClassifier(F, hidden, labels.max() + 1)``; each epoch
    visits the graphs in ``torch.randperm(G)`` order in batches of ``batch_size``, each collated.

    Args:
        xs, edge_indices: the G graphs; labels: (G,) int64.

    Returns:
        the trained model, in eval mode.
    """
    raise NotImplementedError('implement train_graph_classifier in graph_classifier.py')


def predict_graphs(
    model: GraphClassifier, xs: list[torch.Tensor], edge_indices: list[torch.Tensor]
) -> torch.Tensor:
    """(G,) int64 predicted classes of the graphs, collated in one batch, eval mode, no grad."""
    raise NotImplementedError('implement predict_graphs in graph_classifier.py')
