"""Graded: batch norm forward (train and eval), running statistics, backward (part "batchnorm",
20 points). The oracle is torch.nn.functional.batch_norm in float64."""

import numpy as np
import torch
import torch.nn.functional as F
from numpy_only import assert_numpy_only

from autograder.testing import StudentError, assert_close, part, points, watch_call

TOL = {"rtol": 1e-10, "atol": 1e-12}


def draw(rng, shape):
    c = shape[1]
    x = rng.normal(2.0, 3.0, shape)
    return (x, rng.standard_normal(c), rng.standard_normal(c), rng.standard_normal(c),
            rng.random(c) + 0.5)


def torch_bn(x, gamma, beta, mean, var, dy=None, **kw):
    """y, updated running stats and (dx, dgamma, dbeta) of F.batch_norm."""
    tx, tg, tb = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    rm, rv = torch.tensor(mean), torch.tensor(var)
    y = F.batch_norm(tx, rm, rv, tg, tb, **kw)
    grads = None
    if dy is not None:
        y.backward(torch.from_numpy(dy))
        grads = (tx.grad.numpy(), tg.grad.numpy(), tb.grad.numpy())
    return y.detach().numpy(), rm.numpy(), rv.numpy(), grads


@part("batchnorm")
@points(4)
def test_train_forward(student, rng, request):
    """Training-mode output matches F.batch_norm for (N, C, H, W) and (N, C) inputs;
    batchnorm.py imports NumPy only."""
    for shape, eps in [((4, 3, 5, 5), 1e-5), ((16, 6), 1e-3)]:
        x, gamma, beta, mean, var = draw(rng, shape)
        want, _, _, _ = torch_bn(x, gamma, beta, mean, var, training=True, eps=eps)
        y, _, _ = student.batchnorm.batchnorm_forward(x, gamma, beta, mean, var, training=True,
                                                      eps=eps)
        assert_close(y, want, **TOL, name=f"y for x of shape {shape}")
    assert_numpy_only(request, "batchnorm")


@part("batchnorm")
@points(4)
def test_running_statistics(student, rng):
    """Training mode updates the running mean and the (unbiased) running variance with
    momentum as torch does, over several steps, without changing the arguments."""
    x, gamma, beta, mean, var = draw(rng, (5, 4, 3, 2))
    rm, rv = mean.copy(), var.copy()
    for step, momentum in enumerate([0.1, 0.3, 0.1]):
        batch = rng.normal(step, 2.0, x.shape)
        _, want_m, want_v, _ = torch_bn(batch, gamma, beta, rm, rv, training=True,
                                        momentum=momentum)
        call = watch_call(student.batchnorm.batchnorm_forward, batch, gamma, beta, rm, rv,
                          training=True, momentum=momentum)
        assert not call.changed, (
            f"batchnorm_forward modified {', '.join(call.changed)} in place: return new arrays")
        _, rm, rv = call.result
        assert_close(rm, want_m, **TOL, name=f"running_mean after step {step + 1}")
        assert_close(rv, want_v, **TOL, name=f"running_var after step {step + 1}")


@part("batchnorm")
@points(3)
def test_eval_forward(student, rng):
    """Evaluation mode normalises with the running statistics and leaves them unchanged."""
    for shape in [(3, 4, 2, 5), (7, 3)]:
        x, gamma, beta, mean, var = draw(rng, shape)
        want, _, _, _ = torch_bn(x, gamma, beta, mean, var, training=False)
        y, new_m, new_v = student.batchnorm.batchnorm_forward(x, gamma, beta, mean, var,
                                                              training=False)
        assert_close(y, want, **TOL, name=f"eval-mode y for x of shape {shape}")
        assert_close(new_m, mean, rtol=0, atol=0, name="running_mean in eval mode")
        assert_close(new_v, var, rtol=0, atol=0, name="running_var in eval mode")


@part("batchnorm")
@points(1)
def test_invalid_arguments_raise(student, rng):
    """ValueError (as the docstring says) for a 3-D x, parameters that are not (C,), and
    training mode with one value per channel; two values per channel work."""
    def fails(x, gamma, training=True):
        c = gamma.shape[0]
        try:
            student.batchnorm.batchnorm_forward(x, gamma, np.zeros(c), np.zeros(c), np.ones(c),
                                                training=training)
        except StudentError as err:
            return err.type_name == "ValueError"
        return False

    assert fails(rng.normal(size=(4, 3, 5)), np.ones(3)), "a 3-D x must raise ValueError"
    assert fails(rng.normal(size=(4, 3)), np.ones(4)), "gamma (4,) for C = 3 must raise"
    assert fails(rng.normal(size=(1, 3)), np.ones(3)), "training on (1, C) must raise"
    assert not fails(rng.normal(size=(2, 3)), np.ones(3)), "two values per channel are enough"
    assert not fails(rng.normal(size=(1, 3)), np.ones(3), training=False), "eval needs no batch"


@part("batchnorm")
@points(4)
def test_backward_input(student, rng):
    """batchnorm_backward's dx matches torch autograd (training mode) for 4-D and 2-D inputs."""
    for shape, eps in [((4, 3, 3, 3), 1e-5), ((10, 5), 1e-2)]:
        x, gamma, beta, mean, var = draw(rng, shape)
        dy = rng.standard_normal(shape)
        _, _, _, (dx, _, _) = torch_bn(x, gamma, beta, mean, var, dy, training=True, eps=eps)
        got = student.batchnorm.batchnorm_backward(dy, x, gamma, eps=eps)
        assert isinstance(got, tuple | list) and len(got) == 3, "return (dx, dgamma, dbeta)"
        assert_close(got[0], dx, rtol=1e-8, atol=1e-10, name=f"dx for x of shape {shape}")


@part("batchnorm")
@points(4)
def test_backward_params(student, rng):
    """batchnorm_backward's dgamma and dbeta match torch autograd."""
    for shape in [(4, 3, 3, 3), (10, 5)]:
        x, gamma, beta, mean, var = draw(rng, shape)
        dy = rng.standard_normal(shape)
        _, _, _, (_, dgamma, dbeta) = torch_bn(x, gamma, beta, mean, var, dy, training=True)
        _, got_g, got_b = student.batchnorm.batchnorm_backward(dy, x, gamma)
        assert_close(got_g, dgamma, rtol=1e-8, atol=1e-10, name="dgamma")
        assert_close(got_b, dbeta, rtol=1e-8, atol=1e-10, name="dbeta")
