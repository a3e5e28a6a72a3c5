"""Model-agnostic meta-learning (Finn et al. 2017) on sinusoid regression.

A task is y = A sin(x - phi) with A ~ U[0.1, 5], phi ~ U[0, pi], x ~ U[-5, 5]. With parameters
theta, the inner loop adapts to a task's support set (x^s, y^s) by S steps of gradient descent

    theta_0 = theta,   theta_{i+1} = theta_i - alpha grad L_s(theta_i),

and the meta-objective is the query loss after adaptation, averaged over a batch of T tasks:

    J(theta) = (1 / T) sum_t L_q^t(theta_S^t(theta)).

Its exact (second-order) gradient differentiates through the inner updates, Hessians included:
dJ/dtheta = (1/T) sum_t prod_i (I - alpha H_s(theta_i)) grad L_q(theta_S). First-order MAML drops
the Hessian terms, treating every inner gradient as a constant: dJ/dtheta ~ (1/T) sum_t
grad L_q^t(theta_S^t). L is the mean squared error.
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call


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
    """The MAML regressor: Sequential(Linear(1, h), ReLU, Linear(h, h), ReLU, Linear(h, 1))."""
    return nn.Sequential(nn.Linear(1, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 1))


def adapt(model: nn.Module, params: dict[str, Tensor], x: Tensor, y: Tensor, *,
          inner_lr: float, steps: int, first_order: bool = False) -> dict[str, Tensor]:
    """S inner steps theta_{i+1} = theta_i - alpha grad MSE(model_{theta_i}(x), y) from
    ``params`` (name -> tensor, as ``dict(model.named_parameters())``), evaluated with
    ``torch.func.functional_call``. x (P, 1), y (P, 1). A tensor of ``params`` that does not
    require grad is used as a fresh leaf (a detached copy that does).

    Second order (``first_order=False``): the steps stay differentiable with respect to
    ``params`` (the gradients are taken with ``create_graph=True``). First order: every inner
    gradient is detached, so only the identity path theta_S = theta - const remains. ``params``
    and ``model`` are not modified; returns the adapted dict (same keys).
    """
    names = list(params)
    current = {n: p if p.requires_grad else p.detach().requires_grad_(True)
               for n, p in params.items()}
    for _ in range(steps):
        loss = F.mse_loss(functional_call(model, current, (x,)), y)
        grads = torch.autograd.grad(loss, [current[n] for n in names],
                                    create_graph=not first_order)
        if first_order:
            grads = tuple(g.detach() for g in grads)
        current = {n: current[n] - inner_lr * g for n, g in zip(names, grads, strict=True)}
    return current


def maml_objective(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                   inner_lr: float, steps: int, first_order: bool = False) -> Tensor:
    """J(theta): the query MSE after ``adapt`` on each task's support set, averaged over tasks.

    xs, ys (T, P_s, 1) support; xq, yq (T, P_q, 1) query; theta = the model's parameters.
    A scalar, differentiable with respect to the model's parameters.
    """
    params: dict[str, Tensor] = dict(model.named_parameters())
    losses = []
    for t in range(len(xs)):
        adapted = adapt(model, params, xs[t], ys[t], inner_lr=inner_lr, steps=steps,
                        first_order=first_order)
        losses.append(F.mse_loss(functional_call(model, adapted, (xq[t],)), yq[t]))
    return torch.stack(losses).mean()


def meta_gradient(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                  inner_lr: float, steps: int, first_order: bool = False) -> dict[str, Tensor]:
    """dJ/dtheta of ``maml_objective`` as name -> tensor (the shapes of the parameters); the
    model's ``.grad`` fields are left untouched."""
    names, params = zip(*model.named_parameters(), strict=True)
    j = maml_objective(model, xs, ys, xq, yq, inner_lr=inner_lr, steps=steps,
                       first_order=first_order)
    grads = torch.autograd.grad(j, params)
    return {n: g.detach() for n, g in zip(names, grads, strict=True)}


def train_maml(model: nn.Module, *, meta_steps: int = 300, meta_batch: int = 10,
               n_shot: int = 10, inner_lr: float = 0.01, steps: int = 1,
               first_order: bool = False, meta_lr: float = 1e-3, seed: int = 0) -> list[float]:
    """Meta-trains ``model`` in place with Adam(meta_lr) on J; returns J at every step.

    Tasks come from ``sample_sinusoids(meta_batch, 2 * n_shot, g)`` with
    g = torch.Generator().manual_seed(seed), moved to the model's device: the first n_shot
    points of every task are its support set, the rest its query set.
    """
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=meta_lr)
    history = []
    for _ in range(meta_steps):
        x, y, _, _ = sample_sinusoids(meta_batch, 2 * n_shot, g)
        x, y = x.to(device), y.to(device)
        j = maml_objective(model, x[:, :n_shot], y[:, :n_shot], x[:, n_shot:], y[:, n_shot:],
                           inner_lr=inner_lr, steps=steps, first_order=first_order)
        opt.zero_grad()
        j.backward()
        opt.step()
        history.append(j.item())
    return history


def pretrain_baseline(model: nn.Module, *, train_steps: int = 300, batch: int = 10,
                      n_points: int = 20, lr: float = 1e-3, seed: int = 0) -> list[float]:
    """The non-meta baseline: trains ``model`` in place with Adam(lr) on the plain MSE of
    ``sample_sinusoids(batch, n_points, g)`` batches (all tasks pooled, no adaptation),
    g = torch.Generator().manual_seed(seed); returns the loss at every step."""
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(train_steps):
        x, y, _, _ = sample_sinusoids(batch, n_points, g)
        loss = F.mse_loss(model(x.to(device)), y.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return history


def adaptation_curve(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                     inner_lr: float, steps: int) -> list[float]:
    """Query MSE averaged over the T tasks after 0, 1, ..., S plain SGD steps (lr inner_lr) on
    each task's support MSE, each task starting from the model's parameters: S + 1 floats.
    The model is not modified."""
    params = {n: p.detach() for n, p in model.named_parameters()}
    curve = [0.0] * (steps + 1)
    for t in range(len(xs)):
        current = {n: p.clone().requires_grad_(True) for n, p in params.items()}
        for i in range(steps + 1):
            with torch.no_grad():
                curve[i] += F.mse_loss(functional_call(model, current, (xq[t],)), yq[t]).item()
            if i == steps:
                break
            loss = F.mse_loss(functional_call(model, current, (xs[t],)), ys[t])
            grads = torch.autograd.grad(loss, list(current.values()))
            current = {n: (p - inner_lr * g).detach().requires_grad_(True)
                       for (n, p), g in zip(current.items(), grads, strict=True)}
    return [c / len(xs) for c in curve]
