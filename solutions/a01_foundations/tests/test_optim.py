"""Optimiser trajectories against torch.optim in float64 on a least-squares problem."""

from collections.abc import Callable

import numpy as np
import pytest
import torch
from optim import SGD, Adam, AdamW, RMSProp

STEPS = 20
SHAPES = [(3, 4), (4,)]  # two parameters: the state must be kept per parameter

MakeOurs = Callable[[], SGD | RMSProp | Adam]
MakeTorch = Callable[[list[torch.Tensor]], torch.optim.Optimizer]

# id -> (our optimiser, the torch optimiser with the same settings)
CASES: dict[str, tuple[MakeOurs, MakeTorch]] = {
    "sgd": (lambda: SGD(0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "momentum": (
        lambda: SGD(0.05, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    ),
    "nesterov": (
        lambda: SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.05),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.05),
    ),
    "sgd_weight_decay": (
        lambda: SGD(0.05, momentum=0.5, weight_decay=0.1),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.1),
    ),
    "rmsprop": (
        lambda: RMSProp(0.01, alpha=0.9),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9),
    ),
    "adam": (lambda: Adam(0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    "adam_l2": (
        lambda: Adam(0.05, betas=(0.8, 0.99), weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
    ),
    "adamw": (
        lambda: AdamW(0.05, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1),
    ),
}


def least_squares(
    seed: int,
) -> tuple[list[np.ndarray], Callable[[list[np.ndarray]], list[np.ndarray]]]:
    """Initial parameters and the gradient of sum_k ||A_k p_k - c_k||^2 / 2."""
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s) for s in SHAPES]
    A = [rng.standard_normal((5, s[0])) for s in SHAPES]
    c = [rng.standard_normal((5, *s[1:])) for s in SHAPES]

    def grad(ps: list[np.ndarray]) -> list[np.ndarray]:
        return [a.T @ (a @ p - ck) for a, p, ck in zip(A, ps, c, strict=True)]

    return params, grad


@pytest.mark.parametrize("case", list(CASES))
def test_trajectory_matches_torch(case: str) -> None:
    make_ours, make_torch = CASES[case]
    params, grad = least_squares(seed=0)
    ours, opt = [p.copy() for p in params], make_ours()
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    torch_opt = make_torch(theirs)
    for step in range(STEPS):
        ours = opt.step(ours, grad(ours))
        for t, g in zip(theirs, grad([t.detach().numpy() for t in theirs]), strict=True):
            t.grad = torch.from_numpy(g)
        torch_opt.step()
        for p, t in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(
                p, t.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=f"step {step}"
            )


@pytest.mark.parametrize("case", list(CASES))
def test_step_returns_new_arrays(case: str) -> None:
    params, grad = least_squares(seed=1)
    grads = grad(params)
    before = [p.copy() for p in params], [g.copy() for g in grads]
    new = CASES[case][0]().step(params, grads)
    assert [p.shape for p in new] == [p.shape for p in params]
    for original, now in zip(before[0] + before[1], params + grads, strict=True):
        np.testing.assert_array_equal(original, now, err_msg="step modified its inputs in place")
