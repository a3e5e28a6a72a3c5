"""LLaMA (Touvron et al. 2023): RMSNorm, rotary position embeddings, SwiGLU and grouped-query
attention.

Shapes: B batch, T tokens, C = dim, H query heads, H_kv key/value heads (H a multiple of H_kv),
D = C / H head size, V vocab.

    RMSNorm(x)  = w * x / sqrt(mean_c x_c^2 + eps)
    RoPE        inv_freq_j = theta^(-2j / D), j = 0 .. D/2 - 1; angle[t] = t * inv_freq, repeated
                twice: cos[t] = cos(cat(angle, angle)), sin likewise (T, D);
                rotate_half(x) = cat(-x[..., D/2:], x[..., :D/2]);
                q' = q * cos + rotate_half(q) * sin, k' likewise (position t uses row t)
    GQA         K, V have H_kv heads; query head h uses key/value head h // (H / H_kv)
    SwiGLU(x)   = down(silu(gate(x)) * up(x))   (no biases anywhere)
    block       x <- x + Attn(RMSNorm_1(x)); x <- x + SwiGLU(RMSNorm_2(x))
    logits      = lm_head(RMSNorm_f(x))         (not tied)
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class RMSNorm(nn.Module):
    """Root-mean-square norm over the last dimension with a learned ``weight`` (ones at init)."""

    def __init__(self, dim: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        """(..., C) -> (..., C): weight * x / sqrt(mean(x^2) + eps)."""
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


def rope_cos_sin(head_dim: int, positions: Tensor, theta: float = 10000.0
                 ) -> tuple[Tensor, Tensor]:
    """cos and sin of the rotary angles, each (T, head_dim), for positions (T,) (int or float):
    angle[t, j] = positions[t] * theta^(-2j / head_dim) for j < head_dim / 2, and the same
    half repeated for j >= head_dim / 2. In the dtype float64 when positions is float64, else
    float32.

    Raises:
        ValueError: when head_dim is odd.
    """
    if head_dim % 2:
        raise ValueError(f"head_dim must be even, got {head_dim}")
    dtype = torch.float64 if positions.dtype == torch.float64 else torch.float32
    j = torch.arange(0, head_dim, 2, device=positions.device, dtype=dtype)
    inv_freq = 1.0 / theta ** (j / head_dim)
    angle = positions.to(dtype)[:, None] * inv_freq[None, :]            # (T, D/2)
    angle = torch.repeat_interleave(angle, 2, dim=-1)
    return angle.cos(), angle.sin()


def rotate_half(x: Tensor) -> Tensor:
    """(..., D) -> (..., D): cat(-x2, x1) where x1, x2 are the first and second halves."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """x (B, H, T, D) rotated: x * cos + rotate_half(x) * sin, cos and sin (T, D)."""
    return x * cos + rotate_half(x) * sin


def repeat_kv(x: Tensor, n_rep: int) -> Tensor:
    """(B, H_kv, T, D) -> (B, H_kv * n_rep, T, D): head g repeated n_rep times in a row, so the
    output's head h is the input's head h // n_rep."""
    b, h, t, d = x.shape
    return x[:, :, None].expand(b, h, n_rep, t, d).reshape(b, h * n_rep, t, d)


class Attention(nn.Module):
    """Causal grouped-query attention: ``q_proj`` Linear(C, H D), ``k_proj`` and ``v_proj``
    Linear(C, H_kv D), ``o_proj`` Linear(H D, C), all without bias; RoPE on q and k at positions
    0 .. T-1."""

    def __init__(self, dim: int, n_heads: int, n_kv_heads: int, rope_theta: float = 10000.0
                 ) -> None:
        super().__init__()
        if dim % n_heads or n_heads % n_kv_heads:
            raise ValueError(f"dim {dim}, heads {n_heads}, kv heads {n_kv_heads} do not divide")
        self.n_heads, self.n_kv_heads = n_heads, n_kv_heads
        self.head_dim, self.rope_theta = dim // n_heads, rope_theta
        self.q_proj = nn.Linear(dim, n_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(dim, n_kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(dim, n_kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(n_heads * self.head_dim, dim, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        """(B, T, C) -> (B, T, C)."""
        b, t, _ = x.shape
        d = self.head_dim
        q = self.q_proj(x).view(b, t, self.n_heads, d).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.n_kv_heads, d).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.n_kv_heads, d).transpose(1, 2)
        pos = torch.arange(t, device=x.device, dtype=torch.float64 if x.dtype == torch.float64
                           else torch.float32)
        cos, sin = rope_cos_sin(d, pos, self.rope_theta)
        q, k = apply_rope(q, cos.to(x.dtype), sin.to(x.dtype)), apply_rope(k, cos.to(x.dtype),
                                                                            sin.to(x.dtype))
        rep = self.n_heads // self.n_kv_heads
        k, v = repeat_kv(k, rep), repeat_kv(v, rep)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d)
        causal = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        y = scores.masked_fill(causal, float("-inf")).softmax(-1) @ v
        return self.o_proj(y.transpose(1, 2).reshape(b, t, -1))


class SwiGLU(nn.Module):
    """``gate_proj`` and ``up_proj`` Linear(C, hidden), ``down_proj`` Linear(hidden, C), no
    biases: down(silu(gate(x)) * up(x))."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        """(..., C) -> (..., C)."""
        raise NotImplementedError("SwiGLU: not done yet")


class LlamaBlock(nn.Module):
    """``input_layernorm`` RMSNorm, ``self_attn`` Attention, ``post_attention_layernorm``
    RMSNorm, ``mlp`` SwiGLU."""

    def __init__(self, dim: int, n_heads: int, n_kv_heads: int, hidden: int, eps: float,
                 rope_theta: float) -> None:
        super().__init__()
        self.input_layernorm = RMSNorm(dim, eps)
        self.self_attn = Attention(dim, n_heads, n_kv_heads, rope_theta)
        self.post_attention_layernorm = RMSNorm(dim, eps)
        self.mlp = SwiGLU(dim, hidden)

    def forward(self, x: Tensor) -> Tensor:
        """(B, T, C) -> (B, T, C), pre-norm residual attention then MLP."""
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(nn.Module):
    """``embed_tokens`` Embedding(V, C), ``layers`` ModuleList of LlamaBlocks, ``norm`` RMSNorm,
    ``lm_head`` Linear(C, V, bias=False) (its own weight)."""

    def __init__(self, vocab_size: int, dim: int = 32, n_layers: int = 2, n_heads: int = 4,
                 n_kv_heads: int = 2, hidden: int = 64, eps: float = 1e-6,
                 rope_theta: float = 10000.0) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab_size, dim)
        self.layers = nn.ModuleList([LlamaBlock(dim, n_heads, n_kv_heads, hidden, eps, rope_theta)
                                     for _ in range(n_layers)])
        self.norm = RMSNorm(dim, eps)
        self.lm_head = nn.Linear(dim, vocab_size, bias=False)

    def forward(self, ids: Tensor) -> Tensor:
        """ids (B, T) long -> logits (B, T, V)."""
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm(x))
