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

This version aggregates with sparse matrices instead of ``index_add``: a scatter sum is the
product of the (num_nodes, E) incidence matrix S (S[index[e], e] = 1) with the rows, and a GCN
layer multiplies by the sparse normalised adjacency D^-1/2 (A + I) D^-1/2, aggregating before
the linear map (A (X W^T) = (A X) W^T). GraphSAGE averages with a dense row-normalised adjacency
matrix. The softmax over each target is computed in log space (per-target max from
``index_reduce``, then exp(s - m - log sum exp(s - m))).
"""

import torch
from torch import nn


def _incidence(index: torch.Tensor, num_nodes: int, dtype: torch.dtype) -> torch.Tensor:
    """The sparse (num_nodes, E) matrix S with S[index[e], e] = 1."""
    edges = torch.arange(index.numel(), device=index.device)
    values = torch.ones(index.numel(), dtype=dtype, device=index.device)
    return torch.sparse_coo_tensor(torch.stack((index, edges)), values,
                                   (num_nodes, index.numel()), check_invariants=False)


def normalized_adjacency(edge_index: torch.Tensor, num_nodes: int, dtype: torch.dtype
                         ) -> torch.Tensor:
    """The sparse (N, N) matrix D^-1/2 (A + I) D^-1/2, entry [target, source]."""
    looped, weight = gcn_norm(edge_index, num_nodes)
    return torch.sparse_coo_tensor(looped.flip(0), weight.to(dtype), (num_nodes, num_nodes),
                                   check_invariants=False)


def gcn_propagate(x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
    """D^-1/2 (A + I) D^-1/2 x for x (N, F): the aggregation of a GCN layer, without W and b."""
    adjacency = normalized_adjacency(edge_index, x.shape[0], x.dtype)
    return torch.sparse.mm(adjacency, x)


def scatter_sum(src: torch.Tensor, index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """out[i] = sum of src[e] over the e with index[e] == i (zero where there is none).

    Args:
        src: (E, ...) values, one row per edge.
        index: (E,) int64 target of each row, in [0, num_nodes).

    Returns:
        (num_nodes, ...) with src's dtype; use ``Tensor.index_add`` (differentiable).
    """
    flat = src.reshape(src.shape[0], -1)  # (E, prod of the other dims)
    out = torch.sparse.mm(_incidence(index, num_nodes, src.dtype), flat)
    return out.reshape(num_nodes, *src.shape[1:])


def scatter_mean(src: torch.Tensor, index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """out[i] = mean of src[e] over the e with index[e] == i, and 0 where there is none.

    Args:
        src: (E, ...); index: (E,) int64.

    Returns:
        (num_nodes, ...).
    """
    # one pass: the rows with a column of ones appended give the sums and the counts together
    flat = src.reshape(src.shape[0], -1)
    both = scatter_sum(torch.cat((flat, flat.new_ones(flat.shape[0], 1)), dim=1), index,
                       num_nodes)
    sums, counts = both[:, :-1], both[:, -1:]
    return (sums / counts.clamp(min=1)).reshape(num_nodes, *src.shape[1:])


def add_self_loops(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """Append the loops i -> i for every node, after the existing columns.

    Args:
        edge_index: (2, E) int64 without self-loops.

    Returns:
        (2, E + num_nodes): edge_index followed by [[0, 1, .., N-1], [0, 1, .., N-1]].
    """
    nodes = torch.arange(num_nodes, dtype=edge_index.dtype, device=edge_index.device)
    return torch.hstack((edge_index, nodes.expand(2, num_nodes)))


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
    looped = add_self_loops(edge_index, num_nodes)
    src, dst = looped
    degree = torch.zeros(num_nodes, dtype=torch.float64, device=dst.device)
    degree.scatter_add_(0, dst, torch.ones(dst.numel(), dtype=torch.float64, device=dst.device))
    return looped, torch.rsqrt(degree[src] * degree[dst])


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
    heads = scores.shape[1]
    with torch.no_grad():  # the shift cancels in the softmax: no gradient through it
        peak = scores.new_zeros(num_nodes, heads).index_reduce_(0, index, scores, "amax",
                                                                 include_self=False)
    shifted = scores - peak[index]  # <= 0, and 0 at each target's maximum
    log_norm = torch.log(scatter_sum(torch.exp(shifted), index, num_nodes))  # >= 0
    return torch.exp(shifted - log_norm[index])


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
        return self.lin(gcn_propagate(x, edge_index)) + self.bias


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
        num_nodes = x.shape[0]
        src, dst = edge_index
        adjacency = x.new_zeros(num_nodes, num_nodes).index_put_(
            (dst, src), x.new_ones(src.numel()), accumulate=True)  # [target, source] counts
        in_degree = adjacency.sum(dim=1, keepdim=True).clamp(min=1)
        neigh = (adjacency / in_degree) @ x  # D^-1 A x: the mean over in-neighbours, 0 if none
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
        num_nodes, heads, channels = x.shape[0], self.heads, self.out_features
        src, dst = add_self_loops(edge_index, num_nodes)
        h = self.lin(x).view(num_nodes, heads, channels)
        # <att, h> per node and head, then per edge: (E + N, H)
        logits = (torch.einsum("nhc,hc->nh", h, self.att_src)[src]
                  + torch.einsum("nhc,hc->nh", h, self.att_dst)[dst])
        logits = torch.where(logits > 0, logits, self.negative_slope * logits)  # LeakyReLU
        alpha = segment_softmax(logits, dst, num_nodes)
        out = scatter_sum(alpha.unsqueeze(-1) * h[src], dst, num_nodes)  # (N, H, C)
        if self.concat:
            return out.flatten(1) + self.bias
        return out.sum(dim=1) / heads + self.bias
