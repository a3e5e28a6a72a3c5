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
    raise NotImplementedError('implement make_regressor in maml.py')


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
    raise NotImplementedError('implement adapt in maml.py')


def maml_objective(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                   inner_lr: float, steps: int, first_order: bool = False) -> Tensor:
    """J(theta): the query MSE after ``adapt`` on each task's support set, averaged over tasks.

    xs, ys (T, P_s, 1) support; xq, yq (T, P_q, 1) query; theta = the model's parameters.
    A scalar, differentiable with respect to the model's parameters.
    """
    raise NotImplementedError('implement maml_objective in maml.py')


def meta_gradient(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                  inner_lr: float, steps: int, first_order: bool = False) -> dict[str, Tensor]:
    """dJ/dtheta of ``maml_objective`` as name -> tensor (the shapes of the parameters); the
    model's ``.grad`` fields are left untouched."""
    raise NotImplementedError('implement meta_gradient in maml.py')


def train_maml(model: nn.Module, *, meta_steps: int = 300, meta_batch: int = 10,
               n_shot: int = 10, inner_lr: float = 0.01, steps: int = 1,
               first_order: bool = False, meta_lr: float = 1e-3, seed: int = 0) -> list[float]:
    """Meta-trains ``model`` in place with Adam(meta_lr) on J; returns J at every step.

    Tasks come from ``sample_sinusoids(meta_batch, 2 * n_shot, g)`` with
    g = torch.Generator().manual_seed(seed), moved to the model's device: the first n_shot
    points of every task are its support set, the rest its query set.
    """
    raise NotImplementedError('implement train_maml in maml.py')


def pretrain_baseline(model: nn.Module, *, train_steps: int = 300, batch: int = 10,
                      n_points: int = 20, lr: float = 1e-3, seed: int = 0) -> list[float]:
    """The non-meta baseline: trains ``model`` in place with Adam(lr) on the plain MSE of
    ``sample_sinusoids(batch, n_points, g)`` batches (all tasks pooled, no adaptation),
    g = torch.Generator().manual_seed(seed); returns the loss at every step."""
    raise NotImplementedError('implement pretrain_baseline in maml.py')


def adaptation_curve(model: nn.Module, xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor, *,
                     inner_lr: float, steps: int) -> list[float]:
    """Query MSE averaged over the T tasks after 0, 1, ..., S plain SGD steps (lr inner_lr) on
    each task's support MSE, each task starting from the model's parameters: S + 1 floats.
    The model is not modified."""
    raise NotImplementedError('implement adaptation_curve in maml.py')
