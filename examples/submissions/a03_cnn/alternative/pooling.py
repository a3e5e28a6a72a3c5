"""Max and average pooling in NumPy, forward and backward, as ``torch.nn.functional`` has them.

Shapes: x (N, C, H, W) -> y (N, C, H_out, W_out); each channel is pooled on its own over
K x K windows taken every ``stride`` positions (stride defaults to K; no padding):

    window(i, j) = x[n, c, s i : s i + K, s j : s j + K]
    max pooling:     y[n, c, i, j] = max  window(i, j)
    average pooling: y[n, c, i, j] = mean window(i, j)       (K^2 elements)

    H_out = floor((H - K) / s) + 1,  W_out likewise.

Windows overlap when s < K; then an input element can receive gradient from several outputs.

This version treats the two poolings differently. Max pooling is separable: the max over rows of
the max over columns, and its backward scatters each gradient to the arg-max's absolute position
with ``np.add.at`` (which accumulates repeated positions). Average pooling is linear and
separable: y = A_H x A_W^T / K^2 with 0/1 window matrices A, so its backward is the adjoint
dx = A_H^T dy A_W / K^2.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pool_output_shape(x_shape: tuple[int, ...], kernel_size: int, stride: int | None = None
                      ) -> tuple[int, int, int, int]:
    """(N, C, H_out, W_out) of pooling an input of shape ``x_shape`` = (N, C, H, W).

    Raises:
        ValueError: when ``x_shape`` is not 4-D, kernel_size or stride is below 1, or the window
            is larger than the input (the message gives both sizes).
    """
    shape = tuple(int(v) for v in x_shape)
    if len(shape) != 4:
        raise ValueError(f"pooling needs a 4-D (N, C, H, W) input, got shape {shape}")
    step = kernel_size if stride is None else stride
    if kernel_size < 1:
        raise ValueError(f"kernel_size must be at least 1, got {kernel_size}")
    if step < 1:
        raise ValueError(f"stride must be at least 1, got {step}")
    n, c, h, w = shape
    out = []
    for size in (h, w):
        if size < kernel_size:
            raise ValueError(f"a {kernel_size}x{kernel_size} window is larger than the "
                             f"{h}x{w} input")
        out.append(1 + (size - kernel_size) // step)
    return n, c, out[0], out[1]


def _reduce_axis(x: np.ndarray, axis: int, kernel: int, stride: int, count: int,
                 op: np.ufunc) -> np.ndarray:
    """op-reduce K strided slices along ``axis``: out[..., i, ...] = op over x[..., s i + k, ...]
    for k < K, i < count."""
    def part(k: int) -> np.ndarray:
        index = [slice(None)] * x.ndim
        index[axis] = slice(k, k + stride * (count - 1) + 1, stride)
        return x[tuple(index)]

    out = part(0).copy()
    for k in range(1, kernel):
        op(out, part(k), out=out)
    return out


def max_pool2d_forward(x: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """y[n, c, i, j] = max of the K x K window at (s i, s j) (see the module docstring).

    Args:
        x: (N, C, H, W). kernel_size: K. stride: s, None for K.

    Returns:
        y: (N, C, H_out, W_out).
    """
    _, _, h_out, w_out = pool_output_shape(np.shape(x), kernel_size, stride)
    s = kernel_size if stride is None else stride
    # the max of a window is the max over its rows of each row's max
    rows = _reduce_axis(np.asarray(x), 3, kernel_size, s, w_out, np.maximum)
    return _reduce_axis(rows, 2, kernel_size, s, h_out, np.maximum)


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
    n, c, h_out, w_out = pool_output_shape(np.shape(x), kernel_size, stride)
    s = kernel_size if stride is None else stride
    k = kernel_size
    flat = _windows(x, kernel_size, stride)  # (N, C, H_out, W_out, K * K), row-major
    pick = np.argmax(flat, axis=-1)  # np.argmax returns the first maximum
    # absolute input coordinates of every window's arg-max
    rows = s * np.arange(h_out)[:, None] + pick // k  # (N, C, H_out, W_out) by broadcasting
    cols = s * np.arange(w_out)[None, :] + pick % k
    ns = np.arange(n)[:, None, None, None]
    cs = np.arange(c)[None, :, None, None]
    dx = np.zeros(np.shape(x), dtype=np.result_type(x, dy))
    np.add.at(dx, (ns, cs, rows, cols), dy)  # unbuffered: shared arg-maxes accumulate
    return dx


def _window_matrix(size: int, kernel: int, stride: int, count: int, dtype: np.dtype
                   ) -> np.ndarray:
    """A (count, size) 0/1 matrix whose row i marks the positions s i .. s i + K - 1."""
    starts = stride * np.arange(count)[:, None]
    positions = np.arange(size)[None, :]
    return ((positions >= starts) & (positions < starts + kernel)).astype(dtype)


def avg_pool2d_forward(x: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """y[n, c, i, j] = mean of the K x K window at (s i, s j).

    Args:
        x: (N, C, H, W). kernel_size: K. stride: s, None for K.

    Returns:
        y: (N, C, H_out, W_out).
    """
    _, _, h_out, w_out = pool_output_shape(np.shape(x), kernel_size, stride)
    s = kernel_size if stride is None else stride
    x = np.asarray(x)
    dtype = np.result_type(x, np.float64) if x.dtype.kind in "iub" else x.dtype
    a_h = _window_matrix(x.shape[2], kernel_size, s, h_out, dtype)
    a_w = _window_matrix(x.shape[3], kernel_size, s, w_out, dtype)
    sums = np.einsum("ih,nchw,jw->ncij", a_h, x, a_w, optimize=True)
    return sums / kernel_size**2


def avg_pool2d_backward(dy: np.ndarray, x: np.ndarray, kernel_size: int,
                        stride: int | None = None) -> np.ndarray:
    """dL/dx for y = avg_pool2d(x): every element of a window gets dy[n, c, i, j] / K^2,
    summed over the (possibly overlapping) windows that contain it.

    Args:
        dy: (N, C, H_out, W_out). x, kernel_size, stride: as in the forward pass.

    Returns:
        dx: (N, C, H, W).
    """
    _, _, h_out, w_out = pool_output_shape(np.shape(x), kernel_size, stride)
    s = kernel_size if stride is None else stride
    dtype = np.result_type(x, dy)
    a_h = _window_matrix(np.shape(x)[2], kernel_size, s, h_out, dtype)
    a_w = _window_matrix(np.shape(x)[3], kernel_size, s, w_out, dtype)
    # the adjoint of y = A_H x A_W^T / K^2
    return np.einsum("ih,ncij,jw->nchw", a_h, dy / kernel_size**2, a_w, optimize=True)


def _windows(x: np.ndarray, kernel_size: int, stride: int | None) -> np.ndarray:
    """Every pooling window as the last axis, row-major: (N, C, H_out, W_out, K * K)."""
    n, c, h_out, w_out = pool_output_shape(np.shape(x), kernel_size, stride)
    s = kernel_size if stride is None else stride
    views = sliding_window_view(np.asarray(x), (kernel_size, kernel_size), axis=(2, 3))
    views = views[:, :, : s * (h_out - 1) + 1 : s, : s * (w_out - 1) + 1 : s]
    return views.reshape(n, c, h_out, w_out, kernel_size * kernel_size)


def _strided(start: int, count: int, stride: int) -> slice:
    """The slice start, start + stride, ..., start + (count - 1) stride."""
    return slice(start, start + stride * (count - 1) + 1, stride)
