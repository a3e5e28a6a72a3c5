"""Gradients of a torch module, computed where the module lives.

Graded tests call this inside the sandbox (``student.lib("dnn.autograd")``), because a module
there is only a handle to the judge and its autograd graph cannot cross the data-only proxy.
"""

from __future__ import annotations

import torch
from torch import nn


def gradients(module: nn.Module, inputs: list[torch.Tensor], upstream: torch.Tensor | list[
        torch.Tensor], *, output_index: int | None = None) -> dict[str, torch.Tensor]:
    """d(sum(output * upstream)) with respect to each input ("input0", ...) and each parameter
    (by its state_dict name). When the module returns a tuple, `output_index` picks the output,
    or `upstream` is a list with one tensor per output."""
    module.zero_grad(set_to_none=True)
    leaves = [x.detach().clone().requires_grad_(x.is_floating_point()) for x in inputs]
    output = module(*leaves)
    if output_index is not None:
        output = output[output_index]
    outputs = list(output) if isinstance(output, tuple | list) else [output]
    ups = upstream if isinstance(upstream, list) else [upstream]
    if len(outputs) != len(ups):
        raise ValueError(f"{len(outputs)} outputs but {len(ups)} upstream gradients")
    total = sum((o * u).sum() for o, u in zip(outputs, ups, strict=True))
    assert isinstance(total, torch.Tensor)
    total.backward()
    grads = {f"input{i}": x.grad for i, x in enumerate(leaves) if x.grad is not None}
    grads.update({name: p.grad for name, p in module.named_parameters() if p.grad is not None})
    return {k: v.detach() for k, v in grads.items()}
