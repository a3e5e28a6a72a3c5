"""Elastic weight consolidation (Kirkpatrick et al. 2017) and online EWC (Schwarz et al. 2018).

Training on experience B after A with a quadratic penalty that anchors each weight to its value
theta*_A after A, in proportion to how much A's log-likelihood depends on it:

    L(theta) = L_B(theta) + lam/2 sum_k F_k (theta_k - theta*_A,k)^2

F is the diagonal of the Fisher information at theta*_A, averaged over A's N inputs:

    true      F_k = 1/N sum_n sum_c p(c | x_n) (d/d theta_k log p(c | x_n))^2
    empirical F_k = 1/N sum_n (d/d theta_k log p(y_n | x_n))^2   (the labels y_n instead of p)

with p = softmax(model(x)). Standard EWC keeps one penalty per earlier experience; online EWC keeps
one running Fisher F <- gamma F + F_t and one anchor (the weights after the latest experience).
"""

import torch
import torch.nn.functional as F
from cl_metrics import evaluate_stream
from cl_streams import Experience
from cl_train import fit_experience
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap

Params = dict[str, Tensor]


def _per_sample_grads(model: nn.Module, x: Tensor, y: Tensor) -> Params:
    """d/d theta log p(y_n | x_n) for every n: each (N, *shape)."""
    params = {k: v.detach() for k, v in model.named_parameters()}

    def log_lik(p: Params, xn: Tensor, yn: Tensor) -> Tensor:
        logits = functional_call(model, p, (xn.unsqueeze(0),))
        return -F.cross_entropy(logits, yn.unsqueeze(0))

    return vmap(grad(log_lik), in_dims=(None, 0, 0))(params, x, y)


def fisher_diagonal(model: nn.Module, x: Tensor, y: Tensor | None = None, *,
                    empirical: bool = True) -> Params:
    """The diagonal Fisher of ``model`` on inputs x (N, D): true, or empirical with labels y (N,).

    Returns:
        {name: tensor of the parameter's shape} for every ``model.named_parameters()``, detached.
        Neither the model's parameters nor their ``.grad`` are changed.

    Raises:
        ValueError: when ``empirical`` and y is None.
    """
    raise NotImplementedError('implement fisher_diagonal in ewc.py')


def ewc_penalty(model: nn.Module, fisher: Params, anchor: Params, lam: float) -> Tensor:
    """lam/2 sum_k F_k (theta_k - theta*_k)^2 over the parameters named in ``fisher``: a scalar
    tensor differentiable in the model's parameters (fisher and anchor are constants)."""
    raise NotImplementedError('implement ewc_penalty in ewc.py')


def online_fisher(old: Params | None, new: Params, gamma: float = 1.0) -> Params:
    """Online EWC's running Fisher gamma * old + new (``new`` itself when old is None); a new
    dict, the arguments are not modified."""
    raise NotImplementedError('implement online_fisher in ewc.py')


def train_ewc(model: nn.Module, stream: list[Experience], *, lam: float = 100.0,
              online: bool = False, gamma: float = 1.0, empirical: bool = True,
              epochs: int = 5, lr: float = 0.1, batch_size: int = 32, seed: int = 0) -> Tensor:
    """Train on the stream with (online) EWC; return the (T, T) float64 accuracy matrix.

    Experience t is trained with ``fit_experience(..., seed=seed + t)`` whose regularizer is the
    sum of the penalties of the earlier experiences (online: the one running penalty). After it,
    its Fisher is computed on its training set at the new weights, which become its anchor;
    row t of R is ``evaluate_stream`` after experience t.
    """
    raise NotImplementedError('implement train_ewc in ewc.py')
