"""MAML on sinusoids, written from the handout."""

import math

import torch
from torch import Tensor, nn
from torch.func import functional_call, grad


def sample_sinusoids(n_tasks: int, n_points: int,
                     generator: torch.Generator) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Given: T sinusoid tasks of P points each, drawn on CPU from ``generator``.

    Returns x (T, P, 1), y (T, P, 1) float32, amplitudes (T,) and phases (T,).
    """
    amp = 0.1 + 4.9 * torch.rand(n_tasks, generator=generator)
    phase = math.pi * torch.rand(n_tasks, generator=generator)
    x = -5.0 + 10.0 * torch.rand(n_tasks, n_points, 1, generator=generator)
    y = amp[:, None, None] * torch.sin(x - phase[:, None, None])
    return x, y, amp, phase


def make_regressor(hidden: int = 40) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Linear(1, hidden), nn.ReLU()]
    layers += [nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)]
    return nn.Sequential(*layers)


def _mse(model: nn.Module, params: dict[str, Tensor], x: Tensor, y: Tensor) -> Tensor:
    return ((functional_call(model, params, (x,)) - y) ** 2).mean()


def adapt(model: nn.Module, params: dict[str, Tensor], x: Tensor, y: Tensor, *,
          inner_lr: float, steps: int, first_order: bool = False) -> dict[str, Tensor]:
    theta = dict(params)
    for _ in range(steps):
        g = grad(lambda p: _mse(model, p, x, y))(theta)
        if first_order:
            g = {k: v.detach() for k, v in g.items()}
        theta = {k: theta[k] - inner_lr * g[k] for k in theta}
    return theta


def maml_objective(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                   inner_lr: float, steps: int, first_order: bool = False) -> Tensor:
    theta = {k: v for k, v in model.named_parameters()}
    total = xs.new_zeros(())
    for t in range(xs.shape[0]):
        fast = adapt(model, theta, xs[t], ys[t], inner_lr=inner_lr, steps=steps,
                     first_order=first_order)
        total = total + _mse(model, fast, xq[t], yq[t])
    return total / xs.shape[0]


def meta_gradient(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                  inner_lr: float, steps: int, first_order: bool = False) -> dict[str, Tensor]:
    named = list(model.named_parameters())
    j = maml_objective(model, xs, ys, xq, yq, inner_lr=inner_lr, steps=steps,
                       first_order=first_order)
    g = torch.autograd.grad(j, [p for _, p in named])
    return {name: gi for (name, _), gi in zip(named, g, strict=True)}


def train_maml(model: nn.Module, *, meta_steps: int = 300, meta_batch: int = 10,
               n_shot: int = 10, inner_lr: float = 0.01, steps: int = 1,
               first_order: bool = False, meta_lr: float = 1e-3, seed: int = 0) -> list[float]:
    dev = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=meta_lr)
    out = []
    for _ in range(meta_steps):
        x, y, _, _ = sample_sinusoids(meta_batch, 2 * n_shot, gen)
        x, y = x.to(dev), y.to(dev)
        optimiser.zero_grad()
        j = maml_objective(model, x[:, :n_shot], y[:, :n_shot], x[:, n_shot:], y[:, n_shot:],
                           inner_lr=inner_lr, steps=steps, first_order=first_order)
        j.backward()
        optimiser.step()
        out.append(float(j))
    return out


def pretrain_baseline(model: nn.Module, *, train_steps: int = 300, batch: int = 10,
                      n_points: int = 20, lr: float = 1e-3, seed: int = 0) -> list[float]:
    dev = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    out = []
    for _ in range(train_steps):
        x, y, _, _ = sample_sinusoids(batch, n_points, gen)
        optimiser.zero_grad()
        loss = ((model(x.to(dev)) - y.to(dev)) ** 2).mean()
        loss.backward()
        optimiser.step()
        out.append(float(loss))
    return out


def adaptation_curve(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                     inner_lr: float, steps: int) -> list[float]:
    start = {k: v.detach().clone() for k, v in model.named_parameters()}
    sums = [0.0] * (steps + 1)
    for t in range(xs.shape[0]):
        theta = dict(start)
        for i in range(steps + 1):
            sums[i] += float(_mse(model, theta, xq[t], yq[t]))
            if i < steps:
                g = grad(lambda p, t=t: _mse(model, p, xs[t], ys[t]))(theta)
                theta = {k: theta[k] - inner_lr * g[k] for k in theta}
    return [v / xs.shape[0] for v in sums]
