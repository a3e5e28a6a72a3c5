"""Probes that graded tests run inside the sandbox, next to the student's objects.

Results cross the data-only proxy as copies, so two things are invisible from the judge's side:
what a custom ``torch.autograd.Function.backward`` returns before autograd reshapes it, and
whether a value a student's method returned still shares memory with state that later work
changes. Both need the objects where they live: ``student.lib("dnn.probes")``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch


def raw_backward(function: type[torch.autograd.Function], inputs: Sequence[torch.Tensor],
                 grad_outputs: Sequence[torch.Tensor], requires_grad: Sequence[bool]
                 ) -> tuple[Any, ...]:
    """What ``function.backward`` itself returns for ``grad_outputs``, before autograd sums a
    gradient of the wrong shape down to its input's shape (autograd forgives that; a backward's
    contract does not).

    Args:
        function: a torch.autograd.Function subclass.
        inputs: its tensor inputs; input k requires grad when ``requires_grad[k]`` (at least one
            must, so that a graph exists), which sets ``ctx.needs_input_grad``.
        grad_outputs: dL/d(output), one per output.

    Returns:
        the backward's tuple, one entry (a tensor or None) per input.
    """
    leaves = [x.detach().clone().requires_grad_(bool(flag))
              for x, flag in zip(inputs, requires_grad, strict=True)]
    output = function.apply(*leaves)
    first = output[0] if isinstance(output, tuple | list) else output
    result = first.grad_fn.apply(*grad_outputs)  # calls function.backward(ctx, ...) directly
    return tuple(result) if isinstance(result, tuple | list) else (result,)


def result_after(first: Callable[[], Any], then: Callable[..., Any], *args: Any,
                 **kwargs: Any) -> Any:
    """``first()``'s result as it is after ``then(*args, **kwargs)`` has run: a snapshot that
    later work must not change (e.g. a checkpoint taken before more training)."""
    snapshot = first()
    then(*args, **kwargs)
    return snapshot
