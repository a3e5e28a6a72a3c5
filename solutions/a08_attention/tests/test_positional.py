"""positional.py: the sinusoidal formula and relative positions."""

import math

import torch
from positional import relative_positions, sinusoidal_encoding


def test_sinusoidal_encoding_formula() -> None:
    pe = sinusoidal_encoding(10, 6)
    assert pe.shape == (10, 6)
    assert math.isclose(pe[3, 0].item(), math.sin(3), rel_tol=1e-6)
    assert math.isclose(pe[3, 3].item(), math.cos(3 / 10000 ** (2 / 6)), rel_tol=1e-6)


def test_relative_positions_clip() -> None:
    got = relative_positions(3, 4, 2)
    assert torch.equal(got, torch.tensor([[1, 2, 2, 2], [0, 1, 2, 2], [0, 0, 1, 2]]))
