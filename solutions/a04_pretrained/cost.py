"""What a network costs: parameters, multiply-accumulates per layer, receptive field.

A Conv2d with C_in input channels, C_out filters of size kh x kw and ``groups`` g, producing
an (N, C_out, H_out, W_out) output, does

    MACs = N * C_out * H_out * W_out * (C_in / g) * kh * kw

multiply-accumulates (the bias adds are not counted); a Linear layer on an input with M rows
(all leading dimensions together) does M * in_features * out_features. One MAC is two FLOPs,
which is how ``torch.utils.flop_counter.FlopCounterMode`` counts.

Receptive field of a chain of layers l = 1..L with kernel k_l, stride s_l and dilation d_l:
with j_0 = 1 and r_0 = 1,

    r_l = r_{l-1} + (k_l - 1) d_l j_{l-1},     j_l = j_{l-1} s_l

r_L is how many input pixels (along one axis) one output depends on, j_L (the "jump") is how
far apart in the input two neighbouring outputs are: the output stride.
"""

from __future__ import annotations

import torch
from torch import nn


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """The number of scalar parameters of ``model`` (buffers such as BN running statistics do
    not count; a parameter shared by two modules counts once); with ``trainable_only``, only
    those with ``requires_grad``."""
    ### BEGIN SOLUTION
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
    ### END SOLUTION


def layer_macs(model: nn.Module, input_shape: tuple[int, ...]) -> dict[str, int]:
    """MACs of every Conv2d and Linear module of ``model`` for one forward pass of a zero input
    of ``input_shape`` (N, C, H, W), keyed by the module's name in ``model.named_modules()``
    (e.g. "layer1.0.conv1", "fc"). The model runs in eval mode, without gradients, on the dtype
    and device of its parameters; its training flag is restored afterwards. A module called
    twice counts twice."""
    ### BEGIN SOLUTION
    macs: dict[str, int] = {}

    def hook(name: str):
        def count(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
            if isinstance(module, nn.Conv2d):
                per_output = module.in_channels // module.groups * module.weight[0, 0].numel()
                n = output.numel() * per_output
            else:
                n = output.numel() * module.in_features
            macs[name] = macs.get(name, 0) + int(n)
        return count

    handles = [m.register_forward_hook(hook(name)) for name, m in model.named_modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    weight = next(model.parameters())
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(input_shape, dtype=weight.dtype, device=weight.device))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return macs
    ### END SOLUTION


def receptive_field(layers: list[tuple[int, int, int]]) -> tuple[int, int]:
    """(r, j): receptive field and jump (output stride) of a chain of layers, each given as
    (kernel, stride, dilation), by the recursion of the module docstring. An empty chain is
    the identity: (1, 1). Raises ValueError for a kernel, stride or dilation below 1."""
    ### BEGIN SOLUTION
    r, j = 1, 1
    for kernel, stride, dilation in layers:
        if min(kernel, stride, dilation) < 1:
            raise ValueError(f"kernel, stride and dilation must be >= 1, got "
                             f"{(kernel, stride, dilation)}")
        r += (kernel - 1) * dilation * j
        j *= stride
    return r, j
    ### END SOLUTION
