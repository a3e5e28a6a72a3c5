"""Multi-head attention with torch.nn.MultiheadAttention's parameters, so its state_dicts load.

With E = embed_dim, H = num_heads and d = E / H, each head h has its own projections:

    Q = query W_q^T + b_q,  K = key W_k^T + b_k,  V = value W_v^T + b_v      (N, L|S, E)
    head_h = softmax(Q_h K_h^T / sqrt(d) + M) V_h                            (N, L, d)
    out = concat_h(head_h) W_o^T + b_o                                       (N, L, E)

Parameter layout (torch's): when kdim == vdim == E the three input projections are packed in
``in_proj_weight`` (3E, E), rows [W_q; W_k; W_v]; otherwise they are ``q_proj_weight`` (E, E),
``k_proj_weight`` (E, kdim) and ``v_proj_weight`` (E, vdim). ``in_proj_bias`` (3E,) packs
[b_q; b_k; b_v]; ``out_proj`` is a Linear(E, E).
"""

import torch
import torch.nn.functional as F
from attention import attention_weights
from torch import Tensor, nn


def split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(N, T, E) -> (N, H, T, E / H): head h holds features [h d, (h + 1) d)."""
    ### BEGIN SOLUTION
    n, t, e = x.shape
    return x.reshape(n, t, num_heads, e // num_heads).transpose(1, 2)
    ### END SOLUTION


def merge_heads(x: Tensor) -> Tensor:
    """(N, H, T, d) -> (N, T, H d), the inverse of split_heads."""
    ### BEGIN SOLUTION
    n, h, t, d = x.shape
    return x.transpose(1, 2).reshape(n, t, h * d)
    ### END SOLUTION


def combine_masks(attn_mask: Tensor | None, key_padding_mask: Tensor | None, batch: int,
                  num_heads: int, q_len: int, k_len: int, like: Tensor) -> Tensor | None:
    """nn.MultiheadAttention's two masks as one additive mask for attention_weights.

    Careful: these follow nn.MultiheadAttention, where a boolean True means "may NOT attend"
    (the opposite of scaled_dot_product_attention). A float mask is added to the scores.

    Args:
        attn_mask: None, (L, S) or (N H, L, S) (row n H + h for batch n, head h).
        key_padding_mask: None or (N, S): True (or -inf) at keys to ignore (padding).
        like: a float tensor whose dtype and device the result takes (e.g. the queries).

    Returns:
        None when both masks are None, else an additive float mask (N, H, L, S) like `like`:
        0 where allowed, -inf where masked, plus any float values given.
    """
    ### BEGIN SOLUTION
    if attn_mask is None and key_padding_mask is None:
        return None
    dtype = like.dtype
    mask = like.new_zeros(batch, num_heads, q_len, k_len)
    if attn_mask is not None:
        attn_mask = _additive(attn_mask, dtype)
        if attn_mask.dim() == 3:
            attn_mask = attn_mask.reshape(batch, num_heads, q_len, k_len)
        mask = mask + attn_mask
    if key_padding_mask is not None:
        mask = mask + _additive(key_padding_mask, dtype)[:, None, None, :]
    return mask
    ### END SOLUTION


def _additive(mask: Tensor, dtype: torch.dtype) -> Tensor:
    """A boolean mask (True = masked) as 0 / -inf; a float mask as it is, in `dtype`."""
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(
            mask, float("-inf"))
    return mask.to(dtype)


class MultiheadAttention(nn.Module):
    """torch.nn.MultiheadAttention's interface and parameters (no add_bias_kv, add_zero_attn).

    Inputs are (L, N, E) / (S, N, kdim) / (S, N, vdim), or (N, L, E)... with batch_first=True.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 kdim: int | None = None, vdim: int | None = None,
                 batch_first: bool = False) -> None:
        super().__init__()
        if embed_dim % num_heads != 0:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        self.batch_first = batch_first
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = nn.Parameter(torch.empty(embed_dim, embed_dim))
            self.k_proj_weight = nn.Parameter(torch.empty(embed_dim, self.kdim))
            self.v_proj_weight = nn.Parameter(torch.empty(embed_dim, self.vdim))
        if bias:
            self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        for p in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight,
                  self.v_proj_weight):
            if p is not None:
                nn.init.xavier_uniform_(p)
        if bias:
            nn.init.zeros_(self.out_proj.bias)

    def projection_weights(self) -> tuple[Tensor, Tensor, Tensor]:
        """(W_q, W_k, W_v): (E, E), (E, kdim), (E, vdim), from whichever layout is in use."""
        ### BEGIN SOLUTION
        if self._qkv_same_embed_dim:
            w_q, w_k, w_v = self.in_proj_weight.chunk(3, dim=0)
            return w_q, w_k, w_v
        return self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        ### END SOLUTION

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True
                ) -> tuple[Tensor, Tensor | None]:
        """Multi-head attention of query over key/value (torch's forward, 3-D inputs).

        Masks as in combine_masks. Dropout with probability ``self.dropout`` is applied to the
        attention weights in training mode only (``F.dropout`` on the weights; the global RNG).

        Returns:
            (out, weights): out is (L, N, E), or (N, L, E) with batch_first. weights is None
            unless need_weights; then the attention weights (after dropout), averaged over the
            heads (N, L, S) when average_attn_weights, else per head (N, H, L, S). Fully
            masked query rows get zero weights and the output bias b_o alone.
        """
        ### BEGIN SOLUTION
        if not self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        n, q_len, _ = query.shape
        k_len = key.shape[1]
        w_q, w_k, w_v = self.projection_weights()
        b_q, b_k, b_v = (self.in_proj_bias.chunk(3) if self.in_proj_bias is not None
                         else (None, None, None))
        q = split_heads(F.linear(query, w_q, b_q), self.num_heads)  # (N, H, L, d)
        k = split_heads(F.linear(key, w_k, b_k), self.num_heads)    # (N, H, S, d)
        v = split_heads(F.linear(value, w_v, b_v), self.num_heads)  # (N, H, S, d)
        mask = combine_masks(attn_mask, key_padding_mask, n, self.num_heads, q_len, k_len, q)
        weights = attention_weights(q, k, mask)
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout)
        out = self.out_proj(merge_heads(weights @ v))
        if not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        return out, weights.mean(dim=1) if average_attn_weights else weights
        ### END SOLUTION
