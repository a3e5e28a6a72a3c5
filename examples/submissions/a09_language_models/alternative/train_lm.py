"""Bits per character, the n-gram baseline and training, written from the handout."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from gpt import GPT


def encode_corpus(splits: dict[str, str]) -> tuple[list[str], dict[str, np.ndarray]]:
    vocab = sorted(set("".join(splits.values())))
    index = {ch: i for i, ch in enumerate(vocab)}
    return vocab, {k: np.array([index[ch] for ch in v], dtype=np.int64)
                   for k, v in splits.items()}


def ngram_bpc(train_ids: np.ndarray, eval_ids: np.ndarray, n: int, vocab_size: int,
              alpha: float = 0.1) -> float:
    if n < 1:
        raise ValueError("n must be >= 1")
    if not alpha > 0:
        raise ValueError("alpha must be > 0")
    counts: dict[tuple[int, ...], np.ndarray] = {}
    seq = train_ids.tolist()
    for t in range(n - 1, len(seq)):
        h = tuple(seq[t - n + 1:t])
        if h not in counts:
            counts[h] = np.zeros(vocab_size)
        counts[h][seq[t]] += 1
    ev = eval_ids.tolist()
    logs = []
    for t in range(n - 1, len(ev)):
        row = counts.get(tuple(ev[t - n + 1:t]), np.zeros(vocab_size))
        logs.append(math.log2((row[ev[t]] + alpha) / (row.sum() + alpha * vocab_size)))
    return -float(np.mean(logs))


def bits_per_char(model: GPT, ids: np.ndarray, block_size: int) -> float:
    mode = model.training
    model.eval()
    dev = model.wte.weight.device
    total = 0.0
    with torch.no_grad():
        start = 0
        while start < len(ids) - 1:
            piece = torch.tensor(ids[start:start + block_size + 1], device=dev)
            logp = torch.log_softmax(model(piece[:-1].unsqueeze(0))[0].double(), -1)
            total -= logp[torch.arange(len(piece) - 1), piece[1:]].sum().item()
            start += block_size
    model.train(mode)
    return total / (len(ids) - 1) / math.log(2)


def train_char_gpt(ids: np.ndarray, vocab_size: int, *, steps: int = 300, block_size: int = 32,
                   batch_size: int = 32, lr: float = 3e-3, n_embd: int = 48, n_layer: int = 2,
                   n_head: int = 4, seed: int = 0, device: str = "cpu"
                   ) -> tuple[GPT, list[float]]:
    torch.manual_seed(seed)
    net = GPT(vocab_size, block_size, n_embd, n_layer, n_head).to(device)
    optim = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    rng = torch.Generator()
    rng.manual_seed(seed)
    data = torch.from_numpy(np.asarray(ids, dtype=np.int64))
    offsets = torch.arange(block_size + 1)
    history = []
    net.train()
    for _ in range(steps):
        starts = torch.randint(0, data.numel() - block_size, (batch_size,), generator=rng)
        window = data[starts[:, None] + offsets].to(device)
        out = net(window[:, :-1])
        loss = F.cross_entropy(out.flatten(0, 1), window[:, 1:].flatten())
        optim.zero_grad()
        loss.backward()
        optim.step()
        history.append(float(loss))
    return net, history
