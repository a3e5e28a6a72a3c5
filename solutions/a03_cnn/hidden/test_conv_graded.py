"""Graded: conv_output_size, conv2d_forward and conv2d_backward (part "conv", 35 points)."""

import numpy as np
import torch
import torch.nn.functional as F
from numpy_only import assert_numpy_only

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.gradcheck import numeric_jacobian_vector, relative_error

TOL = {"rtol": 1e-10, "atol": 1e-12}


def raises_value_error(call, *args, **kwargs) -> bool:
    """Whether the student's call raises ValueError (any other outcome is False)."""
    try:
        call(*args, **kwargs)
    except StudentError as err:
        return err.type_name == "ValueError"
    return False


def torch_conv(x, w, b, dy, **kw):
    """y and (dx, dw, db) of F.conv2d in float64 by autograd."""
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(tx, tw, tb, **kw)
    if dy is not None:
        y.backward(torch.from_numpy(dy))
    return y.detach().numpy(), tuple(t.grad.numpy() if t.grad is not None else None
                                     for t in (tx, tw, tb))


def draw(rng, x_shape, w_shape):
    return (rng.standard_normal(x_shape), rng.standard_normal(w_shape),
            rng.standard_normal(w_shape[0]))


@part("conv")
@points(3)
def test_output_size(student):
    """conv_output_size follows floor((H + 2p - d(K - 1) - 1) / s) + 1."""
    cases = [(7, 3, 1, 0, 1), (8, 3, 2, 1, 1), (9, 2, 3, 2, 1), (10, 3, 1, 1, 3), (5, 5, 1, 0, 1)]
    for args in cases:
        size, kernel, stride, padding, dilation = args
        want = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
        got = student.conv.conv_output_size(size, kernel, stride, padding, dilation)
        assert got == want, f"conv_output_size{args} is wrong"


@part("conv")
@points(1)
def test_invalid_arguments_raise(student):
    """ValueError (as the docstrings say) for a kernel, stride or dilation below 1, negative
    padding, x and w that disagree on C_in, and inputs that are not 4-D."""
    for args in [(5, 0, 1, 0, 1), (5, 3, 0, 0, 1), (5, 3, 1, -1, 1), (5, 3, 1, 0, 0)]:
        assert raises_value_error(student.conv.conv_output_size, *args), (
            f"conv_output_size{args} must raise ValueError")
    b = np.zeros(1)
    for x, w, what in [(np.zeros((1, 2, 5, 5)), np.zeros((1, 3, 3, 3)), "C_in 2 vs 3"),
                       (np.zeros((2, 5, 5)), np.zeros((1, 2, 3, 3)), "a 3-D x"),
                       (np.zeros((1, 2, 5, 5)), np.zeros((2, 3, 3)), "a 3-D w")]:
        assert raises_value_error(student.conv.conv2d_forward, x, w, b), (
            f"conv2d_forward must raise ValueError for {what}")
    assert student.conv.conv_output_size(5, 1, 1, 0, 1) == 5, "a 1x1 kernel, stride 1 is valid"
    x, w = np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3))  # N, C_in and C_out all different
    grads = student.conv.conv2d_backward(np.ones((2, 4, 3, 3)), x, w)
    assert [np.shape(g) for g in grads] == [x.shape, w.shape, (4,)], "dx, dw, db shapes"
    assert raises_value_error(student.conv.conv2d_backward, np.ones((2, 4, 2, 2)), x, w), (
        "conv2d_backward must raise ValueError for dy of the wrong shape")


@part("conv")
@points(3)
def test_kernel_larger_than_padded_input_raises(student):
    """A kernel larger than the padded input raises ValueError (in conv_output_size and in
    conv2d_forward), while a kernel that fits exactly does not."""
    for args in [(4, 5, 1, 0, 1), (3, 3, 1, 0, 2), (2, 5, 1, 1, 1)]:
        assert raises_value_error(student.conv.conv_output_size, *args), (
            f"conv_output_size{args} must raise ValueError")
    x, w, b = np.zeros((1, 2, 3, 3)), np.zeros((1, 2, 4, 4)), np.zeros(1)
    assert raises_value_error(student.conv.conv2d_forward, x, w, b), (
        "conv2d_forward must raise ValueError for a 4x4 kernel on a 3x3 input without padding")
    assert student.conv.conv_output_size(3, 5, 1, 1, 1) == 1, "a 5-kernel fits 3 + 2 * 1"
    y = student.conv.conv2d_forward(x, w, b, padding=1)
    assert np.shape(y) == (1, 1, 2, 2), "padding 1 makes the 4x4 kernel fit a 3x3 input"


