"""Decoding filters and generation, written from the handout."""

import torch
from gpt import GPT
from torch import Tensor


def temperature_filter(logits: Tensor, temperature: float) -> Tensor:
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    return logits.div(temperature)


def top_k_filter(logits: Tensor, k: int) -> Tensor:
    if k < 1:
        raise ValueError("k must be >= 1")
    if k >= logits.size(-1):
        return logits.clone()
    threshold = logits.sort(dim=-1, descending=True).values[..., k - 1:k]
    return torch.where(logits >= threshold, logits, torch.full_like(logits, -torch.inf))


def top_p_filter(logits: Tensor, top_p: float) -> Tensor:
    if top_p <= 0 or top_p > 1:
        raise ValueError("top_p must be in (0, 1]")
    values, idx = logits.sort(dim=-1)
    cumulative = torch.softmax(values, -1).cumsum(-1)
    drop = cumulative <= 1 - top_p
    drop[..., -1] = False
    out = logits.clone()
    for row in range(logits.size(0)):
        out[row, idx[row][drop[row]]] = -torch.inf
    return out


def sample_next(logits: Tensor, *, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, greedy: bool = False, seed: int = 0) -> Tensor:
    if greedy:
        return torch.argmax(logits, dim=-1)
    z = temperature_filter(logits, temperature)
    z = z if top_k is None else top_k_filter(z, top_k)
    z = z if top_p is None else top_p_filter(z, top_p)
    g = torch.Generator(device=logits.device)
    g.manual_seed(seed)
    return torch.multinomial(torch.softmax(z, dim=-1), num_samples=1, generator=g).squeeze(1)


@torch.no_grad()
def generate(model: GPT, ids: Tensor, max_new_tokens: int, *, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, greedy: bool = False,
             seed: int = 0, use_cache: bool = True) -> Tensor:
    tokens = [ids]
    cache = None
    for step in range(max_new_tokens):
        seq = torch.cat(tokens, dim=1)
        if use_cache:
            feed = seq if cache is None else tokens[-1]
            logits, cache = model.forward_with_cache(feed, cache)
        else:
            logits = model(seq)
        tokens.append(sample_next(logits[:, -1, :], temperature=temperature, top_k=top_k,
                                  top_p=top_p, greedy=greedy, seed=seed + step)[:, None])
    return torch.cat(tokens, dim=1)
