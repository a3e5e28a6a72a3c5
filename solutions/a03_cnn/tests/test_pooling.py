"""Max and average pooling against torch and numeric gradients."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from pooling import avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward

from dnn.gradcheck import numeric_jacobian_vector, relative_error


@pytest.mark.parametrize(("kernel", "stride"), [(2, None), (3, 2)])
def test_forward_matches_torch(kernel: int, stride: int | None) -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8))
    t = torch.from_numpy(x)
    np.testing.assert_allclose(max_pool2d_forward(x, kernel, stride),
                               F.max_pool2d(t, kernel, stride).numpy(), rtol=1e-12)
    np.testing.assert_allclose(avg_pool2d_forward(x, kernel, stride),
                               F.avg_pool2d(t, kernel, stride).numpy(), rtol=1e-12)


@pytest.mark.parametrize(("kernel", "stride"), [(2, None), (3, 2)])
def test_backward_matches_numeric_gradients(kernel: int, stride: int | None) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 2, 7, 6))
    dy = rng.standard_normal(max_pool2d_forward(x, kernel, stride).shape)
    for forward, backward in ((max_pool2d_forward, max_pool2d_backward),
                              (avg_pool2d_forward, avg_pool2d_backward)):
        numeric = numeric_jacobian_vector(lambda z, f=forward: f(z, kernel, stride), x, dy)
        assert relative_error(backward(dy, x, kernel, stride), numeric) < 1e-7, forward.__name__


def test_max_pool_backward_ties_go_to_the_first_maximum() -> None:
    x = np.ones((1, 1, 4, 4))  # every window is one big tie
    t = torch.from_numpy(x).requires_grad_()
    F.max_pool2d(t, 2).sum().backward()
    np.testing.assert_array_equal(max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2), t.grad.numpy())


def test_window_larger_than_input_is_rejected() -> None:
    with pytest.raises(ValueError):
        max_pool2d_forward(np.zeros((1, 1, 3, 3)), 4)
