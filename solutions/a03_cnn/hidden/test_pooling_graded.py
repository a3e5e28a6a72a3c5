"""Graded: max and average pooling, forward and backward (part "pooling", 15 points)."""

import numpy as np
import torch
import torch.nn.functional as F
from numpy_only import assert_numpy_only

from autograder.testing import StudentError, assert_close, part, points

TOL = {"rtol": 1e-12, "atol": 1e-14}


def raises_value_error(call, *args, **kwargs) -> bool:
    """Whether the student's call raises ValueError (any other outcome is False)."""
    try:
        call(*args, **kwargs)
    except StudentError as err:
        return err.type_name == "ValueError"
    return False


CASES = [(2, None), (3, 2), (2, 1), (3, 3)]  # (kernel_size, stride): overlapping and not


def torch_pool(pool, x, dy, kernel, stride):
    tx = torch.tensor(x, requires_grad=True)
    y = pool(tx, kernel, stride)
    if dy is not None:
        y.backward(torch.from_numpy(dy))
    return y.detach().numpy(), (tx.grad.numpy() if dy is not None else None)


@part("pooling")
@points(2)
def test_max_pool_forward(student, rng, request):
    """max_pool2d_forward matches F.max_pool2d for kernels 2 and 3, strides 1 to 3;
    pooling.py imports NumPy only."""
    for kernel, stride in CASES:
        x = rng.standard_normal((2, 3, 7, 9))
        want, _ = torch_pool(F.max_pool2d, x, None, kernel, stride)
        got = student.pooling.max_pool2d_forward(x, kernel, stride)
        assert_close(got, want, **TOL, name=f"max_pool2d_forward(kernel {kernel}, stride {stride})")
    assert_numpy_only(request, "pooling")


@part("pooling")
@points(1)
def test_invalid_arguments_raise(student, rng):
    """ValueError (as the docstring says) for a kernel or stride below 1 and a 3-D input."""
    x = rng.standard_normal((1, 2, 6, 6))
    for name in ("max_pool2d_forward", "avg_pool2d_forward"):
        pool = getattr(student.pooling, name)
        assert raises_value_error(pool, x, 0), f"{name} with kernel_size 0 must raise ValueError"
        assert raises_value_error(pool, x, 2, 0), f"{name} with stride 0 must raise ValueError"
        assert raises_value_error(pool, x[0], 2), f"{name} of a 3-D input must raise ValueError"
        assert_close(pool(x, 1), x, name=f"{name} with a 1x1 window (valid: the input itself)")


@part("pooling")
@points(3)
def test_max_pool_backward_overlapping(student, rng):
    """max_pool2d_backward matches torch autograd, also with overlapping windows (kernel 3,
    stride 2; kernel 2, stride 1), where an input can be the maximum of several windows."""
    for kernel, stride in CASES:
        x = rng.standard_normal((2, 2, 7, 8))
        y, _ = torch_pool(F.max_pool2d, x, None, kernel, stride)
        dy = rng.standard_normal(y.shape)
        _, dx = torch_pool(F.max_pool2d, x, dy, kernel, stride)
        got = student.pooling.max_pool2d_backward(dy, x, kernel, stride)
        assert_close(got, dx, **TOL, name=f"max_pool2d_backward(kernel {kernel}, stride {stride})")


@part("pooling")
@points(2)
def test_avg_pool_forward(student, rng):
    """avg_pool2d_forward matches F.avg_pool2d for kernels 2 and 3, strides 1 to 3."""
    for kernel, stride in CASES:
        x = rng.standard_normal((3, 2, 8, 7))
        want, _ = torch_pool(F.avg_pool2d, x, None, kernel, stride)
        got = student.pooling.avg_pool2d_forward(x, kernel, stride)
        assert_close(got, want, **TOL, name=f"avg_pool2d_forward(kernel {kernel}, stride {stride})")


@part("pooling")
@points(3)
def test_avg_pool_backward(student, rng):
    """avg_pool2d_backward matches torch autograd, overlapping windows included."""
    for kernel, stride in CASES:
        x = rng.standard_normal((2, 3, 8, 7))
        y, _ = torch_pool(F.avg_pool2d, x, None, kernel, stride)
        dy = rng.standard_normal(y.shape)
        _, dx = torch_pool(F.avg_pool2d, x, dy, kernel, stride)
        got = student.pooling.avg_pool2d_backward(dy, x, kernel, stride)
        assert_close(got, dx, **TOL, name=f"avg_pool2d_backward(kernel {kernel}, stride {stride})")


@part("pooling")
@points(2)
def test_max_pool_backward_ties_and_unread_rows(student, rng):
    """On ties max_pool2d_backward sends each window's gradient to its first maximum in
    row-major order (as torch does), also with overlapping windows; rows and columns the stride
    leaves unread get 0; neither pooling function modifies its arguments."""
    from autograder.testing import watch_call

    x = rng.integers(0, 3, size=(2, 3, 7, 7)).astype(np.float64)  # many ties
    x[0, 0] = 1.0  # a constant channel: every window is one big tie
    for kernel, stride in [(2, None), (3, 2), (2, 1)]:
        y, _ = torch_pool(F.max_pool2d, x, None, kernel, stride)
        dy = rng.standard_normal(y.shape)
        _, dx = torch_pool(F.max_pool2d, x, dy, kernel, stride)
        call = watch_call(student.pooling.max_pool2d_backward, dy, x, kernel, stride)
        assert not call.changed, f"max_pool2d_backward modified {', '.join(call.changed)}"
        assert_close(call.result, dx, **TOL,
                     name=f"max_pool2d_backward with ties (kernel {kernel}, stride {stride})")
    dy = rng.standard_normal((2, 3, 3, 3))
    call = watch_call(student.pooling.avg_pool2d_backward, dy, x, 2)
    assert not call.changed, f"avg_pool2d_backward modified {', '.join(call.changed)}"
    _, dx = torch_pool(F.avg_pool2d, x, dy, 2, None)
    assert_close(call.result, dx, **TOL, name="avg_pool2d_backward with an unread last row")


@part("pooling")
@points(2)
def test_window_larger_than_input_raises(student, rng):
    """Pooling raises ValueError when the window is larger than the input, and a window exactly
    the size of the input gives a 1x1 output."""
    x = rng.standard_normal((1, 2, 3, 4))
    for name in ("max_pool2d_forward", "avg_pool2d_forward"):
        assert raises_value_error(getattr(student.pooling, name), x, 4), (
            f"{name} must raise ValueError for a 4x4 window on a 3x4 input")
        y = getattr(student.pooling, name)(x, 3)
        assert np.shape(y) == (1, 2, 1, 1), f"{name} with a 3x3 window on 3x4 gives 1x1"
