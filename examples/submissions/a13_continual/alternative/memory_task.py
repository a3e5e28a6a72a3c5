"""Associative recall and a key-value memory network (written from the handout): the batch is
assembled with torch.cat and gather, the write head is the NTM head of ntm.address with gate 0,
and the slots are filled all at once after the addressing loop."""

import torch
from ntm import address, content_weights, read, write
from torch import Tensor, nn


def recall_batch(batch_size: int, n_pairs: int, width: int, *,
                 generator: torch.Generator) -> tuple[Tensor, Tensor, Tensor]:
    """Pairs (k, v, 0), then the query (k_q, 0, 1); target v_q; q."""
    if batch_size <= 0 or n_pairs <= 0 or width <= 0:
        raise ValueError("every size must be positive")
    size = (batch_size, n_pairs, width)
    keys = torch.randint(0, 2, size, generator=generator).float().mul(2).sub(1)
    values = torch.randint(0, 2, size, generator=generator).float().mul(2).sub(1)
    q = torch.randint(0, n_pairs, (batch_size,), generator=generator)
    idx = q.view(-1, 1, 1).expand(-1, 1, width)
    k_q = keys.gather(1, idx)                                   # (B, 1, W)
    v_q = values.gather(1, idx)[:, 0]                           # (B, W)
    pairs = torch.cat([keys, values, keys.new_zeros(batch_size, n_pairs, 1)], dim=2)
    query = torch.cat([k_q, torch.zeros_like(k_q), k_q.new_ones(batch_size, 1, 1)], dim=2)
    return torch.cat([pairs, query], dim=1), v_q, q


def recall_accuracy(pred: Tensor, target: Tensor) -> float:
    """Rows whose every bit has the target's sign (a zero is never right)."""
    hits = (pred * target > 0).sum(dim=1) == target.shape[1]
    return float(hits.sum().item()) / pred.shape[0]


class MemoryRecall(nn.Module):
    """add, query, strength, out, in that order."""

    def __init__(self, width: int, n_slots: int, mem_width: int | None = None) -> None:
        super().__init__()
        if width <= 0 or n_slots <= 0:
            raise ValueError("width and n_slots must be positive")
        mem_width = mem_width or 2 * width
        self.width, self.n_slots, self.mem_width = width, n_slots, mem_width
        self.add = nn.Linear(2 * width, mem_width)
        self.query = nn.Linear(width, mem_width)
        self.strength = nn.Linear(width, 1)
        self.out = nn.Linear(mem_width, width)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        b, p = x.shape[0], x.shape[1] - 1
        if p > self.n_slots:
            raise ValueError("more pairs than slots")
        n, d, w = self.n_slots, self.mem_width, self.width
        opts = {"dtype": x.dtype, "device": x.device}
        memory = torch.zeros(b, n, d, **opts)
        head = torch.eye(n, **opts)[n - 1].repeat(b, 1)
        ones, zero = torch.ones(b, **opts), torch.zeros(b, **opts)
        step = torch.tensor([0.0, 0.0, 1.0], **opts).repeat(b, 1)
        adds = self.add(x[:, :p, :2 * w])                        # (B, P, D)
        for t in range(p):
            head = address(memory, head, torch.ones(b, d, **opts), ones, zero, step, ones)
            memory = write(memory, head, torch.ones(b, d, **opts), adds[:, t])
        k_q = x[:, -1, :w]
        beta = torch.logaddexp(self.strength(k_q)[:, 0], torch.zeros((), **opts))
        weights = content_weights(memory, self.query(k_q), beta)
        return self.out(read(memory, weights)), weights


def train_recall(model: nn.Module, *, n_pairs: int, width: int, steps: int = 300,
                 batch_size: int = 32, lr: float = 0.01, seed: int = 0) -> list[float]:
    """Adam on the mean squared error, one seeded generator for all batches."""
    gen = torch.Generator().manual_seed(seed)
    params = list(model.parameters())
    optimizer = torch.optim.Adam(params, lr=lr)
    model.train()
    history: list[float] = []
    for _ in range(steps):
        x, target, _ = recall_batch(batch_size, n_pairs, width, generator=gen)
        result = model(x.to(params[0].device))
        y = result[0] if isinstance(result, (tuple, list)) else result
        loss = ((y - target.to(y.device)) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(float(loss.detach()))
    return history


def evaluate_recall(model: nn.Module, *, n_pairs: int, width: int, n: int = 512,
                    seed: int = 1) -> float:
    """Exact recall on a seeded batch, eval mode and no gradients, mode restored."""
    x, target, _ = recall_batch(n, n_pairs, width, generator=torch.Generator().manual_seed(seed))
    mode = model.training
    try:
        model.eval()
        with torch.no_grad():
            result = model(x.to(next(model.parameters()).device))
    finally:
        model.train(mode)
    y = result[0] if isinstance(result, (tuple, list)) else result
    return recall_accuracy(y.detach().cpu(), target)
