"""Training a character-level GPT and measuring it in bits per character against an n-gram.

Bits per character of a model q on held-out characters x_1 .. x_N:

    BPC = -1/N sum_t log2 q(x_t | context_t)

The n-gram baseline with add-alpha smoothing over a vocabulary of V characters, counted on the
training ids:

    q(c | h) = (count(h c) + alpha) / (count(h) + alpha V),   h = the n - 1 preceding characters

where count(h) counts the occurrences of h followed by any character (n = 1: h is empty and
count(h) is the number of training characters).
"""

from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F
from gpt import GPT


def encode_corpus(splits: dict[str, str]) -> tuple[list[str], dict[str, np.ndarray]]:
    """The sorted characters of all splits, and every split as int64 ids into that list."""
    vocab = sorted(set("".join(splits.values())))
    index = {ch: i for i, ch in enumerate(vocab)}
    return vocab, {k: np.array([index[ch] for ch in v], dtype=np.int64)
                   for k, v in splits.items()}


def ngram_bpc(train_ids: np.ndarray, eval_ids: np.ndarray, n: int, vocab_size: int,
              alpha: float = 0.1) -> float:
    """Bits per character of the add-alpha n-gram counted on train_ids (N_train,), scored on
    every eval position t >= n - 1 of eval_ids (its context is eval_ids[t - n + 1 : t]).

    Raises:
        ValueError: when n < 1 or alpha <= 0.
    """
    if n < 1 or alpha <= 0:
        raise ValueError(f"need n >= 1 and alpha > 0, got n={n}, alpha={alpha}")
    tr = [int(c) for c in train_ids]
    ev = [int(c) for c in eval_ids]
    grams = Counter(tuple(tr[t - n + 1:t + 1]) for t in range(n - 1, len(tr)))
    ctx = Counter(tuple(tr[t - n + 1:t]) for t in range(n - 1, len(tr)))
    total = 0.0
    count = 0
    for t in range(n - 1, len(ev)):
        h = tuple(ev[t - n + 1:t])
        p = (grams[h + (ev[t],)] + alpha) / (ctx[h] + alpha * vocab_size)
        total -= np.log2(p)
        count += 1
    return total / count


@torch.no_grad()
def bits_per_char(model: GPT, ids: np.ndarray, block_size: int) -> float:
    """BPC of the model on ids (N,): cut ids into chunks ids[s : s + block_size + 1] for
    s = 0, block_size, 2 block_size, ... (consecutive chunks share one character); in each chunk
    every character after the first is predicted from the chunk's earlier characters. So every
    ids[1:] is scored once. The model is left in the mode (train/eval) it had, and scored in
    eval mode."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    x = torch.as_tensor(ids, dtype=torch.long, device=device)
    nll = 0.0
    for s in range(0, len(ids) - 1, block_size):
        chunk = x[s:s + block_size + 1][None]
        logits = model(chunk[:, :-1])
        nll += F.cross_entropy(logits[0].double(), chunk[0, 1:], reduction="sum").item()
    model.train(was_training)
    return nll / (len(ids) - 1)


def train_char_gpt(ids: np.ndarray, vocab_size: int, *, steps: int = 300, block_size: int = 32,
                   batch_size: int = 32, lr: float = 3e-3, n_embd: int = 48, n_layer: int = 2,
                   n_head: int = 4, seed: int = 0, device: str = "cpu"
                   ) -> tuple[GPT, list[float]]:
    """Train ``GPT(vocab_size, block_size, n_embd, n_layer, n_head)`` on ids (N,).

    torch is seeded with ``seed`` before the model is built. Every step draws batch_size windows
    ids[s : s + block_size + 1], the starts from ``torch.randint(0, N - block_size,
    (batch_size,), generator=gen)`` of one CPU generator seeded ``seed``, and takes one AdamW
    step (lr, weight decay 0.01) on the mean cross-entropy of predicting window[:, 1:] from
    window[:, :-1].

    Returns:
        The model (on ``device``, train mode) and the loss of every step.
    """
    torch.manual_seed(seed)
    model = GPT(vocab_size, block_size, n_embd, n_layer, n_head).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    gen = torch.Generator().manual_seed(seed)
    data = torch.as_tensor(ids, dtype=torch.long)
    losses = []
    model.train()
    for _ in range(steps):
        starts = torch.randint(0, len(data) - block_size, (batch_size,), generator=gen)
        batch = torch.stack([data[s:s + block_size + 1] for s in starts.tolist()]).to(device)
        logits = model(batch[:, :-1])                                  # (B, T, V)
        loss = F.cross_entropy(logits.reshape(-1, vocab_size), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, losses
