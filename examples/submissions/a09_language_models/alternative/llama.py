"""LLaMA written from the handout, attention through einsum."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        rms = torch.sqrt(torch.mean(x * x, dim=-1, keepdim=True) + self.eps)
        return x / rms * self.weight


def rope_cos_sin(head_dim: int, positions: Tensor, theta: float = 10000.0
                 ) -> tuple[Tensor, Tensor]:
    if head_dim % 2 == 1:
        raise ValueError("head_dim must be even")
    dt = torch.float64 if positions.dtype == torch.float64 else torch.float32
    half = head_dim // 2
    freqs = theta ** (-2.0 * torch.arange(half, dtype=dt, device=positions.device) / head_dim)
    angles = torch.outer(positions.to(dt), freqs).repeat(1, 2)
    return torch.cos(angles), torch.sin(angles)


def rotate_half(x: Tensor) -> Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    return x * cos + rotate_half(x) * sin


def repeat_kv(x: Tensor, n_rep: int) -> Tensor:
    return torch.repeat_interleave(x, n_rep, dim=1)


class Attention(nn.Module):
    def __init__(self, dim: int, n_heads: int, n_kv_heads: int, rope_theta: float = 10000.0
                 ) -> None:
        super().__init__()
        if dim % n_heads or n_heads % n_kv_heads:
            raise ValueError("heads do not divide")
        self.n_heads, self.n_kv_heads, self.rope_theta = n_heads, n_kv_heads, rope_theta
        self.head_dim = dim // n_heads
        self.q_proj = nn.Linear(dim, n_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(dim, n_kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(dim, n_kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(n_heads * self.head_dim, dim, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        n, t, _ = x.shape
        q = self.q_proj(x).view(n, t, self.n_heads, self.head_dim).permute(0, 2, 1, 3)
        k = self.k_proj(x).view(n, t, self.n_kv_heads, self.head_dim).permute(0, 2, 1, 3)
        v = self.v_proj(x).view(n, t, self.n_kv_heads, self.head_dim).permute(0, 2, 1, 3)
        cos, sin = rope_cos_sin(self.head_dim, torch.arange(t, device=x.device, dtype=x.dtype),
                                self.rope_theta)
        q, k = apply_rope(q, cos.to(x.dtype), sin.to(x.dtype)), apply_rope(k, cos.to(x.dtype),
                                                                            sin.to(x.dtype))
        group = self.n_heads // self.n_kv_heads
        q = q.view(n, self.n_kv_heads, group, t, self.head_dim)
        s = torch.einsum("bgrqd,bgkd->bgrqk", q, k) * self.head_dim ** -0.5
        future = torch.triu(torch.ones(t, t, dtype=torch.bool, device=x.device), diagonal=1)
        p = torch.softmax(s.masked_fill(future, -torch.inf), dim=-1)
        y = torch.einsum("bgrqk,bgkd->bgrqd", p, v).reshape(n, self.n_heads, t, self.head_dim)
        return self.o_proj(y.transpose(1, 2).reshape(n, t, -1))


class SwiGLU(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        g = self.gate_proj(x)
        return self.down_proj(g * torch.sigmoid(g) * self.up_proj(x))


class LlamaBlock(nn.Module):
    def __init__(self, dim: int, n_heads: int, n_kv_heads: int, hidden: int, eps: float,
                 rope_theta: float) -> None:
        super().__init__()
        self.input_layernorm = RMSNorm(dim, eps)
        self.self_attn = Attention(dim, n_heads, n_kv_heads, rope_theta)
        self.post_attention_layernorm = RMSNorm(dim, eps)
        self.mlp = SwiGLU(dim, hidden)

    def forward(self, x: Tensor) -> Tensor:
        h = x + self.self_attn(self.input_layernorm(x))
        return h + self.mlp(self.post_attention_layernorm(h))


class Llama(nn.Module):
    def __init__(self, vocab_size: int, dim: int = 32, n_layers: int = 2, n_heads: int = 4,
                 n_kv_heads: int = 2, hidden: int = 64, eps: float = 1e-6,
                 rope_theta: float = 10000.0) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab_size, dim)
        self.layers = nn.ModuleList(
            LlamaBlock(dim, n_heads, n_kv_heads, hidden, eps, rope_theta) for _ in range(n_layers))
        self.norm = RMSNorm(dim, eps)
        self.lm_head = nn.Linear(dim, vocab_size, bias=False)

    def forward(self, ids: Tensor) -> Tensor:
        h = self.embed_tokens(ids)
        for block in self.layers:
            h = block(h)
        return F.linear(self.norm(h), self.lm_head.weight)
