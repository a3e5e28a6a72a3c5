"""Message passing from scratch: scatter sums, GCN, GraphSAGE (mean) and GAT layers.

Conventions (those of PyTorch Geometric): ``x`` is (N, F) node features; ``edge_index`` is a
(2, E) int64 tensor, column e is the edge ``j = edge_index[0, e] -> i = edge_index[1, e]``: node j
(the source) sends a message to node i (the target). An undirected graph lists both directions.
Inputs have no self-loops; the layers that need them add them.

Parameter names are part of the API (the graders load weights with ``load_state_dict``):
``GCNLayer``: ``lin.weight`` (F_out, F_in), ``bias`` (F_out,);
``SAGELayer``: ``lin_neigh.weight`` (F_out, F_in), ``lin_neigh.bias`` (F_out,),
``lin_self.weight`` (F_out, F_in);
``GATLayer``: ``lin.weight`` (H C, F_in), ``att_src`` (H, C), ``att_dst`` (H, C), ``bias``
(H C,) with ``concat=True`` or (C,) with ``concat=False``.
"""

import torch
import torch.nn.functional as F  # noqa: F401 (used by the code you write; the stub has none)
from torch import nn


def scatter_sum(src: torch.Tensor, index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """out[i] = sum of src[e] over the e with index[e] == i (zero where there is none).

    Args:
        src: (E, ...) values, one row per edge.
        index: (E,) int64 target of each row, in [0, num_nodes).

    Returns:
        (num_nodes, ...) with src's dtype; use ``Tensor.index_add`` (differentiable).
    """
    out = src.new_zeros((num_nodes, *src.shape[1:]))
    return out.index_add(0, index, src)


def scatter_mean(src: torch.Tensor, index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """out[i] = mean of src[e] over the e with index[e] == i, and 0 where there is none.

    Args:
        src: (E, ...); index: (E,) int64.

    Returns:
        (num_nodes, ...).
    """
    total = scatter_sum(src, index, num_nodes)
    count = torch.bincount(index, minlength=num_nodes).clamp(min=1).to(src.dtype)
    return total / count.view(-1, *([1] * (src.dim() - 1)))


def add_self_loops(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """Append the loops i -> i for every node, after the existing columns.

    Args:
        edge_index: (2, E) int64 without self-loops.

    Returns:
        (2, E + num_nodes): edge_index followed by [[0, 1, .., N-1], [0, 1, .., N-1]].
    """
    loops = torch.arange(num_nodes, dtype=edge_index.dtype, device=edge_index.device)
    return torch.cat([edge_index, torch.stack([loops, loops])], dim=1)


def gcn_norm(edge_index: torch.Tensor, num_nodes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Self-loops and the symmetric normalisation of GCN (Kipf & Welling).

    With A_hat = A + I and d_i = sum_j A_hat[i, j] (the in-degree at the target, counting the
    self-loop), each edge j -> i of A_hat gets the weight 1 / sqrt(d_j d_i), i.e. the entries
    of D^-1/2 A_hat D^-1/2.

    Args:
        edge_index: (2, E) int64 without self-loops.

    Returns:
        (edge_index with self-loops as ``add_self_loops`` orders them (2, E + N),
         weights (E + N,) float64: cast them to the features' dtype where you use them).
    """
    edge_index = add_self_loops(edge_index, num_nodes)
    src, dst = edge_index
    deg = torch.bincount(dst, minlength=num_nodes).double()
    return edge_index, 1.0 / deg[dst]


def segment_softmax(scores: torch.Tensor, index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """Softmax of edge scores over the edges that share a target node.

    alpha[e] = exp(s[e] - m[i]) / sum_{e': index[e'] = i} exp(s[e'] - m[i]) with i = index[e]
    and m[i] the largest score into i (subtracted for stability; ``Tensor.scatter_reduce``
    with ``reduce="amax"`` computes it).

    Args:
        scores: (E, H) one score per edge and head.
        index: (E,) int64 target node of each edge.

    Returns:
        (E, H); for each target and head the weights sum to 1.
    """
    idx = index.view(-1, 1).expand_as(scores)
    m = scores.new_full((num_nodes, scores.shape[1]), float("-inf"))
    m = m.scatter_reduce(0, idx, scores, reduce="amax", include_self=True)
    e = torch.exp(scores - m[index].detach())
    return e / scatter_sum(e, index, num_nodes)[index]


class GCNLayer(nn.Module):
    """Graph convolution: X' = D^-1/2 (A + I) D^-1/2 X W^T + b."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.lin = nn.Linear(in_features, out_features, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_features))

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        """x'_i = sum_{j in N(i) + {i}} x_j W^T / sqrt(d_i d_j) + b  (see gcn_norm).

        Args:
            x: (N, F_in); edge_index: (2, E).

        Returns:
            (N, F_out).
        """
        num_nodes = x.shape[0]
        edge_index, weight = gcn_norm(edge_index, num_nodes)
        h = self.lin(x)
        messages = h[edge_index[0]] * weight.to(h.dtype).unsqueeze(1)  # (E + N, F_out)
        return scatter_sum(messages, edge_index[1], num_nodes) + self.bias


class SAGELayer(nn.Module):
    """GraphSAGE with mean aggregation: x'_i = W_1 mean_{j in N(i)} x_j + b + W_2 x_i."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.lin_neigh = nn.Linear(in_features, out_features)
        self.lin_self = nn.Linear(in_features, out_features, bias=False)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        """x'_i = lin_neigh(mean_{j -> i} x_j) + lin_self(x_i); the mean is 0 for a node with
        no incoming edge. No self-loops are added.

        Args:
            x: (N, F_in); edge_index: (2, E).

        Returns:
            (N, F_out).
        """
        src, dst = edge_index
        neigh = scatter_sum(x[src], dst, x.shape[0])  # (N, F_in)
        return self.lin_neigh(neigh) + self.lin_self(x)


class GATLayer(nn.Module):
    """Graph attention (Velickovic et al.) with ``heads`` heads of ``out_features`` channels."""

    def __init__(
        self, in_features: int, out_features: int, heads: int = 1, concat: bool = True,
        negative_slope: float = 0.2,
    ) -> None:
        super().__init__()
        self.heads, self.out_features, self.concat = heads, out_features, concat
        self.negative_slope = negative_slope
        self.lin = nn.Linear(in_features, heads * out_features, bias=False)
        self.att_src = nn.Parameter(torch.randn(heads, out_features) / out_features**0.5)
        self.att_dst = nn.Parameter(torch.randn(heads, out_features) / out_features**0.5)
        self.bias = nn.Parameter(torch.zeros(heads * out_features if concat else out_features))

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        """Multi-head attention over each node's neighbours and itself (self-loops added).

        h = lin(x) viewed as (N, H, C); for every edge j -> i (loops included) and head k:
            e_ijk = LeakyReLU(<att_src[k], h_jk> + <att_dst[k], h_ik>, negative_slope)
            alpha_ijk = softmax of e_ijk over the edges into i   (segment_softmax by target)
            out_ik = sum_j alpha_ijk h_jk
        Then concatenate the heads (N, H C) if ``concat`` else average them (N, C); add bias.

        Args:
            x: (N, F_in); edge_index: (2, E).

        Returns:
            (N, H * C) or (N, C).
        """
        num_nodes = x.shape[0]
        src, dst = add_self_loops(edge_index, num_nodes)
        h = self.lin(x).view(num_nodes, self.heads, self.out_features)  # (N, H, C)
        score_src = (h * self.att_src).sum(-1)  # (N, H)
        score_dst = (h * self.att_dst).sum(-1)
        scores = F.leaky_relu(score_src[src] + score_dst[dst], self.negative_slope)  # (E, H)
        alpha = segment_softmax(scores, src, num_nodes)
        out = scatter_sum(h[src] * alpha.unsqueeze(-1), dst, num_nodes)  # (N, H, C)
        out = out.reshape(num_nodes, -1) if self.concat else out.mean(dim=1)
        return out + self.bias
