"""Surrogate gradients against norse's threshold functions."""

import torch
from norse.torch.functional.threshold import threshold
from surrogate import SpikeLayer, heaviside, spike_fn

torch.set_num_threads(1)


def grad(fn, x: torch.Tensor) -> torch.Tensor:
    leaf = x.clone().requires_grad_(True)
    fn(leaf).sum().backward()
    return leaf.grad


def test_heaviside_at_zero() -> None:
    assert heaviside(torch.tensor([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]


def test_superspike_and_triangle_match_norse() -> None:
    x = torch.randn(50, dtype=torch.float64)
    for method, alpha in (("super", 1.0), ("triangle", 0.5)):
        torch.testing.assert_close(grad(lambda v, m=method, a=alpha: spike_fn(v, m, a), x),
                                   grad(lambda v, m=method, a=alpha: threshold(v, m, a), x))


def test_superspike_alpha() -> None:
    x = torch.tensor([0.0, 0.1, -0.3], dtype=torch.float64)
    torch.testing.assert_close(grad(SpikeLayer("super", 10.0), x), 1 / (10 * x.abs() + 1) ** 2)
