"""Spectral normalisation against torch's parametrization; Lipschitz bounds; AntisymmetricRNN."""

import torch
from lipschitz import (
    AntisymmetricRNNCell,
    empirical_lipschitz,
    lipschitz_upper_bound,
    spectral_norm_step,
    state_jacobian_norms,
)


def randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64)


def test_spectral_norm_step_matches_torch() -> None:
    torch.manual_seed(0)
    lin = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(6, 4).double())
    sn = lin.parametrizations.weight[0]
    u, v = sn._u.clone(), sn._v.clone()
    weight = lin.parametrizations.weight.original.detach().clone()
    want = lin.weight  # one training-mode forward: one power iteration
    got, u_new, v_new, _ = spectral_norm_step(weight, u, v)
    torch.testing.assert_close(got, want.detach())
    torch.testing.assert_close(u_new, sn._u)
    torch.testing.assert_close(v_new, sn._v)


def test_bound_is_above_the_empirical_ratio() -> None:
    torch.manual_seed(1)
    weights = [randn(8, 3), randn(8, 8), randn(2, 8)]
    biases = [randn(8), randn(8), randn(2)]
    a, b = randn(100, 3), randn(100, 3)
    ratio = empirical_lipschitz(weights, biases, a, b)
    assert 0 < ratio <= lipschitz_upper_bound(weights)


def test_antisymmetric_cell_and_jacobian() -> None:
    torch.manual_seed(2)
    cell = AntisymmetricRNNCell(3, 6, eps=0.1, gamma=0.01).double()
    x, h = randn(4, 3), randn(4, 6)
    a = cell.weight - cell.weight.T - 0.01 * torch.eye(6, dtype=torch.float64)
    want = h + 0.1 * torch.tanh(h @ a.T + x @ cell.weight_ih.T + cell.bias)
    torch.testing.assert_close(cell(x, h), want)
    norms = state_jacobian_norms(cell, randn(30, 3), torch.zeros(6, dtype=torch.float64))
    assert norms.shape == (30,) and norms.min() > 0.5 and norms.max() < 2
