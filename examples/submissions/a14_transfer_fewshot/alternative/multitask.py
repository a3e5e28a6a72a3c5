"""Multi-task learning with uncertainty weighting, written from the handout."""

import torch
from torch import Tensor, nn


class MultiTaskNet(nn.Module):
    def __init__(self, in_dim: int, hidden: int, out_dims: list[int]) -> None:
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.heads = nn.ModuleList()
        for d in out_dims:
            self.heads.append(nn.Linear(hidden, d))

    def forward(self, x: Tensor, task: int) -> Tensor:
        shared = self.trunk(x)
        return self.heads[task](shared)


class UncertaintyWeighting(nn.Module):
    def __init__(self, n_tasks: int) -> None:
        super().__init__()
        self.log_vars = nn.Parameter(torch.zeros(n_tasks))

    def forward(self, losses: Tensor) -> Tensor:
        total = losses.new_zeros(())
        for t in range(losses.shape[0]):
            s = self.log_vars[t]
            total = total + losses[t] * torch.exp(-s) + s
        return total

    def weights(self) -> Tensor:
        with torch.no_grad():
            return self.log_vars.neg().exp()


def train_multitask(xs: list[Tensor], ys: list[Tensor], *, hidden: int = 64,
                    epochs: int = 300, lr: float = 1e-2, weighting: str = "uncertainty",
                    seed: int = 0) -> tuple[MultiTaskNet, UncertaintyWeighting]:
    if weighting != "uncertainty" and weighting != "sum":
        raise ValueError("unknown weighting " + weighting)
    torch.manual_seed(seed)
    net = MultiTaskNet(xs[0].shape[1], hidden, [t.shape[1] for t in ys]).to(xs[0].device)
    weigher = UncertaintyWeighting(len(xs)).to(xs[0].device)
    groups = [{"params": net.parameters()}]
    if weighting == "uncertainty":
        groups.append({"params": [weigher.log_vars]})
    optimiser = torch.optim.Adam(groups, lr=lr)
    for _ in range(epochs):
        task_losses = [((net(x, t) - y) ** 2).mean() for t, (x, y) in enumerate(zip(xs, ys, strict=True))]
        stacked = torch.stack(task_losses)
        loss = weigher(stacked) if weighting == "uncertainty" else stacked.sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return net, weigher


def task_mse(net: nn.Module, x: Tensor, y: Tensor, task: int) -> float:
    with torch.no_grad():
        return float(((net(x, task) - y) ** 2).mean())
