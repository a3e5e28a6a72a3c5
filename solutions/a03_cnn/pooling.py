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
    ### BEGIN SOLUTION
    s = kernel_size if stride is None else stride
    if len(x_shape) != 4:
        raise ValueError(f"expected x of shape (N, C, H, W), got {tuple(x_shape)}")
    if kernel_size < 1 or s < 1:
        raise ValueError(f"kernel_size and stride must be >= 1, got {kernel_size} and {s}")
    n, c, h, w = x_shape
    if kernel_size > min(h, w):
        raise ValueError(f"pooling window {kernel_size}x{kernel_size} does not fit an input "
                         f"of {h}x{w}")
    return n, c, (h - kernel_size) // s + 1, (w - kernel_size) // s + 1
    ### END SOLUTION


def max_pool2d_forward(x: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """y[n, c, i, j] = max of the K x K window at (s i, s j) (see the module docstring).

    Args:
        x: (N, C, H, W). kernel_size: K. stride: s, None for K.

    Returns:
        y: (N, C, H_out, W_out).
    """
    ### BEGIN SOLUTION
    return _windows(x, kernel_size, stride).max(axis=-1)
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    _, _, h_out, w_out = pool_output_shape(x.shape, kernel_size, stride)
    s = kernel_size if stride is None else stride
    winner = _windows(x, kernel_size, stride).argmax(axis=-1)  # (N, C, H_out, W_out)
    dx = np.zeros_like(x, dtype=np.result_type(x, dy))
    for ki in range(kernel_size):
        for kj in range(kernel_size):
            # Within one offset (k, l) the strided positions are distinct, so += is safe.
            rows, cols = _strided(ki, h_out, s), _strided(kj, w_out, s)
            dx[:, :, rows, cols] += dy * (winner == ki * kernel_size + kj)
    return dx
    ### END SOLUTION


def avg_pool2d_forward(x: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """y[n, c, i, j] = mean of the K x K window at (s i, s j).

    Args:
        x: (N, C, H, W). kernel_size: K. stride: s, None for K.

    Returns:
        y: (N, C, H_out, W_out).
    """
    ### BEGIN SOLUTION
    return _windows(x, kernel_size, stride).mean(axis=-1)
    ### END SOLUTION


def avg_pool2d_backward(dy: np.ndarray, x: np.ndarray, kernel_size: int,
                        stride: int | None = None) -> np.ndarray:
    """dL/dx for y = avg_pool2d(x): every element of a window gets dy[n, c, i, j] / K^2,
    summed over the (possibly overlapping) windows that contain it.

    Args:
        dy: (N, C, H_out, W_out). x, kernel_size, stride: as in the forward pass.

    Returns:
        dx: (N, C, H, W).
    """
    ### BEGIN SOLUTION
    _, _, h_out, w_out = pool_output_shape(x.shape, kernel_size, stride)
    s = kernel_size if stride is None else stride
    dx = np.zeros_like(x, dtype=np.result_type(x, dy))
    share = dy / kernel_size**2
    for ki in range(kernel_size):
        for kj in range(kernel_size):
            dx[:, :, _strided(ki, h_out, s), _strided(kj, w_out, s)] += share
    return dx
    ### END SOLUTION


def _windows(x: np.ndarray, kernel_size: int, stride: int | None) -> np.ndarray:
    """Every pooling window as the last axis, row-major: (N, C, H_out, W_out, K * K)."""
    ### BEGIN SOLUTION
    n, c, h_out, w_out = pool_output_shape(x.shape, kernel_size, stride)
    s = kernel_size if stride is None else stride
    views = [
        x[:, :, _strided(ki, h_out, s), _strided(kj, w_out, s)]
        for ki in range(kernel_size)
        for kj in range(kernel_size)
    ]
    return np.stack(views, axis=-1)
    ### END SOLUTION


def _strided(start: int, count: int, stride: int) -> slice:
    """The slice start, start + stride, ..., start + (count - 1) stride."""
    return slice(start, start + stride * (count - 1) + 1, stride)
