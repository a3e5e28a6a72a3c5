"""Dynamic graphs: a recurrent GNN (GCN + GRU) predicting each node's next label.

This version runs the GCN on all T snapshots at once, as one disconnected graph of T N nodes
(snapshot t's edges shifted by t N), then only the GRU steps through time; the read-out is one
linear map over the stacked states. The GRU cell uses ``addmm`` for the stacked gates and
``torch.lerp`` for h' = n + z (h - n).
"""

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
        hidden = self.hidden_size
        gi = torch.addmm(self.bias_ih, x, self.weight_ih.T)  # (N, 3H): x_r, x_z, x_n
        gh = torch.addmm(self.bias_hh, h, self.weight_hh.T)  # (N, 3H): h_r, h_z, h_n
        r, z = torch.sigmoid(gi[:, :2 * hidden] + gh[:, :2 * hidden]).chunk(2, dim=1)
        n = torch.tanh(gi[:, 2 * hidden:] + r * gh[:, 2 * hidden:])
        return torch.lerp(n, h, z)  # (1 - z) n + z h


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
        steps, num_nodes = len(xs), xs[0].shape[0]
        # the T snapshots as one graph of T N nodes: one GCN pass for every step
        big_x = torch.cat(list(xs))
        big_edges = torch.cat([e + t * num_nodes for t, e in enumerate(edge_indices)], dim=1)
        messages = torch.relu(self.conv(big_x, big_edges)).view(steps, num_nodes, -1)
        h = messages.new_zeros(num_nodes, self.hidden)
        states = []
        for m_t in messages.unbind(0):
            h = self.gru(m_t, h)
            states.append(h)
        return self.out(torch.stack(states))  # (T, N, C)


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
    num_classes = max(int(y.max()) for y in ys) + 1
    builders = {"static": StaticGCN, "recurrent": RecurrentGCN}
    if kind not in builders:
        raise ValueError(f"kind must be 'static' or 'recurrent', not {kind!r}")
    model = builders[kind](xs[0].shape[1], hidden, num_classes)
    steps = len(ys) - 1
    targets = torch.cat(list(ys[1:]))  # (T - 1) N labels, step-major like the logits
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        logits = model(xs[:steps], edge_indices[:steps]).reshape(-1, num_classes)
        loss = F.cross_entropy(logits, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    model.eval()
    return model


def predict_next_labels(
    model: nn.Module, xs: list[torch.Tensor], edge_indices: list[torch.Tensor]
) -> torch.Tensor:
    """(T, N) int64: row t is the predicted labels of step t + 1 (argmax, eval, no grad)."""
    model.eval()
    with torch.inference_mode():
        return model(xs, edge_indices).max(dim=-1).indices
