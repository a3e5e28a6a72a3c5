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
        raise NotImplementedError('implement MultiTaskNet.__init__ in multitask.py')

    def forward(self, x: Tensor, task: int) -> Tensor:
        """x (B, in_dim) -> head ``task``'s output (B, out_task)."""
        raise NotImplementedError('implement MultiTaskNet.forward in multitask.py')


class UncertaintyWeighting(nn.Module):
    """Learned task weights: ``self.log_vars`` = nn.Parameter of zeros (T,), s_t = log sigma_t^2."""

    def __init__(self, n_tasks: int) -> None:
        """T log-variances, all 0 at the start (every weight exp(-s_t) = 1)."""
        super().__init__()
        raise NotImplementedError('implement UncertaintyWeighting.__init__ in multitask.py')

    def forward(self, losses: Tensor) -> Tensor:
        """losses (T,) -> the scalar sum_t exp(-s_t) losses_t + s_t (differentiable in both)."""
        raise NotImplementedError('implement UncertaintyWeighting.forward in multitask.py')

    def weights(self) -> Tensor:
        """The current task weights exp(-s_t), (T,), detached."""
        raise NotImplementedError('implement UncertaintyWeighting.weights in multitask.py')


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
    raise NotImplementedError('implement train_multitask in multitask.py')


@torch.no_grad()
def task_mse(net: nn.Module, x: Tensor, y: Tensor, task: int) -> float:
    """The test MSE of head ``task`` on x (N, in_dim), y (N, o)."""
    raise NotImplementedError('implement task_mse in multitask.py')
