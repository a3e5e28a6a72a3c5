"""Transformer-XL (Dai et al. 2019): relative positional attention and segment-level recurrence.

Shapes: B batch, T tokens of the current segment, M memory positions, K = M + T keys,
C = d_model channels, H heads, D = d_head head size, V vocab.

Relative attention of query i (absolute position M + i) to key j (position j, 0 <= j < K), with
distance d = M + i - j, per head:

    score[i, j] = ((q_i + u) . k_j  +  (q_i + v) . r_d) / sqrt(D),   r_d = W_r s(d)
    score[i, j] = -inf for j > M + i (causal over memory + segment)

q = x W_q (segment only), [k, v] = [mem; x] W_kv, s(d) the sinusoidal encoding of d, and u, v
(H, D) the learned content and position biases. The position term is computed for the K
distances K-1, K-2, ..., 0 at once, BD_raw[i, c] = (q_i + v) . r_{K-1-c}, and moved into place
by the relative shift: score term BD[i, j] = BD_raw[i, j + T - 1 - i].

Recurrence: the memory of layer l is the input of layer l on the previous segments, the last
``mem_len`` positions of [old memory; new input], detached from the graph.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def sinusoid_table(pos: Tensor, d: int) -> Tensor:
    """The sinusoidal encodings of positions ``pos`` (L,) (a float tensor; its dtype and device
    are kept): (L, d), row p = [sin(p w_0), ..., sin(p w_{d/2-1}), cos(p w_0), ..., cos(p
    w_{d/2-1})] with w_j = 10000^(-2j/d).

    Raises:
        ValueError: when d is odd.
    """
    if d % 2:
        raise ValueError(f"d must be even, got {d}")
    inv_freq = 1.0 / 10000 ** (torch.arange(0, d, 2, dtype=pos.dtype, device=pos.device) / d)
    angle = pos[:, None] * inv_freq[None, :]
    return torch.cat([angle.sin(), angle.cos()], dim=-1)


def rel_shift(x: Tensor) -> Tensor:
    """The relative shift of x (..., T, K), K >= T, whose column c belongs to distance K-1-c:
    y (..., T, K) with y[..., i, j] = x[..., i, j + T - 1 - i] for every j <= i + K - T (the
    entries with j > i + K - T, which the causal mask removes, are unspecified). Done without a
    loop: pad one zero column on the left, view (..., K + 1, T), drop the first row, view back.
    x is not modified.

    Raises:
        ValueError: when K < T.
    """
    t, k = x.shape[-2], x.shape[-1]
    if k < t:
        raise ValueError(f"need K >= T, got T={t}, K={k}")
    lead = x.shape[:-2]
    padded = F.pad(x, (1, 0))                                   # (..., T, K + 1)
    padded = padded.reshape(*lead, k + 1, t)
    return padded[..., 1:, :].reshape(*lead, t, k)


class RelMultiHeadAttention(nn.Module):
    """Multi-head attention with relative positions: ``qkv`` Linear(C, 3 H D, bias=False) (q, k,
    v in this order along the output, head h owns channels h D .. (h+1) D - 1 of each),
    ``r_net`` Linear(C, H D, bias=False) (W_r), ``out`` Linear(H D, C, bias=False), and the
    biases ``u`` and ``v``, Parameters (H, D) ~ N(0, 0.02^2)."""

    def __init__(self, d_model: int, n_head: int, d_head: int) -> None:
        super().__init__()
        self.d_model, self.n_head, self.d_head = d_model, n_head, d_head
        self.qkv = nn.Linear(d_model, 3 * n_head * d_head, bias=False)
        self.r_net = nn.Linear(d_model, n_head * d_head, bias=False)
        self.out = nn.Linear(n_head * d_head, d_model, bias=False)
        self.u = nn.Parameter(0.02 * torch.randn(n_head, d_head))
        self.v = nn.Parameter(0.02 * torch.randn(n_head, d_head))

    def scores(self, x: Tensor, mem: Tensor | None = None) -> Tensor:
        """x (B, T, C) the segment, mem (B, M, C) or None (M = 0).

        Returns:
            The scaled scores (B, H, T, K), K = M + T, of the module docstring: queries from x,
            keys from [mem; x], ``-inf`` where j > M + i. The encodings are those of
            ``sinusoid_table`` for the distances K-1, ..., 0, in x's dtype.
        """
        b, t, _ = x.shape
        h, d = self.n_head, self.d_head
        cat = x if mem is None else torch.cat([mem, x], dim=1)
        k_len = cat.shape[1]
        q = self.qkv(x)[..., :h * d].view(b, t, h, d)
        k = self.qkv(cat)[..., h * d:2 * h * d].view(b, k_len, h, d)
        pos = torch.arange(k_len - 1, -1, -1, dtype=x.dtype, device=x.device)
        r = self.r_net(sinusoid_table(pos, self.d_model)).view(k_len, h, d)
        ac = torch.einsum("bihd,bjhd->bhij", q + self.u, k)
        bd = rel_shift(torch.einsum("bihd,jhd->bhij", q + self.v, r))
        s = (ac + bd) / math.sqrt(d)
        rows = torch.arange(k_len - t, k_len, device=x.device)[:, None]
        cols = torch.arange(k_len, device=x.device)[None, :]
        return s.masked_fill(cols > rows, float("-inf"))

    def forward(self, x: Tensor, mem: Tensor | None = None) -> Tensor:
        """x (B, T, C), mem (B, M, C) or None -> out(concat_h softmax(scores) V_h) (B, T, C),
        V from [mem; x]."""
        b, t, _ = x.shape
        h, d = self.n_head, self.d_head
        cat = x if mem is None else torch.cat([mem, x], dim=1)
        val = self.qkv(cat)[..., 2 * h * d:].view(b, cat.shape[1], h, d).transpose(1, 2)
        att = self.scores(x, mem).softmax(-1)                          # (B, H, T, K)
        return self.out((att @ val).transpose(1, 2).reshape(b, t, h * d))


class XLLayer(nn.Module):
    """A pre-norm layer: ``ln_1`` LayerNorm(C), ``attn`` RelMultiHeadAttention, ``ln_2``
    LayerNorm(C), ``ff`` Sequential(Linear(C, d_inner), ReLU, Linear(d_inner, C))."""

    def __init__(self, d_model: int, n_head: int, d_head: int, d_inner: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model)
        self.attn = RelMultiHeadAttention(d_model, n_head, d_head)
        self.ln_2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_inner), nn.ReLU(),
                                nn.Linear(d_inner, d_model))

    def forward(self, x: Tensor, mem: Tensor | None = None) -> Tensor:
        """x <- x + attn(ln_1(x), ln_1(mem)); x <- x + ff(ln_2(x)). x (B, T, C), mem (B, M, C)
        (this layer's memory: raw inputs of earlier segments) or None -> (B, T, C)."""
        x = x + self.attn(self.ln_1(x), None if mem is None else self.ln_1(mem))
        return x + self.ff(self.ln_2(x))


class TransformerXL(nn.Module):
    """``emb`` Embedding(V, C), ``layers`` ModuleList of ``n_layer`` XLLayers, ``ln_f``
    LayerNorm(C), ``head`` Linear(C, V). logits = head(ln_f(x_L)), x_0 = emb[ids].

    ``mems`` is None (no memory) or a list of ``n_layer`` tensors, mems[l] (B, M, C) the memory
    of layer l. Each forward call reads it and replaces it."""

    def __init__(self, vocab_size: int, d_model: int = 32, n_head: int = 2, d_head: int = 16,
                 d_inner: int = 64, n_layer: int = 2, mem_len: int = 16) -> None:
        super().__init__()
        self.mem_len = mem_len
        self.emb = nn.Embedding(vocab_size, d_model)
        self.layers = nn.ModuleList([XLLayer(d_model, n_head, d_head, d_inner)
                                     for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)
        self.mems: list[Tensor] | None = None

    def reset_memory(self) -> None:
        """Forget the memory: ``mems`` becomes None."""
        self.mems = None

    def forward(self, ids: Tensor) -> Tensor:
        """ids (B, T) long, the next segment -> logits (B, T, V).

        Layer l attends over [mems[l]; its input x_l] (no memory when ``mems`` is None). Then
        ``mems`` becomes, for every layer, the last ``mem_len`` positions of [mems[l]; x_l],
        detached: (B, min(mem_len, M + T), C) each (mem_len = 0 keeps (B, 0, C) tensors).
        """
        x = self.emb(ids)
        new: list[Tensor] = []
        for i, layer in enumerate(self.layers):
            mem = None if self.mems is None else self.mems[i]
            cat = x if mem is None else torch.cat([mem, x], dim=1)
            new.append(cat[:, max(0, cat.shape[1] - self.mem_len):])
            x = layer(x, mem)
        self.mems = new
        return self.head(self.ln_f(x))


def train_xl(data: np.ndarray, vocab_size: int, seg_len: int, *, mem_len: int, steps: int = 100,
             batch_size: int = 32, lr: float = 3e-3, d_model: int = 32, n_head: int = 2,
             d_head: int = 16, d_inner: int = 64, n_layer: int = 1, seed: int = 0,
             device: str = "cpu") -> tuple[TransformerXL, list[float]]:
    """Train ``TransformerXL(vocab_size, d_model, n_head, d_head, d_inner, n_layer, mem_len)`` on
    data (N, S * seg_len) ids, segment by segment.

    torch is seeded with ``seed`` before the model is built. Every step draws batch_size rows,
    indices ``torch.randint(0, N, (batch_size,), generator=gen)`` of one CPU generator seeded
    ``seed``, resets the memory and feeds the S segments in order; the loss is the mean
    cross-entropy of predicting row[t + 1] from the logits at t, over every t < S seg_len - 1
    of the rows (the logits of all segments), and one Adam step (lr) follows.

    Returns:
        The model (on ``device``, train mode, memory reset) and the loss of every step.
    """
    raise NotImplementedError
