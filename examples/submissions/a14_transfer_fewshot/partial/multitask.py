"""Multi-task learning with hard parameter sharing and learned uncertainty weighting.

A shared trunk h = trunk(x) feeds one head per task, yhat_t = head_t(h). With task losses L_t,
uncertainty weighting (Kendall, Gal and Cipolla 2018, in the common log-variance form) learns
one s_t = log sigma_t^2 per task and minimises

    L(theta, s) = sum_t [ exp(-s_t) L_t(theta) + s_t ].

For a fixed L_t the optimum is s_t = log L_t: a noisy task (large L_t) is down-weighted by
exp(-s_t) = 1 / L_t, and the + s_t term stops every weight from collapsing to 0.
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class MultiTaskNet(nn.Module):
    """Hard parameter sharing: ``self.trunk`` = Sequential(Linear(in_dim, hidden), ReLU,
    Linear(hidden, hidden), ReLU); ``self.heads`` = ModuleList of Linear(hidden, out_t), one per
    entry of ``out_dims``."""

    def __init__(self, in_dim: int, hidden: int, out_dims: list[int]) -> None:
        """Builds the trunk and the heads."""
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(),
                                   nn.Linear(hidden, hidden), nn.ReLU())
        self.heads = nn.ModuleList(nn.Linear(hidden, d) for d in out_dims)

    def forward(self, x: Tensor, task: int) -> Tensor:
        """x (B, in_dim) -> head ``task``'s output (B, out_task)."""
        return self.heads[task](self.trunk(x))


class UncertaintyWeighting(nn.Module):
    """Learned task weights: ``self.log_vars`` = nn.Parameter of zeros (T,), s_t = log sigma_t^2."""

    def __init__(self, n_tasks: int) -> None:
        """T log-variances, all 0 at the start (every weight exp(-s_t) = 1)."""
        super().__init__()
        self.log_vars = nn.Parameter(torch.zeros(n_tasks))

    def forward(self, losses: Tensor) -> Tensor:
        """losses (T,) -> the scalar sum_t exp(-s_t) losses_t + s_t (differentiable in both)."""
        s = self.log_vars.to(losses.dtype)
        return (torch.exp(-s) * losses + s).sum()

    def weights(self) -> Tensor:
        """The current task weights exp(-s_t), (T,), detached."""
        raise NotImplementedError("weights")


def train_multitask(xs: list[Tensor], ys: list[Tensor], *, hidden: int = 64,
                    epochs: int = 300, lr: float = 1e-2, weighting: str = "uncertainty",
                    seed: int = 0) -> tuple[MultiTaskNet, UncertaintyWeighting]:
    """Full-batch training of ``MultiTaskNet(xs[0].shape[1], hidden, [y.shape[1] for y in ys])``
    on T regression tasks, task t with its own inputs xs[t] (N_t, in_dim), targets ys[t] (N_t, o_t).

    ``torch.manual_seed(seed)``, then the net, then ``UncertaintyWeighting(T)``; one Adam(lr)
    over both. Each epoch is one step on L_t = MSE(net(xs[t], t), ys[t]) combined by the
    weighting (``"uncertainty"``) or plainly summed (``"sum"``, s stays 0). Both modules live on
    xs[0]'s device. Raises ValueError for any other weighting.
    """
    if weighting not in ("uncertainty", "sum"):
        raise ValueError(f"weighting must be 'uncertainty' or 'sum', got {weighting!r}")
    torch.manual_seed(seed)
    device = xs[0].device
    net = MultiTaskNet(xs[0].shape[1], hidden, [y.shape[1] for y in ys]).to(device)
    uw = UncertaintyWeighting(len(xs)).to(device)
    params = list(net.parameters()) + ([uw.log_vars] if weighting == "uncertainty" else [])
    opt = torch.optim.Adam(params, lr=lr)
    for _ in range(epochs):
        losses = torch.stack([F.mse_loss(net(x, t), y)
                              for t, (x, y) in enumerate(zip(xs, ys, strict=True))])
        total = uw(losses) if weighting == "uncertainty" else losses.sum()
        opt.zero_grad()
        total.backward()
        opt.step()
    return net, uw


@torch.no_grad()
def task_mse(net: nn.Module, x: Tensor, y: Tensor, task: int) -> float:
    """The test MSE of head ``task`` on x (N, in_dim), y (N, o)."""
    return F.mse_loss(net(x, task), y).item()
