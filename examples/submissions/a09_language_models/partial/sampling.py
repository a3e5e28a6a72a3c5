"""Decoding a language model: greedy, temperature, top-k and top-p (nucleus) sampling.

Every filter maps logits (B, V) to logits (B, V), setting the removed entries to -inf:

    temperature  z / tau                                              (tau > 0)
    top-k        keep z_i >= the k-th largest of its row (ties with it kept), k = min(k, V)
    top-p        sort a row ascending, c_i = cumulative sum of its softmax; remove the tokens
                 with c_i <= 1 - top_p (their total probability is at most 1 - top_p), but
                 always keep the most probable token

Sampling draws ``torch.multinomial(softmax(z), 1)`` with a ``torch.Generator`` seeded by the
``seed`` argument (on the logits' device), so equal seeds give equal samples.
"""

import torch
from gpt import GPT, Cache
from torch import Tensor


def temperature_filter(logits: Tensor, temperature: float) -> Tensor:
    """logits / temperature, (B, V) -> (B, V); a new tensor.

    Raises:
        ValueError: when temperature <= 0.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    return logits / temperature


def top_k_filter(logits: Tensor, k: int) -> Tensor:
    """Entries below the k-th largest of their row set to -inf (entries equal to it are kept);
    k >= V keeps everything. (B, V) -> (B, V); the argument is not modified.

    Raises:
        ValueError: when k < 1.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    k = min(k, logits.shape[-1])
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]
    idx = torch.topk(logits, k, dim=-1).indices
    return torch.full_like(logits, float("-inf")).scatter(-1, idx, logits.gather(-1, idx))


def top_p_filter(logits: Tensor, top_p: float) -> Tensor:
    """Nucleus filter: sort each row ascending, c = cumsum(softmax(sorted)); tokens with
    c <= 1 - top_p set to -inf, except that the most probable token is always kept.
    (B, V) -> (B, V); the argument is not modified.

    Raises:
        ValueError: when top_p is not in (0, 1].
    """
    raise NotImplementedError("top_p_filter: not done yet")


def sample_next(logits: Tensor, *, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, greedy: bool = False, seed: int = 0) -> Tensor:
    """The next token of every row of logits (B, V): (B,) long.

    Greedy: the argmax (ties: the first). Otherwise apply temperature, then top-k (if given),
    then top-p (if given), and draw one token per row with ``torch.multinomial`` from the softmax,
    using a new ``torch.Generator(device=logits.device)`` seeded with ``seed``.
    """
    if greedy:
        return logits.argmax(-1)
    z = temperature_filter(logits, temperature)
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    gen = torch.Generator(device=logits.device).manual_seed(seed)
    return torch.multinomial(z.softmax(-1), 1, generator=gen)[:, 0]


@torch.no_grad()
def generate(model: GPT, ids: Tensor, max_new_tokens: int, *, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, greedy: bool = False,
             seed: int = 0, use_cache: bool = True) -> Tensor:
    """Extend ids (B, T) by max_new_tokens tokens: (B, T + max_new_tokens) long.

    Step s (0-based) picks the next tokens with ``sample_next(last logits, ..., seed=seed + s)``.
    With ``use_cache`` the prompt is run once and every later step feeds only the newest token
    and the cache (``model.forward_with_cache``); without it every step runs the whole sequence.
    Both give the same tokens.
    """
    cache: Cache | None = None
    out = ids
    step_in = ids
    for s in range(max_new_tokens):
        if use_cache:
            logits, cache = model.forward_with_cache(step_in, cache)
        else:
            logits = model(out)
        nxt = sample_next(logits[:, -1], temperature=temperature, top_k=top_k, top_p=top_p,
                          greedy=greedy, seed=seed + s)
        out = torch.cat([out, nxt[:, None]], dim=1)
        step_in = nxt[:, None]
    return out
