"""Rehearsal: keep a few past examples and train on them alongside the new ones.

- **Reservoir sampling** (Vitter's algorithm R): a buffer of capacity m over a stream whose items
  arrive one by one. Item n (0-based) is stored when n < m; otherwise j ~ U{0, ..., n} is drawn and
  the item replaces slot j when j < m. After N items every one of them is in the buffer with the
  same probability m / N, without knowing N in advance.
- **Class-balanced buffer**: the capacity is shared equally among the classes seen so far, each
  class keeping a reservoir of its own; a new class shrinks every quota.
- **Experience replay** (ER): each training batch's loss adds the cross-entropy of a batch drawn
  from the buffer.
- **A-GEM** (Chaudhry et al. 2019): with g the gradient on the new batch and g_ref the gradient on
  a replayed batch, the update uses

      g~ = g                                    if g . g_ref >= 0
      g~ = g - (g . g_ref) / (g_ref . g_ref) g_ref   otherwise,

  the closest vector to g that does not increase the replayed loss to first order.
"""

import torch
import torch.nn.functional as F
from cl_metrics import evaluate_stream
from cl_streams import Experience
from cl_train import fit_experience
from torch import Tensor, nn


class ReservoirBuffer:
    """A reservoir of at most ``capacity`` examples; all its randomness comes from
    ``self.generator = torch.Generator().manual_seed(seed)``."""

    def __init__(self, capacity: int, *, seed: int = 0) -> None:
        """An empty buffer; ``n_seen`` counts the items offered so far.

        Raises:
            ValueError: when capacity < 1.
        """
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self.generator = torch.Generator().manual_seed(seed)
        self.n_seen = 0
        self.x: list[Tensor] = []
        self.y: list[Tensor] = []

    def add(self, x: Tensor, y: Tensor) -> None:
        """Offer the N items x (N, ...) with labels y (N,) one by one, in order, to algorithm R;
        for item n >= capacity, j = ``torch.randint(0, n + 1, (1,), generator=self.generator)``.
        The arguments are not modified."""
        for xi, yi in zip(x, y, strict=True):
            if self.n_seen < self.capacity:
                self.x.append(xi.clone())
                self.y.append(yi.clone())
            else:
                j = int(torch.randint(0, self.n_seen + 1, (1,), generator=self.generator))
                if j < self.capacity:
                    self.x[j], self.y[j] = xi.clone(), yi.clone()
            self.n_seen += 1

    def __len__(self) -> int:
        """The number of stored items, min(n_seen, capacity)."""
        return len(self.y)

    def contents(self) -> tuple[Tensor, Tensor]:
        """The stored items (len, ...) and labels (len,), slot by slot. Raises ValueError when
        empty."""
        if not self.y:
            raise ValueError("the buffer is empty")
        return torch.stack(self.x), torch.stack(self.y)

    def sample(self, n: int) -> tuple[Tensor, Tensor]:
        """min(n, len) distinct stored items: the slots
        ``torch.randperm(len(self), generator=self.generator)[:n]``."""
        x, y = self.contents()
        idx = torch.randperm(len(y), generator=self.generator)[:n].to(y.device)
        return x[idx], y[idx]


class ClassBalancedBuffer:
    """At most ``capacity`` examples shared equally among the classes seen so far."""

    def __init__(self, capacity: int, *, seed: int = 0) -> None:
        """An empty buffer, randomness from ``torch.Generator().manual_seed(seed)``."""
        self.capacity = capacity
        self.generator = torch.Generator().manual_seed(seed)
        self.store: dict[int, list[tuple[Tensor, Tensor]]] = {}
        self.seen: dict[int, int] = {}

    def add(self, x: Tensor, y: Tensor) -> None:
        """Offer the items one by one. An item of a new class first sets the quota to
        capacity // (number of classes seen, this one included) and cuts every class down to
        its first ``quota`` slots. The item of a class with n_c items seen before it is then
        stored when the class holds fewer than ``quota`` items; otherwise
        j = ``torch.randint(0, n_c + 1, (1,), generator=...)`` and it replaces the class's slot
        j when j < quota."""
        for xi, yi in zip(x, y, strict=True):
            c = int(yi)
            if c not in self.store:
                self.store[c], self.seen[c] = [], 0
                for slots in self.store.values():
                    del slots[self.quota():]
            slots, n_c = self.store[c], self.seen[c]
            if len(slots) < self.quota():
                slots.append((xi.clone(), yi.clone()))
            else:
                j = int(torch.randint(0, n_c + 1, (1,), generator=self.generator))
                if j < self.quota():
                    slots[j] = (xi.clone(), yi.clone())
            self.seen[c] = n_c + 1

    def quota(self) -> int:
        """capacity // number of classes seen (capacity when none)."""
        return self.capacity // max(len(self.store), 1)

    def __len__(self) -> int:
        """The number of stored items."""
        return sum(len(slots) for slots in self.store.values())

    def contents(self) -> tuple[Tensor, Tensor]:
        """The stored items and labels, class by class in order of first appearance. Raises
        ValueError when empty."""
        items = [item for slots in self.store.values() for item in slots]
        if not items:
            raise ValueError("the buffer is empty")
        return torch.stack([a for a, _ in items]), torch.stack([b for _, b in items])


def agem_project(g: Tensor, g_ref: Tensor) -> Tensor:
    """A-GEM's projection of the flat gradient g (P,) against the reference gradient g_ref (P,):
    a new tensor (the arguments are not modified); g itself (a copy) when g . g_ref >= 0."""
    dot = torch.dot(g, g_ref)
    if dot >= 0:
        return g.clone()
    return g - dot / torch.dot(g_ref, g_ref) * g_ref


def train_replay(model: nn.Module, stream: list[Experience], *, capacity: int = 200,
                 replay_batch: int = 32, epochs: int = 5, lr: float = 0.1, batch_size: int = 32,
                 seed: int = 0) -> Tensor:
    """Experience replay with a ``ReservoirBuffer(capacity, seed=seed)``; returns the (T, T)
    float64 accuracy matrix.

    Experience t is trained with ``fit_experience(..., seed=seed + t)`` whose regularizer, once
    the buffer holds anything, is CE(model(x_r), y_r) for (x_r, y_r) = buffer.sample(replay_batch)
    drawn anew at every batch. After experience t its whole training set is added to the buffer;
    row t of R is ``evaluate_stream`` after it.
    """
    buffer = ReservoirBuffer(capacity, seed=seed)

    def regularizer(m: nn.Module, _: Tensor) -> Tensor:
        xr, yr = buffer.sample(replay_batch)
        return F.cross_entropy(m(xr), yr)

    rows = []
    for t, exp in enumerate(stream):
        fit_experience(model, exp["x_train"], exp["y_train"], epochs=epochs, lr=lr,
                       batch_size=batch_size, seed=seed + t,
                       regularizer=regularizer if len(buffer) else None)
        buffer.add(exp["x_train"], exp["y_train"])
        rows.append(evaluate_stream(model, stream))
    return torch.stack(rows)
