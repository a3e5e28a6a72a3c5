"""Attention at scale: what it costs, and a tiled attention that never forms the T x T matrix.

Cost of softmax(q k^T) v for B batches, H heads, L queries, S keys, key width E, value width
Ev: the two matrix products take 2 B H L S E + 2 B H L S Ev floating-point operations (a
multiply and an add per term, as torch.utils.flop_counter.FlopCounterMode counts them), and the
score matrix alone holds B H L S numbers: both grow with the square of the sequence length.

Online softmax (Milakov & Gimelshein 2018; FlashAttention, Dao et al. 2022). Visit the keys in
blocks; for each query row keep a running maximum m, a running normaliser ell and an unnormalised
output acc. For a block of scores s (L, b) and values V_b (b, Ev):

    m' = max(m, max_j s_j)          alpha = exp(m - m')          p = exp(s - m')
    ell' = alpha ell + sum_j p_j        acc' = alpha acc + p V_b

Starting from m = -inf, ell = 0, acc = 0, after the last block out = acc / ell equals softmax(s) V
exactly, with only L x b scores in memory at a time. A row that has seen no unmasked key yet has
m = -inf; treat exp(m - m') as 0 there (never compute -inf - (-inf)), and give a row with ell = 0
at the end the output 0.
"""

import math

import torch
from torch import Tensor


def attention_flops(batch: int, heads: int, q_len: int, k_len: int, head_dim: int,
                    v_dim: int | None = None) -> int:
    """2 B H L S E + 2 B H L S Ev (Ev = head_dim when v_dim is None), as an int."""
    v_dim = head_dim if v_dim is None else v_dim
    return 2 * batch * heads * q_len * k_len * (head_dim + v_dim)


def score_matrix_bytes(batch: int, heads: int, q_len: int, k_len: int,
                       bytes_per_element: int = 4) -> int:
    """Bytes of one (B, H, L, S) score matrix (e.g. 4 per element in float32)."""
    return batch * heads * q_len * k_len * bytes_per_element


def online_softmax_update(m: Tensor, ell: Tensor, acc: Tensor, scores: Tensor, values: Tensor
                          ) -> tuple[Tensor, Tensor, Tensor]:
    """One block of the online softmax (the update above). Does not modify its arguments.

    Args:
        m, ell: (..., L, 1) running maximum and normaliser. acc: (..., L, Ev).
        scores: (..., L, b) this block's scores (-inf where masked). values: (..., b, Ev).

    Returns:
        (m', ell', acc').
    """
    m_new = torch.maximum(m, scores.amax(dim=-1, keepdim=True))
    # rows that have seen only masked keys keep m' = -inf: shift by 0 there instead
    shift = torch.where(torch.isneginf(m_new), torch.zeros_like(m_new), m_new)
    alpha = torch.exp(m - shift)
    p = torch.exp(scores - shift)
    return m_new, alpha * ell + p.sum(dim=-1, keepdim=True), alpha * acc + p @ values


def tiled_attention(q: Tensor, k: Tensor, v: Tensor, block_size: int = 64,
                    is_causal: bool = False, scale: float | None = None) -> Tensor:
    """softmax(q k^T scale (+ causal mask)) v, computed block by block with the online softmax.

    Loop over the keys in blocks of block_size (the last block may be smaller); scores exist
    only for one block at a time, so no (..., L, S) tensor is ever formed. Gradients flow by
    autograd through the loop and must equal those of scaled_dot_product_attention.

    Args:
        q: (..., L, E). k: (..., S, E). v: (..., S, Ev). is_causal: query i sees keys j <= i.
        scale: None means 1 / sqrt(E).

    Returns:
        (..., L, Ev); rows without any visible key are 0.
    """
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    q_len, k_len = q.shape[-2], k.shape[-2]
    m = q.new_full((*q.shape[:-1], 1), float("-inf"))
    ell = q.new_zeros((*q.shape[:-1], 1))
    acc = q.new_zeros((*q.shape[:-1], v.shape[-1]))
    rows = torch.arange(q_len, device=q.device)[:, None]
    for start in range(0, k_len - block_size + 1, block_size):
        stop = min(start + block_size, k_len)
        scores = (q @ k[..., start:stop, :].transpose(-2, -1)) * scale  # (..., L, b)
        if is_causal:
            cols = torch.arange(start, stop, device=q.device)[None, :]
            scores = scores.masked_fill(cols > rows, float("-inf"))
        m, ell, acc = online_softmax_update(m, ell, acc, scores, v[..., start:stop, :])
    return torch.where(ell > 0, acc / torch.where(ell > 0, ell, torch.ones_like(ell)),
                       torch.zeros_like(acc))
