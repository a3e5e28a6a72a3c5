"""Recurrent memory transformer, written from the handout: read and write memory tokens around
each segment, the written memory handed to the next segment with its graph."""

import numpy as np
import torch
import torch.nn.functional as F
from gpt import Block
from torch import Tensor, nn


class MemoryTransformer(nn.Module):
    """Memory tokens around GPT blocks (see the handout)."""

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
        """(B, T) ids and (B, N, C) memory -> logits (B, T, V), written memory (B, N, C)."""
        if ids.shape[1] > self.seg_len:
            raise ValueError("segment too long")
        read = self.mem_init.unsqueeze(0).repeat(ids.shape[0], 1, 1) if mem is None else mem
        seq = torch.cat((read, self.emb(ids), read), dim=1)
        h = seq + self.pos.weight[:seq.shape[1]]
        for blk in self.blocks:
            h = blk(h)[0]
        _, tokens, written = h.split([self.n_mem, ids.shape[1], self.n_mem], dim=1)
        return self.head(self.ln_f(tokens)), written


def train_rmt(data: np.ndarray, vocab_size: int, seg_len: int, *, n_mem: int = 8,
              use_memory: bool = True, steps: int = 250, batch_size: int = 32, lr: float = 3e-3,
              d_model: int = 32, n_head: int = 2, n_layer: int = 1, seed: int = 0,
              device: str = "cpu") -> tuple[MemoryTransformer, list[float]]:
    """Backpropagation through the segments and the memory (see the handout)."""
    torch.manual_seed(seed)
    net = MemoryTransformer(vocab_size, n_mem, seg_len, d_model, n_head, n_layer).to(device)
    optim = torch.optim.Adam(net.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    table = torch.from_numpy(np.asarray(data, dtype=np.int64))
    history: list[float] = []
    net.train()
    for _ in range(steps):
        rows = table[torch.randint(0, table.shape[0], (batch_size,), generator=g)].to(device)
        memory: Tensor | None = None
        pieces = []
        for segment in rows.split(seg_len, dim=1):
            out, written = net(segment, memory if use_memory else None)
            memory = written
            pieces.append(out)
        logits = torch.cat(pieces, dim=1)[:, :-1]
        loss = F.cross_entropy(logits.transpose(1, 2), rows[:, 1:])
        optim.zero_grad()
        loss.backward()
        optim.step()
        history.append(loss.item())
    return net, history
