"""Scaled dot-product attention, written as F.scaled_dot_product_attention defines it.

Queries q (..., L, E) attend over keys k (..., S, E) and values v (..., S, Ev):

    A = softmax(q k^T * scale + M)        (..., L, S), each row sums to 1
    out = A v                             (..., L, Ev)

with scale = 1 / sqrt(E) unless given. The leading dimensions (batch, heads) broadcast.
Mask conventions are SDPA's: a boolean mask is True where a query MAY attend; a float mask is
added to the scores (0 keeps, -inf removes). A row in which every key is masked has no
distribution to take: its weights, and so its output, are zero (SDPA's own policy).
"""

import math

import torch
from torch import Tensor


def attention_weights(q: Tensor, k: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False, scale: float | None = None) -> Tensor:
    """The attention matrix A = softmax(q k^T * scale + mask) over the last axis (the keys).

    Args:
        q: (..., L, E). k: (..., S, E).
        attn_mask: None, a bool tensor broadcastable to (..., L, S) (True = may attend), or a
            float tensor of the same shape added to the scores.
        is_causal: query i attends only to keys j <= i (the lower triangle of an L x S matrix,
            aligned at the top left, as SDPA does). Giving both attn_mask and is_causal raises
            ValueError.
        scale: multiplies q k^T; None means 1 / sqrt(E).

    Returns:
        (..., L, S): rows that sum to 1, and all-zero rows where every key is masked. Does not
        modify its arguments.
    """
    raise NotImplementedError('implement attention_weights in attention.py')


def dropout_weights(weights: Tensor, p: float, generator: torch.Generator | None = None
                    ) -> Tensor:
    """Inverted dropout on attention weights: keep each entry with probability 1 - p.

    Draw ``u = torch.rand(weights.shape, generator=generator, dtype=weights.dtype,
    device=weights.device)``; keep the entries where ``u >= p`` and multiply them by 1 / (1 - p)
    (so the expectation is unchanged); the others become 0. p = 0 returns the weights unchanged
    without drawing; p = 1 returns zeros; p outside [0, 1] raises ValueError.
    """
    raise NotImplementedError('implement dropout_weights in attention.py')


def scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None,
                                 generator: torch.Generator | None = None) -> Tensor:
    """out = dropout(attention_weights(q, k, attn_mask, is_causal, scale)) v.

    The same arguments and result as ``torch.nn.functional.scaled_dot_product_attention`` (which
    you may not call), plus ``generator``: the dropout's random draws come from it, through
    ``dropout_weights``. Callers pass ``dropout_p = 0`` in evaluation mode.

    Args:
        q: (..., L, E). k: (..., S, E). v: (..., S, Ev).

    Returns:
        (..., L, Ev).
    """
    raise NotImplementedError('implement scaled_dot_product_attention in attention.py')
