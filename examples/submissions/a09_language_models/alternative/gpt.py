"""GPT-2 written from the handout, with torch's scaled_dot_product_attention and einsum."""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

KV = tuple[Tensor, Tensor]
Cache = list[KV]


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        if n_embd % n_head != 0:
            raise ValueError("n_embd must be a multiple of n_head")
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x: Tensor, past: KV | None = None) -> tuple[Tensor, KV]:
        bsz, length, width = x.shape
        qkv = self.c_attn(x).unflatten(-1, (3, self.n_head, width // self.n_head))
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)              # each (B, H, T, D)
        if past is not None:
            k, v = torch.cat((past[0], k), 2), torch.cat((past[1], v), 2)
        offset = k.shape[2] - length
        allowed = torch.ones(length, k.shape[2], dtype=torch.bool, device=x.device).tril(offset)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        return self.c_proj(y.permute(0, 2, 1, 3).flatten(2)), (k, v)


class MLP(nn.Module):
    def __init__(self, n_embd: int) -> None:
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x: Tensor) -> Tensor:
        h = self.c_fc(x)
        h = 0.5 * h * (1 + torch.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h ** 3)))
        return self.c_proj(h)


class Block(nn.Module):
    def __init__(self, n_embd: int, n_head: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x: Tensor, past: KV | None = None) -> tuple[Tensor, KV]:
        out, present = self.attn(self.ln_1(x), past=past)
        h = out + x
        return h + self.mlp(self.ln_2(h)), present


class GPT(nn.Module):
    def __init__(self, vocab_size: int, n_positions: int = 64, n_embd: int = 32,
                 n_layer: int = 2, n_head: int = 4) -> None:
        super().__init__()
        self.n_layer, self.n_positions = n_layer, n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.h = nn.ModuleList(Block(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        init_gpt2_weights(self)
        self.lm_head.weight = self.wte.weight

    def forward_with_cache(self, ids: Tensor, cache: Cache | None = None
                           ) -> tuple[Tensor, Cache]:
        start = cache[0][0].size(2) if cache else 0
        if start + ids.size(1) > self.n_positions:
            raise ValueError("sequence longer than n_positions")
        positions = torch.arange(start, start + ids.size(1), device=ids.device)
        h = self.wte(ids) + self.wpe(positions)[None]
        presents = []
        for layer, block in enumerate(self.h):
            h, present = block(h, cache[layer] if cache else None)
            presents.append(present)
        return F.linear(self.ln_f(h), self.wte.weight), presents

    def forward(self, ids: Tensor) -> Tensor:
        logits, _ = self.forward_with_cache(ids, None)
        return logits


def init_gpt2_weights(model: GPT) -> None:
    std_res = 0.02 / math.sqrt(2 * model.n_layer)
    for name, p in model.named_parameters():
        if "ln" in name:
            nn.init.constant_(p, 1.0 if name.endswith("weight") else 0.0)
        elif name.endswith("bias"):
            nn.init.zeros_(p)
        else:
            nn.init.normal_(p, std=std_res if name.endswith("c_proj.weight") else 0.02)


def lm_loss(logits: Tensor, labels: Tensor, ignore_index: int = -100) -> Tensor:
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    target = labels[:, 1:]
    keep = target != ignore_index
    picked = logp.gather(-1, target.clamp_min(0).unsqueeze(-1)).squeeze(-1)
    return -(picked * keep).sum() / keep.sum()
