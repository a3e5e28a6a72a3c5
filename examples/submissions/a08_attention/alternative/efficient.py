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
    ev = v_dim if v_dim is not None else head_dim
    pairs = batch * heads * q_len * k_len
    return int(2 * pairs * head_dim + 2 * pairs * ev)


def score_matrix_bytes(batch: int, heads: int, q_len: int, k_len: int,
                       bytes_per_element: int = 4) -> int:
    """Bytes of one (B, H, L, S) score matrix (e.g. 4 per element in float32)."""
    return int(bytes_per_element) * batch * heads * q_len * k_len


def online_softmax_update(m: Tensor, ell: Tensor, acc: Tensor, scores: Tensor, values: Tensor
                          ) -> tuple[Tensor, Tensor, Tensor]:
    """One block of the online softmax (the update above). Does not modify its arguments.

    Args:
        m, ell: (..., L, 1) running maximum and normaliser. acc: (..., L, Ev).
        scores: (..., L, b) this block's scores (-inf where masked). values: (..., b, Ev).

    Returns:
        (m', ell', acc').
    """
    block_max = scores.max(dim=-1, keepdim=True).values
    new_m = torch.where(block_max > m, block_max, m)
    ref = torch.where(new_m == -math.inf, torch.zeros_like(new_m), new_m)
    decay = torch.where(m == -math.inf, torch.zeros_like(m), torch.exp(m - ref))
    weights = torch.exp(scores - ref)
    return new_m, ell * decay + weights.sum(-1, keepdim=True), acc * decay + weights @ values


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
    factor = q.shape[-1] ** -0.5 if scale is None else scale
    n_q, n_k = q.shape[-2], k.shape[-2]
    pieces = []
    for q0 in range(0, n_q, block_size):
        qb = q[..., q0:q0 + block_size, :] * factor
        rows = qb.shape[-2]
        m = torch.full((*qb.shape[:-1], 1), -math.inf, dtype=q.dtype, device=q.device)
        ell = torch.zeros_like(m)
        acc = torch.zeros((*qb.shape[:-1], v.shape[-1]), dtype=q.dtype, device=q.device)
        for k0 in range(0, n_k, block_size):
            if is_causal and k0 > q0 + rows - 1:
                break  # every key of this block and the next ones lies in the future
            kb, vb = k[..., k0:k0 + block_size, :], v[..., k0:k0 + block_size, :]
            s = qb @ kb.transpose(-1, -2)
            if is_causal:
                qi = torch.arange(q0, q0 + rows, device=q.device).view(-1, 1)
                kj = torch.arange(k0, k0 + kb.shape[-2], device=q.device).view(1, -1)
                s = s.masked_fill(kj > qi, -math.inf)
            m, ell, acc = online_softmax_update(m, ell, acc, s, vb)
        safe = torch.where(ell == 0, torch.ones_like(ell), ell)
        pieces.append(torch.where(ell == 0, torch.zeros_like(acc), acc / safe))
    return torch.cat(pieces, dim=-2)
