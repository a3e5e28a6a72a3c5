"""Positional information: attention alone does not know the order of its inputs.

Self-attention is permutation-equivariant: permuting the tokens (rows of x) permutes the rows
of the output the same way, because every token attends to the same set of keys whatever their
order. Order enters only through positions added to the tokens or to the scores:

- sinusoidal encodings (Vaswani et al. 2017), fixed, for position p and feature pair i:
      PE[p, 2i] = sin(p / base^(2i / D)),   PE[p, 2i + 1] = cos(p / base^(2i / D));
- learned absolute embeddings: a trained (max_len, D) table, row p added to token p;
- a relative position bias (Shaw et al. 2018; T5, Swin): a trained scalar per head and per
  clipped offset j - i, added to the attention scores of query i and key j.
"""

import math

import torch
from torch import Tensor, nn


def sinusoidal_encoding(num_positions: int, dim: int, base: float = 10000.0) -> Tensor:
    """The (num_positions, dim) float32 table PE above, positions 0 .. num_positions - 1.

    Raises:
        ValueError: dim is odd (the features come in sin/cos pairs) or not positive.
    """
    if dim < 1 or dim % 2 == 1:
        raise ValueError("dim must be a positive even number")
    pos = torch.arange(num_positions, dtype=torch.float64).unsqueeze(1)
    freq = torch.exp(-math.log(base) * torch.arange(dim // 2, dtype=torch.float64) * 2 / dim)
    ang = pos * freq.unsqueeze(0)
    return torch.stack((ang.sin(), ang.cos()), dim=-1).reshape(num_positions, dim).to(torch.float32)


class SinusoidalPositionalEncoding(nn.Module):
    """x (B, T, D) -> x + PE[:T] (a buffer ``pe`` of shape (max_len, D), not a parameter)."""

    def __init__(self, dim: int, max_len: int = 512) -> None:
        super().__init__()
        self.register_buffer("pe", sinusoidal_encoding(max_len, dim), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """Adds PE[:T] in x's dtype; T > max_len raises ValueError."""
        t = x.size(1)
        if t > len(self.pe):
            raise ValueError("sequence longer than max_len")
        return x + self.pe.narrow(0, 0, t).type_as(x)


class LearnedPositionalEmbedding(nn.Module):
    """x (B, T, D) -> x + weight[:T], with a trained ``weight`` (max_len, D) ~ N(0, 0.02^2)."""

    def __init__(self, max_len: int, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(max_len, dim) * 0.02)

    def forward(self, x: Tensor) -> Tensor:
        """T > max_len raises ValueError."""
        t = x.size(1)
        if t > self.weight.size(0):
            raise ValueError("sequence longer than max_len")
        return x + self.weight.narrow(0, 0, t).unsqueeze(0)


def relative_positions(q_len: int, k_len: int, max_distance: int) -> Tensor:
    """(q_len, k_len) int64 indices into a bias table of 2 max_distance - 1 rows:
    index[i, j] = clip(j - i, -(max_distance - 1), max_distance - 1) + max_distance - 1."""
    i = torch.arange(q_len).view(-1, 1)
    j = torch.arange(k_len).view(1, -1)
    lim = max_distance - 1
    return torch.clip(j - i, min=-lim, max=lim) + lim


class RelativePositionBias(nn.Module):
    """A trained bias per head and clipped offset: ``table`` (2 max_distance - 1, H) ~ N(0, 0.02^2).

    forward(q_len, k_len) -> (H, q_len, k_len) with bias[h, i, j] = table[index[i, j], h]
    (index from relative_positions), to be added to the attention scores (as a float mask).
    """

    def __init__(self, num_heads: int, max_distance: int) -> None:
        super().__init__()
        self.num_heads, self.max_distance = num_heads, max_distance
        self.table = nn.Parameter(torch.randn(2 * max_distance - 1, num_heads) * 0.02)

    def forward(self, q_len: int, k_len: int) -> Tensor:
        idx = relative_positions(q_len, k_len, self.max_distance).to(self.table.device)
        return torch.nn.functional.embedding(idx, self.table).movedim(-1, 0)
