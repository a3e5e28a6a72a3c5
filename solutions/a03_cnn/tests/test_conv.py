"""conv_output_size, conv2d_forward and conv2d_backward against torch and numeric gradients."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conv import conv2d_backward, conv2d_forward, conv_output_size

from dnn.gradcheck import numeric_jacobian_vector, relative_error

CASES = [  # stride, padding, dilation
    (1, 0, 1),
    (2, 1, 1),
    (1, 2, 2),
]


def test_output_size() -> None:
    assert conv_output_size(7, 3) == 5
    assert conv_output_size(7, 3, stride=2, padding=1) == 4
    assert conv_output_size(7, 3, dilation=2) == 3
    with pytest.raises(ValueError, match="kernel"):
        conv_output_size(4, 5)


@pytest.mark.parametrize(("stride", "padding", "dilation"), CASES)
def test_forward_matches_torch(stride: int, padding: int, dilation: int) -> None:
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2)), rng.random(4)
    y = conv2d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    want = F.conv2d(*(torch.from_numpy(a) for a in (x, w, b)), stride=stride, padding=padding,
                    dilation=dilation).numpy()
    assert y.shape == want.shape
    np.testing.assert_allclose(y, want, rtol=1e-10, atol=1e-12)


def test_forward_rejects_a_kernel_larger_than_the_padded_input() -> None:
    with pytest.raises(ValueError):
        conv2d_forward(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 4, 4)), np.zeros(1), padding=0)


@pytest.mark.parametrize(("stride", "padding", "dilation"), CASES)
def test_backward_matches_numeric_gradients(stride: int, padding: int, dilation: int) -> None:
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((3, 2, 2, 3)), rng.random(3)
    kw = {"stride": stride, "padding": padding, "dilation": dilation}
    dy = rng.standard_normal(conv2d_forward(x, w, b, **kw).shape)
    dx, dw, db = conv2d_backward(dy, x, w, **kw)
    for got, numeric in [
        (dx, numeric_jacobian_vector(lambda z: conv2d_forward(z, w, b, **kw), x, dy)),
        (dw, numeric_jacobian_vector(lambda z: conv2d_forward(x, z, b, **kw), w, dy)),
        (db, numeric_jacobian_vector(lambda z: conv2d_forward(x, w, z, **kw), b, dy)),
    ]:
        assert relative_error(got, numeric) < 1e-6
