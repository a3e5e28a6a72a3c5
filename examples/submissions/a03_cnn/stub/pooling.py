"""Max and average pooling in NumPy, forward and backward, as ``torch.nn.functional`` has them.

Shapes: x (N, C, H, W) -> y (N, C, H_out, W_out); each channel is pooled on its own over
K x K windows taken every ``stride`` positions (stride defaults to K; no padding):

    window(i, j) = x[n, c, s i : s i + K, s j : s j + K]
    max pooling:     y[n, c, i, j] = max  window(i, j)
    average pooling: y[n, c, i, j] = mean window(i, j)       (K^2 elements)

    H_out = floor((H - K) / s) + 1,  W_out likewise.

Windows overlap when s < K; then an input element can receive gradient from several outputs.
"""

import numpy as np


def pool_output_shape(x_shape: tuple[int, ...], kernel_size: int, stride: int | None = None
                      ) -> tuple[int, int, int, int]:
    """(N, C, H_out, W_out) of pooling an input of shape ``x_shape`` = (N, C, H, W).

    Raises:
        ValueError: when ``x_shape`` is not 4-D, kernel_size or stride is below 1, or the window
            is larger than the input (the message gives both sizes).
    """
    raise NotImplementedError('implement pool_output_shape in pooling.py')


def max_pool2d_forward(x: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """y[n, c, i, j] = max of the K x K window at (s i, s j) (see the module docstring).

    Args:
        x: (N, C, H, W). kernel_size: K. stride: s, None for K.

    Returns:
        y: (N, C, H_out, W_out).
    """
    raise NotImplementedError('implement max_pool2d_forward in pooling.py')


def max_pool2d_backward(dy: np.ndarray, x: np.ndarray, kernel_size: int,
                        stride: int | None = None) -> np.ndarray:
    """dL/dx for y = max_pool2d(x), given dy = dL/dy.

    Each output's gradient goes to the one input element that was its maximum (on a tie, the
    first in row-major order within the window, as torch does); an element that is the maximum
    of several overlapping windows collects the sum of their gradients; all others get 0.

    Args:
        dy: (N, C, H_out, W_out). x, kernel_size, stride: as in the forward pass.

    Returns:
        dx: (N, C, H, W).
    """
    raise NotImplementedError('implement max_pool2d_backward in pooling.py')


def avg_pool2d_forward(x: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """y[n, c, i, j] = mean of the K x K window at (s i, s j).

    Args:
        x: (N, C, H, W). kernel_size: K. stride: s, None for K.

    Returns:
        y: (N, C, H_out, W_out).
    """
    raise NotImplementedError('implement avg_pool2d_forward in pooling.py')


def avg_pool2d_backward(dy: np.ndarray, x: np.ndarray, kernel_size: int,
                        stride: int | None = None) -> np.ndarray:
    """dL/dx for y = avg_pool2d(x): every element of a window gets dy[n, c, i, j] / K^2,
    summed over the (possibly overlapping) windows that contain it.

    Args:
        dy: (N, C, H_out, W_out). x, kernel_size, stride: as in the forward pass.

    Returns:
        dx: (N, C, H, W).
    """
    raise NotImplementedError('implement avg_pool2d_backward in pooling.py')


def _windows(x: np.ndarray, kernel_size: int, stride: int | None) -> np.ndarray:
    """Every pooling window as the last axis, row-major: (N, C, H_out, W_out, K * K)."""
    raise NotImplementedError('implement _windows in pooling.py')


def _strided(start: int, count: int, stride: int) -> slice:
    """The slice start, start + stride, ..., start + (count - 1) stride."""
    return slice(start, start + stride * (count - 1) + 1, stride)
