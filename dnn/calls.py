"""Calls of student functions that must happen inside the sandbox, next to the student's code.

The data-only proxy cannot carry an autograd graph, a torch.Generator or a dispatch mode, so
graded tests send a function handle and data here: ``student.lib("dnn.calls")``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


def gradients_of_call(fn: Callable[..., torch.Tensor], inputs: dict[str, torch.Tensor],
                      upstream: torch.Tensor, **kwargs: Any) -> dict[str, torch.Tensor]:
    """fn(**inputs, **kwargs) and the gradients of sum(output * upstream) with respect to each
    floating-point input: {"output": ..., name: gradient (zeros where none flows)}."""
    leaves = {name: x.detach().clone().requires_grad_(x.is_floating_point())
              for name, x in inputs.items()}
    output = fn(**leaves, **kwargs)
    differentiable = [x for x in leaves.values() if x.requires_grad]
    grads = torch.autograd.grad((output * upstream).sum(), differentiable, allow_unused=True)
    result = {"output": output.detach()}
    names = [name for name, x in leaves.items() if x.requires_grad]
    for name, grad in zip(names, grads, strict=True):
        result[name] = torch.zeros_like(leaves[name]) if grad is None else grad.detach()
    return result


def parameter_gradients_of_call(fn: Callable[..., torch.Tensor], module: torch.nn.Module,
                                *args: Any, **kwargs: Any) -> dict[str, torch.Tensor]:
    """fn(module, *args, **kwargs), a scalar, and its gradient with respect to each of
    ``module``'s parameters: {"output": value, parameter name: gradient}. A parameter that no
    gradient reaches, or an output with no graph at all (a penalty computed without
    ``create_graph``), gives zeros: the test then says what is missing instead of a crash."""
    output = fn(module, *args, **kwargs)
    params = dict(module.named_parameters())
    result = {"output": output.detach()}
    if not output.requires_grad:
        return result | {name: torch.zeros_like(p) for name, p in params.items()}
    grads = torch.autograd.grad(output, list(params.values()), allow_unused=True)
    for (name, p), grad in zip(params.items(), grads, strict=True):
        result[name] = torch.zeros_like(p) if grad is None else grad.detach()
    return result


def call_with_generator(fn: Callable[..., Any], seed: int, *args: Any, **kwargs: Any) -> Any:
    """fn(*args, generator=g, **kwargs) with g a torch.Generator seeded with ``seed``, on the
    device of the first tensor argument (CPU when there is none)."""
    tensors = [a for a in tree_flatten((args, kwargs))[0] if isinstance(a, torch.Tensor)]
    device = tensors[0].device if tensors else torch.device("cpu")
    generator = torch.Generator(device=device).manual_seed(seed)
    return fn(*args, generator=generator, **kwargs)


class _LargestOutput(TorchDispatchMode):
    """Records the largest storage (in elements) that any operator produces."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        out = func(*args, **(kwargs or {}))
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor):
                size = t.untyped_storage().nbytes() // max(t.element_size(), 1)
                self.largest = max(self.largest, size)
        return out


def largest_intermediate(fn: Callable[..., Any], *args: Any, **kwargs: Any
                         ) -> tuple[Any, int]:
    """(fn(*args, **kwargs), the number of elements of the largest tensor storage any operator
    produced during the call, views counted by the storage they share)."""
    mode = _LargestOutput()
    with mode:
        result = fn(*args, **kwargs)
    return result, mode.largest
