"""Gradient clipping by total norm and truncated backpropagation through time (TBPTT).

This version takes the total norm of the concatenation of all gradients (one flat vector)
rather than the norm of the per-tensor norms, gets the gradients of each chunk from
``torch.autograd.grad`` (no ``.grad`` accumulation) and applies them with ``torch.optim.SGD``.
"""

from collections.abc import Iterable

import torch
import torch.nn.functional as F
from recurrent import SequenceModel, State
from torch import Tensor


def clip_gradients(grads: list[Tensor], max_norm: float, norm_type: float = 2.0
                   ) -> tuple[list[Tensor], Tensor]:
    """Rescale a list of gradients so that their *total* norm is at most ``max_norm``.

    As torch.nn.utils.clip_grad_norm_: the total norm treats all gradients as one vector,

        N = || (||g_1||_p, ..., ||g_K||_p) ||_p      (p = inf: N = max_k max |g_k|)
        coef = min(1, max_norm / (N + 1e-6))
        g_k <- coef * g_k   for every k (the direction of the whole update is kept)

    Args:
        grads: K tensors of any shapes. max_norm: the threshold. norm_type: p (a float or inf).

    Returns:
        (the rescaled gradients as new tensors, N as a 0-d tensor).
    """
    if not grads:
        return [], torch.zeros(())
    flat = torch.cat([g.detach().reshape(-1) for g in grads])
    if norm_type == float("inf"):
        total = flat.abs().max()
    else:
        total = torch.linalg.vector_norm(flat, float(norm_type))
    coef = max_norm / (float(total) + 1e-6)
    if coef >= 1.0:
        return [g.clone() for g in grads], total
    return [g * coef for g in grads], total


def clip_grad_norm_(parameters: Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0) -> Tensor:
    """In-place version on parameters' ``.grad`` (those without a gradient are skipped);
    returns the total norm, like torch.nn.utils.clip_grad_norm_."""
    params = [p for p in parameters if p.grad is not None]
    clipped, total = clip_gradients([p.grad for p in params if p.grad is not None], max_norm,
                                    norm_type)
    for p, g in zip(params, clipped, strict=True):
        p.grad = g
    return total


def detach_state(state: State) -> State:
    """The same state cut from the graph (a tensor, or a pair of tensors for LSTM)."""
    if isinstance(state, tuple):
        return (state[0].detach(), state[1].detach())
    return state.detach()


def train_tbptt(model: SequenceModel, x: Tensor, y: Tensor, *, chunk: int, lr: float,
                max_norm: float | None = None) -> list[float]:
    """One pass of truncated BPTT with plain SGD over a long batch of sequences.

    The T steps are cut into consecutive chunks of ``chunk`` steps (the last may be shorter).
    For each chunk, in order:

        y_hat, state = model(x_chunk, state)     (state: zeros before the first chunk, then
                                                   the previous chunk's final state, detached)
        loss = mean((y_hat - y_chunk)^2)         (over all B x chunk x O entries)
        backward; clip the gradients of model.parameters() to total 2-norm max_norm with
        clip_gradients (unless max_norm is None); p <- p - lr * grad; zero the gradients.

    Detaching carries the *values* of the state across chunks but stops gradients at the chunk
    boundary, so memory and time per update are O(chunk) instead of O(T).

    Args:
        x: (B, T, D). y: (B, T, O) targets at every step.

    Returns:
        the loss of each chunk (floats, before its update), in order.
    """
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr=lr)
    losses: list[float] = []
    state: State | None = None
    for x_chunk, y_chunk in zip(x.split(chunk, dim=1), y.split(chunk, dim=1), strict=True):
        y_hat, state = model(x_chunk, state)
        loss = F.mse_loss(y_hat, y_chunk)
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        filled = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads,
                                                                          strict=True)]
        if max_norm is not None:
            filled, _ = clip_gradients(filled, max_norm)
        for p, g in zip(params, filled, strict=True):
            p.grad = g
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        state = detach_state(state)
        losses.append(float(loss.detach()))
    return losses