@part("conv")
@points(5)
def test_forward_basic(student, rng, request):
    """conv2d_forward with stride 1, no padding, non-square kernel matches F.conv2d (float64);
    conv.py imports NumPy only."""
    x, w, b = draw(rng, (3, 2, 6, 7), (5, 2, 3, 2))
    want, _ = torch_conv(x, w, b, None)
    call = watch_call(student.conv.conv2d_forward, x, w, b)
    assert not call.changed, f"conv2d_forward modified {', '.join(call.changed)} in place"
    assert_close(call.result, want, **TOL, name="conv2d_forward")
    assert_numpy_only(request, "conv")
    want_nobias, _ = torch_conv(x, w, np.zeros(5), None)
    assert_close(student.conv.conv2d_forward(x, w, None), want_nobias, **TOL,
                 name="conv2d_forward with b=None")


@part("conv")
@points(5)
def test_forward_stride_padding(student, rng):
    """conv2d_forward with strides 2 and 3 and paddings 1 and 2 matches F.conv2d."""
    for stride, padding in [(2, 1), (3, 2), (2, 0)]:
        x, w, b = draw(rng, (2, 3, 9, 8), (4, 3, 3, 3))
        want, _ = torch_conv(x, w, b, None, stride=stride, padding=padding)
        got = student.conv.conv2d_forward(x, w, b, stride=stride, padding=padding)
        assert_close(got, want, **TOL, name=f"conv2d_forward(stride={stride}, padding={padding})")


@part("conv")
@points(3)
def test_forward_dilation(student, rng):
    """conv2d_forward with dilation 2 (and 3 with stride 2, padding 1) matches F.conv2d."""
    for kw in [{"dilation": 2}, {"dilation": 3, "stride": 2, "padding": 1}]:
        x, w, b = draw(rng, (2, 2, 10, 9), (3, 2, 3, 2))
        want, _ = torch_conv(x, w, b, None, **kw)
        assert_close(student.conv.conv2d_forward(x, w, b, **kw), want, **TOL,
                     name=f"conv2d_forward({kw})")


@part("conv")
@points(5)
def test_backward_input(student, rng):
    """conv2d_backward's dx matches torch autograd for stride 2, padding 1."""
    x, w, b = draw(rng, (2, 3, 7, 8), (4, 3, 3, 3))
    dy = rng.standard_normal((2, 4, 4, 4))
    _, (dx, _, _) = torch_conv(x, w, b, dy, stride=2, padding=1)
    got = student.conv.conv2d_backward(dy, x, w, stride=2, padding=1)
    assert isinstance(got, tuple | list) and len(got) == 3, "return (dx, dw, db)"
    assert_close(got[0], dx, **TOL, name="dx")


@part("conv")
@points(5)
def test_backward_params(student, rng):
    """conv2d_backward's dw and db (and dx) match torch autograd for stride 1 without padding
    and for stride 2, padding 2; it does not modify its arguments."""
    for kw in [{}, {"stride": 2, "padding": 2}]:
        x, w, b = draw(rng, (3, 2, 6, 6), (3, 2, 2, 3))
        y, _ = torch_conv(x, w, b, None, **kw)
        dy = rng.standard_normal(y.shape)
        _, (dx, dw, db) = torch_conv(x, w, b, dy, **kw)
        call = watch_call(student.conv.conv2d_backward, dy, x, w, **kw)
        assert not call.changed, f"conv2d_backward modified {', '.join(call.changed)} in place"
        got_dx, got_dw, got_db = call.result
        assert_close(got_dw, dw, **TOL, name=f"dw {kw}")
        assert_close(got_db, db, **TOL, name=f"db {kw}")
        assert_close(got_dx, dx, **TOL, name=f"dx {kw}")


@part("conv")
@points(5)
def test_backward_dilation_numeric(student, rng):
    """With dilation 2, stride 2 and padding 1, conv2d_backward agrees with numeric gradients of
    conv2d_forward (relative error below 1e-6) for dx, dw and db."""
    kw = {"stride": 2, "padding": 1, "dilation": 2}
    x, w, b = draw(rng, (2, 2, 7, 6), (2, 2, 2, 3))
    y, _ = torch_conv(x, w, b, None, **kw)
    dy = rng.standard_normal(y.shape)
    dx, dw, db = student.conv.conv2d_backward(dy, x, w, **kw)

    def forward(x=x, w=w, b=b):
        return F.conv2d(*(torch.from_numpy(a) for a in (x, w, b)), **kw).numpy()

    for name, got, numeric in [
        ("dx", dx, numeric_jacobian_vector(lambda z: forward(x=z), x, dy)),
        ("dw", dw, numeric_jacobian_vector(lambda z: forward(w=z), w, dy)),
        ("db", db, numeric_jacobian_vector(lambda z: forward(b=z), b, dy)),
    ]:
        assert np.shape(got) == numeric.shape, f"{name} has the wrong shape"
        assert relative_error(got, numeric) < 1e-6, f"{name} disagrees with numeric gradients"
