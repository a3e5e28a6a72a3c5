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
    raise NotImplementedError('implement attention_flops in efficient.py')


def score_matrix_bytes(batch: int, heads: int, q_len: int, k_len: int,
                       bytes_per_element: int = 4) -> int:
    """Bytes of one (B, H, L, S) score matrix (e.g. 4 per element in float32)."""
    raise NotImplementedError('implement score_matrix_bytes in efficient.py')


def online_softmax_update(m: Tensor, ell: Tensor, acc: Tensor, scores: Tensor, values: Tensor
                          ) -> tuple[Tensor, Tensor, Tensor]:
    """One block of the online softmax (the update above). Does not modify its arguments.

    Args:
        m, ell: (..., L, 1) running maximum and normaliser. acc: (..., L, Ev).
        scores: (..., L, b) this block's scores (-inf where masked). values: (..., b, Ev).

    Returns:
        (m', ell', acc').
    """
    raise NotImplementedError('implement online_softmax_update in efficient.py')


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
    raise NotImplementedError('implement tiled_attention in efficient.py')
