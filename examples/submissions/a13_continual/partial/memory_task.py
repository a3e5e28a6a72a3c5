"""Associative recall with an external memory, against an LSTM of as many parameters.

**The task.** A sequence shows P pairs (k_1, v_1), ..., (k_P, v_P) of random binary vectors
k_i, v_i in {-1, +1}^W, then one of the keys again, k_q with q uniform in {0, ..., P-1}; the
answer is its value v_q. Each step is an input of 2W + 1 numbers:

    x[t] = (k_t, v_t, 0)      for t < P        (a pair)
    x[P] = (k_q, 0, 1)                          (the query, flagged by the last input)

so x is (B, P + 1, 2W + 1) and the target is (B, W). A recurrent network has to squeeze every
pair into its fixed state; a memory network writes each pair into a slot of its own.

**The model** (a key-value memory built on the NTM functions of ``ntm``). Memory M (B, N, D)
starts at zero and the write weighting at slot N - 1. For each pair t = 0, ..., P - 1 the write
head moves one slot forward by location alone, w_t = circular_shift(w_{t-1}, s = (0, 0, 1)),
so pair t lands in slot t, and replaces that slot:

    a_t = A [k_t; v_t] + b_A          (D,)       the add vector (``self.add``)
    M   = write(M, w_t, e = 1, a_t)

The read head addresses by content with a key and a key strength computed from the query:

    k_r  = Q k_q + b_Q                 (D,)      (``self.query``)
    beta = softplus(s . k_q + b_s)     scalar    (``self.strength``)
    w_r  = content_weights(M, k_r, beta)          (B, N)
    y    = O read(M, w_r) + b_O        (W,)      (``self.out``)

Trained with the mean squared error between y and v_q; a recalled bit is sign(y).
"""

import torch
import torch.nn.functional as F
from ntm import circular_shift, content_weights, read, write
from torch import Tensor, nn


def recall_batch(batch_size: int, n_pairs: int, width: int, *,
                 generator: torch.Generator) -> tuple[Tensor, Tensor, Tensor]:
    """A batch of associative-recall sequences, float32 on the CPU.

    Draws, in this order and all from ``generator``:
    keys = 2 * torch.randint(0, 2, (B, P, W)) - 1, values the same way, then the query index
    q = torch.randint(0, P, (B,)).

    Returns:
        x (B, P + 1, 2W + 1): the pairs then the query (see the module docstring),
        target (B, W): values[b, q[b]],
        q (B,) int64: the queried pair.

    Raises:
        ValueError: when batch_size, n_pairs or width is below 1.
    """
    if min(batch_size, n_pairs, width) < 1:
        raise ValueError(f"batch_size, n_pairs and width must be >= 1, got "
                         f"{batch_size}, {n_pairs}, {width}")
    shape = (batch_size, n_pairs, width)
    keys = (2 * torch.randint(0, 2, shape, generator=generator) - 1).float()
    values = (2 * torch.randint(0, 2, shape, generator=generator) - 1).float()
    q = torch.randint(0, n_pairs, (batch_size,), generator=generator)
    rows = torch.arange(batch_size)
    x = torch.zeros(batch_size, n_pairs + 1, 2 * width + 1)
    x[:, :n_pairs, :width] = keys
    x[:, :n_pairs, width:2 * width] = values
    x[:, n_pairs, :width] = keys[rows, q]
    x[:, n_pairs, 2 * width] = 1.0
    return x, values[rows, q], q


def recall_accuracy(pred: Tensor, target: Tensor) -> float:
    """The fraction of the B rows of pred (B, W) whose every sign equals the target's (B, W) in
    {-1, +1}; a zero prediction is wrong."""
    return (torch.sign(pred) == target).all(dim=1).float().mean().item()


class MemoryRecall(nn.Module):
    """The key-value memory network of the module docstring: N = ``n_slots`` slots of width
    D = ``mem_width`` (2W when None); submodules ``add`` = Linear(2W, D), ``query`` =
    Linear(W, D), ``strength`` = Linear(W, 1), ``out`` = Linear(D, W), created in that order."""

    def __init__(self, width: int, n_slots: int, mem_width: int | None = None) -> None:
        """Raises:
            ValueError: when width or n_slots is below 1."""
        super().__init__()
        if width < 1 or n_slots < 1:
            raise ValueError(f"width and n_slots must be >= 1, got {width}, {n_slots}")
        d = 2 * width if mem_width is None else mem_width
        self.width, self.n_slots, self.mem_width = width, n_slots, d
        self.add = nn.Linear(2 * width, d)
        self.query = nn.Linear(width, d)
        self.strength = nn.Linear(width, 1)
        self.out = nn.Linear(d, width)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """x (B, P + 1, 2W + 1) -> the answer y (B, W) and the read weighting w_r (B, N).

        Raises:
            ValueError: when P > n_slots (a pair would overwrite another).
        """
        bsz, steps, _ = x.shape
        n_pairs, wd = steps - 1, self.width
        if n_pairs > self.n_slots:
            raise ValueError(f"{n_pairs} pairs do not fit in {self.n_slots} slots")
        mem = x.new_zeros(bsz, self.n_slots, self.mem_width)
        w = x.new_zeros(bsz, self.n_slots)
        w[:, -1] = 1.0
        plus_one = x.new_tensor([0.0, 0.0, 1.0]).expand(bsz, 3)
        erase = x.new_ones(bsz, self.mem_width)
        for t in range(n_pairs):
            mem = write(mem, w, erase, self.add(x[:, t, :2 * wd]))
            w = circular_shift(w, plus_one)
        q = x[:, n_pairs, :wd]
        beta = F.softplus(self.strength(q)).squeeze(1)
        w_r = content_weights(mem, self.query(q), beta)
        return self.out(read(mem, w_r)), w_r


def train_recall(model: nn.Module, *, n_pairs: int, width: int, steps: int = 300,
                 batch_size: int = 32, lr: float = 0.01, seed: int = 0) -> list[float]:
    """Trains ``model`` (any module whose forward returns (y, ...) or y) with Adam(lr) for
    ``steps`` steps, each on a fresh ``recall_batch(batch_size, n_pairs, width, generator=g)``
    from one g = torch.Generator().manual_seed(seed), minimising mean((y - target)^2).
    Leaves the model in training mode; returns the loss of every step."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    device = next(model.parameters()).device
    model.train()
    losses = []
    for _ in range(steps):
        x, target, _ = recall_batch(batch_size, n_pairs, width, generator=g)
        out = model(x.to(device))
        y = out[0] if isinstance(out, tuple) else out
        loss = F.mse_loss(y, target.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def evaluate_recall(model: nn.Module, *, n_pairs: int, width: int, n: int = 512,
                    seed: int = 1) -> float:
    """recall_accuracy of ``model`` in eval mode, without gradients, on
    ``recall_batch(n, n_pairs, width, generator=torch.Generator().manual_seed(seed))``; the
    model's training mode is restored afterwards."""
    x, target, _ = recall_batch(n, n_pairs, width, generator=torch.Generator().manual_seed(seed))
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        out = model(x.to(device))
    y = out[0] if isinstance(out, tuple) else out
    return recall_accuracy(y.cpu(), target)
