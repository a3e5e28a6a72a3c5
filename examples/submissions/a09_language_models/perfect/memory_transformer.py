"""The recurrent memory transformer (Bulatov et al. 2022): memory tokens read and written across
segments, on the GPT blocks of ``gpt.py``.

Shapes: B batch, T <= seg_len tokens of the segment, N = n_mem memory tokens, C channels, V vocab.

    x = [m; emb[ids]; m] + pos[0 .. 2N + T - 1]              (B, 2N + T, C)
    h = Blocks(x)                                             causal GPT blocks
    logits = head(ln_f(h[:, N : N + T]))                      (B, T, V)
    m'     = h[:, N + T :]                                    (B, N, C), the written memory

The first N tokens are the read memory (every segment token sees them); the last N, the write
memory, come after the segment and so see all of it. m' is the next segment's m; for the first
segment m = mem_init (a learned (N, C) Parameter). m' is NOT detached: the gradient of a later
segment's loss flows back through the memory into earlier segments (backpropagation through
time over the segments).
"""

import numpy as np
import torch
import torch.nn.functional as F
from gpt import Block
from torch import Tensor, nn


class MemoryTransformer(nn.Module):
    """``emb`` Embedding(V, C), ``pos`` Embedding(seg_len + 2 n_mem, C), ``mem_init``
    Parameter (n_mem, C) ~ N(0, 0.02^2), ``blocks`` ModuleList of ``n_layer`` gpt.Blocks,
    ``ln_f`` LayerNorm(C), ``head`` Linear(C, V)."""

    def __init__(self, vocab_size: int, n_mem: int = 8, seg_len: int = 8, d_model: int = 32,
                 n_head: int = 2, n_layer: int = 1) -> None:
        super().__init__()
        self.n_mem, self.seg_len = n_mem, seg_len
        self.emb = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(seg_len + 2 * n_mem, d_model)
        self.mem_init = nn.Parameter(0.02 * torch.randn(n_mem, d_model))
        self.blocks = nn.ModuleList([Block(d_model, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, ids: Tensor, mem: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """ids (B, T) long, mem (B, N, C) (the previous segment's written memory) or None
        (``mem_init`` for every row).

        Returns:
            logits (B, T, V) of the segment tokens and the written memory m' (B, N, C), not
            detached.

        Raises:
            ValueError: when T > seg_len.
        """
        b, t = ids.shape
        if t > self.seg_len:
            raise ValueError(f"a segment of {t} tokens, the model takes {self.seg_len}")
        n = self.n_mem
        if mem is None:
            mem = self.mem_init.expand(b, n, -1)
        x = torch.cat([mem, self.emb(ids), mem], dim=1)
        x = x + self.pos(torch.arange(2 * n + t, device=ids.device))
        for block in self.blocks:
            x, _ = block(x)
        return self.head(self.ln_f(x[:, n:n + t])), x[:, n + t:]


def train_rmt(data: np.ndarray, vocab_size: int, seg_len: int, *, n_mem: int = 8,
              use_memory: bool = True, steps: int = 250, batch_size: int = 32, lr: float = 3e-3,
              d_model: int = 32, n_head: int = 2, n_layer: int = 1, seed: int = 0,
              device: str = "cpu") -> tuple[MemoryTransformer, list[float]]:
    """Train ``MemoryTransformer(vocab_size, n_mem, seg_len, d_model, n_head, n_layer)`` on data
    (N, S * seg_len) ids, segment by segment.

    torch is seeded with ``seed`` before the model is built. Every step draws batch_size rows,
    indices ``torch.randint(0, N, (batch_size,), generator=gen)`` of one CPU generator seeded
    ``seed``, and feeds the S segments in order, each with the memory the previous one wrote
    (``use_memory``) or with None (every segment starts from ``mem_init``: the same model
    without memory). The loss is the mean cross-entropy of predicting row[t + 1] from the logits
    at t, over every t < S seg_len - 1 (the logits of all segments); one backward pass through
    all segments and the memory, and one Adam step (lr).

    Returns:
        The model (on ``device``, train mode) and the loss of every step.
    """
    torch.manual_seed(seed)
    model = MemoryTransformer(vocab_size, n_mem, seg_len, d_model, n_head, n_layer).to(device)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    rows = torch.as_tensor(data, dtype=torch.long)
    losses = []
    for _ in range(steps):
        batch = rows[torch.randint(0, len(rows), (batch_size,), generator=gen)].to(device)
        mem = None
        outs = []
        for s in range(batch.shape[1] // seg_len):
            logits, new = model(batch[:, s * seg_len:(s + 1) * seg_len], mem)
            mem = new if use_memory else None
            outs.append(logits)
        logits = torch.cat(outs, dim=1)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab_size), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, losses
