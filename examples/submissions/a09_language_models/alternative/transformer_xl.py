"""Transformer-XL, written from the handout: relative attention with u and v, the shift by a
gather of precomputed indices, and a per-layer memory kept by ``narrow``."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def sinusoid_table(pos: Tensor, d: int) -> Tensor:
    """(L,) positions -> (L, d) [sin(p w_j) ..., cos(p w_j) ...], w_j = 10000^(-2j/d)."""
    if d % 2 != 0:
        raise ValueError("odd d")
    j = torch.arange(d // 2, dtype=pos.dtype, device=pos.device)
    w = torch.exp(-math.log(10000.0) * 2.0 * j / d)
    ang = torch.outer(pos, w)
    out = torch.empty(pos.shape[0], d, dtype=pos.dtype, device=pos.device)
    out[:, :d // 2] = torch.sin(ang)
    out[:, d // 2:] = torch.cos(ang)
    return out


def rel_shift(x: Tensor) -> Tensor:
    """y[..., i, j] = x[..., i, j + T - 1 - i] (clamped into range where it is unspecified)."""
    t, k = x.shape[-2:]
    if t > k:
        raise ValueError("K must be at least T")
    i = torch.arange(t, device=x.device).unsqueeze(1)
    j = torch.arange(k, device=x.device).unsqueeze(0)
    idx = (j + (t - 1) - i).clamp(max=k - 1).expand(*x.shape[:-2], t, k)
    return torch.gather(x, -1, idx)


class RelMultiHeadAttention(nn.Module):
    """Relative multi-head attention (see the handout)."""

    def __init__(self, d_model: int, n_head: int, d_head: int) -> None:
        super().__init__()
        self.d_model, self.n_head, self.d_head = d_model, n_head, d_head
        self.qkv = nn.Linear(d_model, 3 * n_head * d_head, bias=False)
        self.r_net = nn.Linear(d_model, n_head * d_head, bias=False)
        self.out = nn.Linear(n_head * d_head, d_model, bias=False)
        self.u = nn.Parameter(0.02 * torch.randn(n_head, d_head))
        self.v = nn.Parameter(0.02 * torch.randn(n_head, d_head))

    def _heads(self, z: Tensor) -> Tensor:                     # (B, L, H D) -> (B, H, L, D)
        return z.unflatten(-1, (self.n_head, self.d_head)).permute(0, 2, 1, 3)

    def _project(self, x: Tensor, mem: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
        full = x if mem is None or mem.shape[1] == 0 else torch.cat((mem, x), 1)
        w_q, w_k, w_v = self.qkv.weight.chunk(3, dim=0)
        return self._heads(x @ w_q.T), self._heads(full @ w_k.T), self._heads(full @ w_v.T)

    def scores(self, x: Tensor, mem: Tensor | None = None) -> Tensor:
        """(B, H, T, M + T) scaled relative scores, -inf above the causal diagonal."""
        q, k, _ = self._project(x, mem)
        t, kl = q.shape[2], k.shape[2]
        dist = torch.arange(kl, device=x.device).flip(0).to(x.dtype)     # K-1, ..., 0
        r = self.r_net(sinusoid_table(dist, self.d_model))               # (K, H D)
        r = r.view(kl, self.n_head, self.d_head).permute(1, 2, 0)        # (H, D, K)
        content = (q + self.u[None, :, None, :]) @ k.transpose(2, 3)
        position = rel_shift((q + self.v[None, :, None, :]) @ r[None])
        s = (content + position) * self.d_head ** -0.5
        future = torch.ones(t, kl, dtype=torch.bool, device=x.device).triu(kl - t + 1)
        return s.masked_fill(future, -math.inf)

    def forward(self, x: Tensor, mem: Tensor | None = None) -> Tensor:
        """(B, T, C) -> (B, T, C)."""
        _, _, val = self._project(x, mem)
        p = F.softmax(self.scores(x, mem), dim=-1)
        y = (p @ val).permute(0, 2, 1, 3).flatten(2)
        return self.out(y)


class XLLayer(nn.Module):
    """Pre-norm relative-attention layer."""

    def __init__(self, d_model: int, n_head: int, d_head: int, d_inner: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model)
        self.attn = RelMultiHeadAttention(d_model, n_head, d_head)
        self.ln_2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_inner), nn.ReLU(),
                                nn.Linear(d_inner, d_model))

    def forward(self, x: Tensor, mem: Tensor | None = None) -> Tensor:
        """(B, T, C) -> (B, T, C)."""
        m = mem if mem is None else self.ln_1(mem)
        h = x + self.attn(self.ln_1(x), m)
        return h + self.ff(self.ln_2(h))


class TransformerXL(nn.Module):
    """Transformer-XL language model with a per-layer memory in ``mems``."""

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
        """No memory."""
        self.mems = None

    def forward(self, ids: Tensor) -> Tensor:
        """(B, T) -> (B, T, V), updating ``mems``."""
        h = self.emb(ids)
        old = self.mems if self.mems is not None else [None] * len(self.layers)
        kept = []
        for layer, m in zip(self.layers, old, strict=True):
            with torch.no_grad():
                seen = h if m is None else torch.cat((m, h), dim=1)
                n = min(self.mem_len, seen.shape[1])
                kept.append(seen.narrow(1, seen.shape[1] - n, n).clone())
            h = layer(h, m)
        self.mems = kept
        return self.head(self.ln_f(h))


def train_xl(data: np.ndarray, vocab_size: int, seg_len: int, *, mem_len: int, steps: int = 100,
             batch_size: int = 32, lr: float = 3e-3, d_model: int = 32, n_head: int = 2,
             d_head: int = 16, d_inner: int = 64, n_layer: int = 1, seed: int = 0,
             device: str = "cpu") -> tuple[TransformerXL, list[float]]:
    """Segment-by-segment training with Adam (see the handout)."""
    torch.manual_seed(seed)
    net = TransformerXL(vocab_size, d_model, n_head, d_head, d_inner, n_layer, mem_len).to(device)
    optim = torch.optim.Adam(net.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    table = torch.from_numpy(np.asarray(data, dtype=np.int64))
    width = table.shape[1]
    history: list[float] = []
    net.train()
    for _ in range(steps):
        rows = table[torch.randint(0, table.shape[0], (batch_size,), generator=g)].to(device)
        net.reset_memory()
        total = torch.zeros((), device=device)
        for start in range(0, width, seg_len):
            logits = net(rows[:, start:start + seg_len])
            stop = min(start + seg_len, width - 1)           # positions that have a next token
            if stop > start:
                total = total + F.cross_entropy(
                    logits[:, :stop - start].flatten(0, 1), rows[:, start + 1:stop + 1].flatten(),
                    reduction="sum")
        loss = total / (batch_size * (width - 1))
        optim.zero_grad()
        loss.backward()
        optim.step()
        history.append(loss.item())
    net.reset_memory()
    return net, history
