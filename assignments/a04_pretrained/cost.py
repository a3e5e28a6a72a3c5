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
    raise NotImplementedError('implement count_parameters in cost.py')


def layer_macs(model: nn.Module, input_shape: tuple[int, ...]) -> dict[str, int]:
    """MACs of every Conv2d and Linear module of ``model`` for one forward pass of a zero input
    of ``input_shape`` (N, C, H, W), keyed by the module's name in ``model.named_modules()``
    (e.g. "layer1.0.conv1", "fc"). The model runs in eval mode, without gradients, on the dtype
    and device of its parameters; its training flag is restored afterwards. A module called
    twice counts twice."""
    raise NotImplementedError('implement layer_macs in cost.py')


def receptive_field(layers: list[tuple[int, int, int]]) -> tuple[int, int]:
    """(r, j): receptive field and jump (output stride) of a chain of layers, each given as
    (kernel, stride, dilation), by the recursion of the module docstring. An empty chain is
    the identity: (1, 1). Raises ValueError for a kernel, stride or dilation below 1."""
    raise NotImplementedError('implement receptive_field in cost.py')
