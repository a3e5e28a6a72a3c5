"""Graded: spectral normalisation, Lipschitz bounds, AntisymmetricRNN (part "lipschitz", 15)."""

import numpy as np
import torch
from torch.nn.utils.parametrizations import spectral_norm

from autograder.testing import assert_close, part, points

TOL = {"rtol": 1e-10, "atol": 1e-12}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def check_spectral(student, module: torch.nn.Module, n_iter: int, calls: int, what: str):
    """`calls` training-mode forwards of torch's spectral_norm against spectral_norm_step."""
    module = spectral_norm(module.double(), n_power_iterations=n_iter)
    sn = module.parametrizations.weight[0]
    weight = module.parametrizations.weight.original.detach().clone()
    u, v = sn._u.clone(), sn._v.clone()
    for call in range(calls):
        want = module.weight.detach()
        got = student.lipschitz.spectral_norm_step(weight, u, v, n_iter)
        assert isinstance(got, tuple | list) and len(got) == 4, "return (W / sigma, u, v, sigma)"
        w_sn, u, v, sigma = got
        assert_close(w_sn, want, **TOL, name=f"W / sigma ({what}, call {call + 1})")
        assert_close(u, sn._u, **TOL, name=f"u ({what}, call {call + 1})")
        assert_close(v, sn._v, **TOL, name=f"v ({what}, call {call + 1})")
        m = weight.flatten(1)
        assert_close(float(sigma), float(sn._u @ m @ sn._v), **TOL, name=f"sigma ({what})")


@part("lipschitz")
@points(3)
def test_spectral_norm_linear(student, rng):
    """spectral_norm_step matches torch's spectral_norm parametrization of a Linear layer over
    three training-mode calls, with 1 and with 3 power iterations per call."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    check_spectral(student, torch.nn.Linear(7, 5), 1, 3, "1 iteration")
    check_spectral(student, torch.nn.Linear(4, 9), 3, 3, "3 iterations")


@part("lipschitz")
@points(2)
def test_spectral_norm_conv(student, rng):
    """spectral_norm_step handles a 4-d convolution kernel as the matrix weight.flatten(1)."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    check_spectral(student, torch.nn.Conv2d(3, 4, 3), 1, 2, "Conv2d kernel")


@part("lipschitz")
@points(4)
def test_lipschitz_bound(student, rng):
    """lipschitz_upper_bound is the product of the exact spectral norms; it is above every
    empirical ratio; after spectral normalisation (200 power iterations) it is about 1."""
    sizes = [3, 10, 8, 2]
    weights = [randn(rng, o, i) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [randn(rng, o) for o in sizes[1:]]
    bound = student.lipschitz.lipschitz_upper_bound(weights)
    exact = np.prod([np.linalg.norm(w.numpy(), 2) for w in weights])
    assert_close(float(bound), exact, rtol=1e-8, name="lipschitz_upper_bound")
    a = randn(rng, 300, 3)
    b = a + 1e-3 * randn(rng, 300, 3)
    ratio = student.lipschitz.empirical_lipschitz(weights, biases, a, b)

    def f(z: torch.Tensor) -> torch.Tensor:
        for k, (w, c) in enumerate(zip(weights, biases, strict=True)):
            z = z @ w.T + c
            z = torch.tanh(z) if k < len(weights) - 1 else z
        return z

    want = (torch.linalg.vector_norm(f(a) - f(b), dim=1)
            / torch.linalg.vector_norm(a - b, dim=1)).max()
    assert_close(float(ratio), float(want), rtol=1e-8, name="empirical_lipschitz")
    assert 0 < ratio <= bound, "the empirical ratio must lie below the upper bound"
    normalised = []
    for w in weights:
        u, v = (torch.nn.functional.normalize(randn(rng, n), dim=0) for n in w.shape)
        normalised.append(student.lipschitz.spectral_norm_step(w, u, v, 200)[0])
    bound = student.lipschitz.lipschitz_upper_bound(normalised)
    assert 0.999 < bound < 1.02, "spectrally normalised layers should give a bound of about 1"


def antisymmetric_pair(student, reference, rng, d: int, h: int, eps: float, gamma: float):
    state = {"weight": randn(rng, h, h) / np.sqrt(h), "weight_ih": randn(rng, h, d),
             "bias": 0.1 * randn(rng, h)}
    cell = student.lipschitz.AntisymmetricRNNCell(d, h, eps=eps, gamma=gamma).double()
    cell.load_state_dict(state)
    ref = reference.lipschitz.AntisymmetricRNNCell(d, h, eps=eps, gamma=gamma).double()
    ref.load_state_dict(state)
    return cell, ref, state


@part("lipschitz")
@points(3)
def test_antisymmetric_cell(student, reference, rng):
    """AntisymmetricRNNCell computes h + eps tanh(h (W - W^T - gamma I)^T + x V^T + b)."""
    d, h, b, eps, gamma = 3, 6, 4, 0.2, 0.05
    cell, _, state = antisymmetric_pair(student, reference, rng, d, h, eps, gamma)
    x, h0 = randn(rng, b, d), randn(rng, b, h)
    a = state["weight"] - state["weight"].T - gamma * torch.eye(h, dtype=torch.float64)
    want = h0 + eps * torch.tanh(h0 @ a.T + x @ state["weight_ih"].T + state["bias"])
    assert_close(cell(x, h0), want, **TOL, name="h'")
    assert_close(cell(x), eps * torch.tanh(x @ state["weight_ih"].T + state["bias"]), **TOL,
                 name="h' with h=None")


@part("lipschitz")
@points(3)
def test_antisymmetric_jacobian_stays_bounded(student, reference, rng):
    """state_jacobian_norms gives ||dh_t/dh_0||_2; for the AntisymmetricRNN (eps 0.1, gamma
    0.1) over 100 steps it stays between 0.5 and 20, a per-step growth rate within 2% of 1."""
    d, h, t = 3, 12, 100
    cell, ref, _ = antisymmetric_pair(student, reference, rng, d, h, 0.1, 0.1)
    x, h0 = randn(rng, t, d), 0.5 * randn(rng, h)
    got = student.lipschitz.state_jacobian_norms(cell, x, h0)
    want = reference.lipschitz.state_jacobian_norms(ref, x, h0)
    assert torch.is_tensor(got) and tuple(got.shape) == (t,), "one norm per step, shape (T,)"
    assert_close(got, want, rtol=1e-8, name="||dh_t/dh_0||")
    assert float(got.min()) > 0.5 and float(got.max()) < 20, (
        "the Jacobian norms of the AntisymmetricRNN should stay between 0.5 and 20")
    rate = float(got[-1]) ** (1 / t)
    assert 0.98 < rate < 1.02, f"per-step growth rate {rate:.4f} is not within 2% of 1"
