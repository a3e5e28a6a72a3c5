"""Graded: SGD by hand against torch.optim.SGD (part "optimizer", 10 points)."""

import torch

from autograder.testing import assert_close, part, points


def run_both(student, rng, steps: int, **hyper):
    """Train the same Linear(5, 3) with ManualSGD (student side) and torch.optim.SGD (here) on
    the same gradients; return both state_dicts and the student's optimizer and module."""
    ref = torch.nn.Linear(5, 3).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(rng.standard_normal((3, 5))))
        ref.bias.copy_(torch.from_numpy(rng.standard_normal(3)))
    lib = student.lib("dnn.autograd")
    net = lib.nn.Linear(5, 3).double()  # a torch module that lives in the sandbox
    net.load_state_dict(ref.state_dict())
    opt = student.manual_sgd.ManualSGD(net.parameters(), **hyper)
    torch_opt = torch.optim.SGD(ref.parameters(), **hyper)
    for _ in range(steps):
        x = torch.from_numpy(rng.standard_normal((4, 5)))
        up = torch.from_numpy(rng.standard_normal((4, 3)))
        lib.gradients(net, [x], up)  # sets .grad of the student's parameters
        opt.step()
        torch_opt.zero_grad()
        (ref(x) * up).sum().backward()
        torch_opt.step()
    return net, opt, net.state_dict(), ref.state_dict()


def assert_same(got: dict, want: dict, what: str) -> None:
    for name in want:
        assert_close(got[name], want[name], rtol=1e-12, atol=1e-14, name=f"{what}: {name}")


@part("optimizer")
@points(3)
def test_plain_sgd(student, rng):
    """Without momentum: p <- p - lr g, three steps, as torch.optim.SGD."""
    _, _, got, want = run_both(student, rng, 3, lr=0.1)
    assert_same(got, want, "plain SGD")


@part("optimizer")
@points(4)
def test_momentum_dampening_weight_decay(student, rng):
    """Momentum 0.9 with dampening 0.1 and weight decay 0.01 over four steps; after
    zero_grad() a step changes nothing (gradients are None, so parameters are skipped)."""
    hyper = dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)
    net, opt, got, want = run_both(student, rng, 4, **hyper)
    assert_same(got, want, "momentum SGD")
    opt.zero_grad()
    opt.step()
    assert_same(net.state_dict(), want, "a step after zero_grad")


@part("optimizer")
@points(3)
def test_nesterov(student, rng):
    """Nesterov momentum 0.8 with weight decay 0.05 over four steps, as torch.optim.SGD."""
    _, _, got, want = run_both(student, rng, 4, lr=0.03, momentum=0.8, weight_decay=0.05,
                               nesterov=True)
    assert_same(got, want, "Nesterov SGD")
