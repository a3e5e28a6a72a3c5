"""Dynamic graphs: a recurrent GNN (GCN + GRU) predicting each node's next label."""

import torch
import torch.nn.functional as F
from message_passing import GCNLayer
from torch import nn


class GRUCell(nn.Module):
    """A GRU cell with torch.nn.GRUCell's parameters and equations (gates r, z, n in order).

    weight_ih (3H, F), weight_hh (3H, H), bias_ih (3H,), bias_hh (3H,).
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        bound = hidden_size**-0.5

        def uniform(*shape: int) -> nn.Parameter:
            return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))

        self.weight_ih = uniform(3 * hidden_size, input_size)
        self.weight_hh = uniform(3 * hidden_size, hidden_size)
        self.bias_ih = uniform(3 * hidden_size)
        self.bias_hh = uniform(3 * hidden_size)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One step, x (N, F), h (N, H) -> h' (N, H):

            r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
            z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
            n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
            h' = (1 - z) * n + z * h
        where W_ir, W_iz, W_in are the three row blocks of weight_ih (likewise the others).
        """
        gi = F.linear(x, self.weight_ih, self.bias_ih).chunk(3, dim=1)
        gh = F.linear(h, self.weight_hh, self.bias_hh).chunk(3, dim=1)
        r = torch.sigmoid(gi[0] + gh[0])
        z = torch.sigmoid(gi[1] + gh[1])
        n = torch.tanh(gi[2] + r * gh[2])
        return (1 - z) * n + z * h


class StaticGCN(nn.Module):
    """The baseline: each step is classified from its own snapshot only."""

    def __init__(self, in_features: int, hidden: int, num_classes: int) -> None:
        super().__init__()
        self.conv = GCNLayer(in_features, hidden)
        self.out = nn.Linear(hidden, num_classes)

    def forward(self, xs: list[torch.Tensor], edge_indices: list[torch.Tensor]) -> torch.Tensor:
        """logits_t = out(relu(conv(x_t, edge_index_t))) for each step: (T, N, num_classes)."""
        return torch.stack([self.out(F.relu(self.conv(x, e)))
                            for x, e in zip(xs, edge_indices, strict=True)])


class RecurrentGCN(nn.Module):
    """GCN per snapshot, a GRU across time (per node), a linear read-out of the state."""

    def __init__(self, in_features: int, hidden: int, num_classes: int) -> None:
        super().__init__()
        self.hidden = hidden
        self.conv = GCNLayer(in_features, hidden)
        self.gru = GRUCell(hidden, hidden)
        self.out = nn.Linear(hidden, num_classes)

    def forward(self, xs: list[torch.Tensor], edge_indices: list[torch.Tensor]) -> torch.Tensor:
        """For t = 0 .. T-1, with h_{-1} = 0 (N, hidden):

            m_t = relu(conv(x_t, edge_index_t));  h_t = gru(m_t, h_{t-1});  logits_t = out(h_t)

        Args:
            xs: T tensors (N, F); edge_indices: T tensors (2, E_t), the same N nodes throughout.

        Returns:
            (T, N, num_classes): logits_t predicts the labels of step t + 1.
        """
        h = xs[0].new_zeros(xs[0].shape[0], self.hidden)
        logits = []
        for x, edge_index in zip(xs, edge_indices, strict=True):
            h = self.gru(F.relu(self.conv(x, edge_index)), h)
            logits.append(self.out(h))
        return torch.stack(logits)


def train_next_label(
    kind: str,
    xs: list[torch.Tensor],
    edge_indices: list[torch.Tensor],
    ys: list[torch.Tensor],
    *,
    hidden: int = 16,
    epochs: int = 100,
    lr: float = 0.02,
    seed: int = 0,
) -> nn.Module:
    """Train a model to predict every node's next label.

    ``torch.manual_seed(seed)``, then build ``StaticGCN`` (kind "static") or ``RecurrentGCN``
    (kind "recurrent") with F = xs[0].shape[1] inputs, ``hidden`` units and
    C = max label + 1 classes. With T = len(ys) labelled steps (len(xs) >= T - 1 snapshots):
    run the model on the snapshots 0 .. T-2 and take the mean cross-entropy of logits_t against
    ys[t + 1] over all steps t = 0 .. T-2 and all nodes; ``epochs`` full-batch Adam(lr) steps.

    Returns:
        the trained model, in eval mode.
    """
    torch.manual_seed(seed)
    models = {"static": StaticGCN, "recurrent": RecurrentGCN}
    num_classes = int(torch.stack(ys).max()) + 1
    model = models[kind](xs[0].shape[1], hidden, num_classes)
    steps = len(ys) - 1
    targets = torch.stack(ys[1:])  # (T - 1, N)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        optimizer.zero_grad()
        logits = model(xs[:steps], edge_indices[:steps])  # (T - 1, N, C)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        loss.backward()
        optimizer.step()
    return model.eval()


def predict_next_labels(
    model: nn.Module, xs: list[torch.Tensor], edge_indices: list[torch.Tensor]
) -> torch.Tensor:
    """(T, N) int64: row t is the predicted labels of step t + 1 (argmax, eval, no grad)."""
    model.eval()
    with torch.no_grad():
        return model(xs, edge_indices).argmax(dim=-1)
