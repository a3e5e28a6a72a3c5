"""Graded: optimiser trajectories against torch.optim in float64.

Part "optimizers" (25 points) and the weight-decay tests of part "regularization" (4 points).
"""

from collections.abc import Callable

import numpy as np
import torch

from autograder.testing import assert_close, part, points

STEPS = 20


def check_trajectory(
    opt,
    make_torch: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    rng: np.random.Generator,
    name: str,
) -> None:
    """Run the student's optimiser and torch's for STEPS steps on a random least-squares problem
    with two parameters, sum_k ||A_k p_k - c_k||^2 / 2, and compare the parameters after each."""
    shapes = [(3, 4), (4,)]
    params = [rng.standard_normal(s) for s in shapes]
    A = [rng.standard_normal((5, s[0])) for s in shapes]
    c = [rng.standard_normal((5, *s[1:])) for s in shapes]

    def grads(ps: list[np.ndarray]) -> list[np.ndarray]:
        return [a.T @ (a @ p - ck) for a, p, ck in zip(A, ps, c, strict=True)]

    ours = [p.copy() for p in params]
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    torch_opt = make_torch(theirs)
    for step in range(1, STEPS + 1):
        ours = opt.step(ours, grads(ours))
        assert isinstance(ours, list | tuple) and len(ours) == len(params), (
            f"{name}.step must return a list with one updated array per parameter"
        )
        for t, g in zip(theirs, grads([t.detach().numpy() for t in theirs]), strict=True):
            t.grad = torch.from_numpy(g)
        torch_opt.step()
        for k, (p, t) in enumerate(zip(ours, theirs, strict=True)):
            assert_close(
                p,
                t.detach().numpy(),
                rtol=1e-10,
                atol=1e-12,
                name=f"{name}: parameter {k} after step {step}",
            )


@part("optimizers")
@points(3)
def test_sgd(student, rng):
    """SGD without momentum: p <- p - lr * g, matching torch.optim.SGD for 20 steps."""
    check_trajectory(student.optim.SGD(0.05), lambda p: torch.optim.SGD(p, lr=0.05), rng, "SGD")


@part("optimizers")
@points(3)
def test_sgd_momentum(student, rng):
    """SGD with momentum 0.9 (buffer b <- 0.9 b + g, starting at b = g) matches torch.optim.SGD,
    and so does momentum 1.0 (any mu != 0 keeps a buffer)."""
    for mu, lr in ((0.9, 0.02), (1.0, 0.002)):
        check_trajectory(
            student.optim.SGD(lr, momentum=mu),
            lambda p, mu=mu, lr=lr: torch.optim.SGD(p, lr=lr, momentum=mu),
            rng,
            f"SGD(momentum={mu})",
        )


@part("optimizers")
@points(3)
def test_sgd_nesterov(student, rng):
    """SGD with Nesterov momentum (step along d + mu b, d including weight decay) matches
    torch.optim.SGD(nesterov=True, weight_decay=0.1)."""
    check_trajectory(
        student.optim.SGD(0.02, momentum=0.8, nesterov=True, weight_decay=0.1),
        lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.8, nesterov=True, weight_decay=0.1),
        rng,
        "SGD(nesterov)",
    )


@part("optimizers")
@points(4)
def test_rmsprop(student, rng):
    """RMSProp: v <- alpha v + (1 - alpha) g^2, p <- p - lr g / (sqrt(v) + eps), like torch."""
    check_trajectory(
        student.optim.RMSProp(0.01, alpha=0.9, eps=1e-6),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6),
        rng,
        "RMSProp",
    )


@part("optimizers")
@points(5)
def test_adam(student, rng):
    """Adam with default betas, including the bias corrections, matches torch.optim.Adam."""
    check_trajectory(student.optim.Adam(0.05), lambda p: torch.optim.Adam(p, lr=0.05), rng, "Adam")


@part("optimizers")
@points(4)
def test_adam_custom_hyperparameters(student, rng):
    """Adam honours betas=(0.8, 0.95) and eps=1e-4 exactly as torch.optim.Adam does."""
    check_trajectory(
        student.optim.Adam(0.02, betas=(0.8, 0.95), eps=1e-4),
        lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.95), eps=1e-4),
        rng,
        "Adam(betas, eps)",
    )


@part("optimizers")
@points(3)
def test_step_does_not_modify_its_arguments(student, rng):
    """step(params, grads) returns new arrays and leaves params and grads unchanged, for SGD
    (with momentum), RMSProp, Adam and AdamW, over two steps."""
    from autograder.testing import watch_call

    for name, opt in [
        ("SGD", student.optim.SGD(0.1, momentum=0.9, weight_decay=0.1)),
        ("RMSProp", student.optim.RMSProp(0.01)),
        ("Adam", student.optim.Adam(0.01, weight_decay=0.1)),
        ("AdamW", student.optim.AdamW(0.01, weight_decay=0.1)),
    ]:
        for step in (1, 2):
            params = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
            grads = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
            call = watch_call(opt.step, params, grads)
            assert not call.changed, (
                f"{name}.step (call {step}) modified {', '.join(call.changed)} in place")
            assert isinstance(call.result, list | tuple) and len(call.result) == 2, (
                f"{name}.step must return one new array per parameter")


@part("regularization")
@points(1)
def test_sgd_weight_decay(student, rng):
    """SGD(weight_decay) adds weight_decay * p to the gradient (with momentum), like torch."""
    check_trajectory(
        student.optim.SGD(0.02, momentum=0.5, weight_decay=0.3),
        lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.5, weight_decay=0.3),
        rng,
        "SGD(weight_decay)",
    )


@part("regularization")
@points(1)
def test_adam_l2_weight_decay(student, rng):
    """Adam(weight_decay) adds weight_decay * p to the gradient BEFORE the moments, like torch."""
    check_trajectory(
        student.optim.Adam(0.05, weight_decay=0.3),
        lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.3),
        rng,
        "Adam(weight_decay)",
    )


@part("regularization")
@points(2)
def test_adamw_decoupled_weight_decay(student, rng):
    """AdamW shrinks p by (1 - lr * weight_decay) and then takes a plain Adam step, like torch."""
    check_trajectory(
        student.optim.AdamW(0.05, weight_decay=0.3),
        lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.3),
        rng,
        "AdamW",
    )
