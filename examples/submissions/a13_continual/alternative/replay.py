"""Reservoir and class-balanced buffers, A-GEM, experience replay (written from the handout)."""

import torch
from torch import Tensor, nn
from torch.nn.functional import cross_entropy

from cl_metrics import evaluate_stream
from cl_streams import Experience
from cl_train import fit_experience


class ReservoirBuffer:
    """Algorithm R over preallocated slots."""

    def __init__(self, capacity: int, *, seed: int = 0) -> None:
        """Empty buffer."""
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self.generator = torch.Generator()
        self.generator.manual_seed(seed)
        self.n_seen = 0
        self._x: Tensor | None = None
        self._y: Tensor | None = None
        self._size = 0

    def add(self, x: Tensor, y: Tensor) -> None:
        """Offer the items in order."""
        if self._x is None:
            self._x = x.new_zeros((self.capacity, *x.shape[1:]))
            self._y = y.new_zeros((self.capacity,))
        assert self._y is not None
        for i in range(x.shape[0]):
            n = self.n_seen
            if n < self.capacity:
                slot = n
                self._size += 1
            else:
                slot = int(torch.randint(0, n + 1, (1,), generator=self.generator).item())
            if slot < self.capacity:
                self._x[slot] = x[i]
                self._y[slot] = y[i]
            self.n_seen = n + 1

    def __len__(self) -> int:
        """Stored items."""
        return self._size

    def contents(self) -> tuple[Tensor, Tensor]:
        """The stored items."""
        if self._size == 0 or self._x is None or self._y is None:
            raise ValueError("empty buffer")
        return self._x[:self._size].clone(), self._y[:self._size].clone()

    def sample(self, n: int) -> tuple[Tensor, Tensor]:
        """min(n, len) distinct items."""
        xs, ys = self.contents()
        pick = torch.randperm(self._size, generator=self.generator)[:n]
        pick = pick.to(ys.device)
        return xs.index_select(0, pick), ys.index_select(0, pick)


class ClassBalancedBuffer:
    """Equal slots per seen class, one reservoir each."""

    def __init__(self, capacity: int, *, seed: int = 0) -> None:
        """Empty buffer."""
        self.capacity = capacity
        self.generator = torch.Generator().manual_seed(seed)
        self.classes: list[int] = []
        self.xs: list[list[Tensor]] = []
        self.ys: list[list[Tensor]] = []
        self.counts: list[int] = []

    def quota(self) -> int:
        """capacity // classes seen."""
        return self.capacity if not self.classes else self.capacity // len(self.classes)

    def add(self, x: Tensor, y: Tensor) -> None:
        """Offer the items in order."""
        for i in range(len(y)):
            label = int(y[i].item())
            if label in self.classes:
                c = self.classes.index(label)
            else:
                self.classes.append(label)
                self.xs.append([])
                self.ys.append([])
                self.counts.append(0)
                q = self.quota()
                self.xs = [lst[:q] for lst in self.xs]
                self.ys = [lst[:q] for lst in self.ys]
                c = len(self.classes) - 1
            q = self.quota()
            if len(self.ys[c]) < q:
                self.xs[c].append(x[i].clone())
                self.ys[c].append(y[i].clone())
            else:
                j = int(torch.randint(0, self.counts[c] + 1, (1,), generator=self.generator))
                if j < q:
                    self.xs[c][j] = x[i].clone()
                    self.ys[c][j] = y[i].clone()
            self.counts[c] += 1

    def __len__(self) -> int:
        """Stored items."""
        return sum(map(len, self.ys))

    def contents(self) -> tuple[Tensor, Tensor]:
        """Class by class."""
        flat_x = [v for lst in self.xs for v in lst]
        flat_y = [v for lst in self.ys for v in lst]
        if not flat_y:
            raise ValueError("empty buffer")
        return torch.stack(flat_x), torch.stack(flat_y)


def agem_project(g: Tensor, g_ref: Tensor) -> Tensor:
    """A-GEM projection."""
    conflict = (g * g_ref).sum()
    if conflict < 0:
        return g - g_ref * (conflict / (g_ref * g_ref).sum())
    return g.clone()


def train_replay(model: nn.Module, stream: list[Experience], *, capacity: int = 200,
                 replay_batch: int = 32, epochs: int = 5, lr: float = 0.1, batch_size: int = 32,
                 seed: int = 0) -> Tensor:
    """Experience replay."""
    memory = ReservoirBuffer(capacity, seed=seed)
    r = torch.zeros(len(stream), len(stream), dtype=torch.float64)
    for t, e in enumerate(stream):
        def reg(m: nn.Module, _x: Tensor) -> Tensor:
            xr, yr = memory.sample(replay_batch)
            return cross_entropy(m(xr), yr)
        fit_experience(model, e["x_train"], e["y_train"], epochs=epochs, lr=lr,
                       batch_size=batch_size, seed=seed + t,
                       regularizer=reg if len(memory) > 0 else None)
        memory.add(e["x_train"], e["y_train"])
        r[t] = evaluate_stream(model, stream)
    return r
