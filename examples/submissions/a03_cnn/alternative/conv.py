"""2-D convolution in NumPy: output sizes, the forward pass and its backward pass.

As in PyTorch (``torch.nn.functional.conv2d``) a "convolution" is a cross-correlation. Shapes:

    x  (N, C_in, H, W)          the input batch, channels first
    w  (C_out, C_in, KH, KW)    the filters
    b  (C_out,)                 one bias per output channel
    y  (N, C_out, H_out, W_out)

with the same ``stride`` s, zero ``padding`` p and ``dilation`` d along both spatial axes:

    y[n, o, i, j] = b[o] + sum_{c, k, l} w[o, c, k, l] * x_pad[n, c, s i + d k, s j + d l]

where ``x_pad`` is x with p zeros added on each side of H and W. All functions are pure: they
return new arrays and never modify their arguments.

This version is im2col: every receptive field is read at once through a strided view
(``sliding_window_view``) and the whole convolution is a single tensor contraction. The input
gradient is a transposed convolution: the stride-dilated ``dy`` correlated with the flipped,
channel-swapped filters.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """Length of the output along one spatial axis.

    The dilated kernel spans ``d (K - 1) + 1`` input positions, so

        out = floor((size + 2 p - d (K - 1) - 1) / s) + 1

    Args:
        size: input length (H or W); kernel: K; stride: s >= 1; padding: p >= 0;
            dilation: d >= 1.

    Returns:
        out >= 1.

    Raises:
        ValueError: when kernel, stride or dilation is below 1, padding is negative, or the
            dilated kernel is larger than the padded input (the message gives both sizes).
    """
    for label, value, low in (("kernel", kernel, 1), ("stride", stride, 1),
                              ("dilation", dilation, 1), ("padding", padding, 0)):
        if value < low:
            raise ValueError(f"{label} must be at least {low}, got {value}")
    padded = size + 2 * padding
    reach = (kernel - 1) * dilation + 1
    positions = padded - reach  # the last start position of the kernel, if >= 0
    if positions < 0:
        raise ValueError(f"the dilated kernel covers {reach} positions, more than the "
                         f"{padded} of the padded input")
    return 1 + positions // stride


def _receptive_fields(x_pad: np.ndarray, kh: int, kw: int, stride: int, dilation: int,
                      h_out: int, w_out: int) -> np.ndarray:
    """Read-only view (N, C, H_out, W_out, KH, KW) of the inputs under each output position:
    element [n, c, i, j, k, l] is x_pad[n, c, s i + d k, s j + d l]."""
    span_h, span_w = (kh - 1) * dilation + 1, (kw - 1) * dilation + 1
    fields = sliding_window_view(x_pad, (span_h, span_w), axis=(2, 3))
    return fields[:, :, : (h_out - 1) * stride + 1 : stride, : (w_out - 1) * stride + 1 : stride,
                  ::dilation, ::dilation]


def _correlate(x_pad: np.ndarray, w: np.ndarray, stride: int, dilation: int,
               h_out: int, w_out: int) -> np.ndarray:
    """y[n, o, i, j] = sum_{c, k, l} w[o, c, k, l] x_pad[n, c, s i + d k, s j + d l] as one
    tensordot over (c, k, l)."""
    fields = _receptive_fields(x_pad, w.shape[2], w.shape[3], stride, dilation, h_out, w_out)
    y = np.tensordot(fields, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H_out, W_out, C_out)
    return np.ascontiguousarray(y.transpose(0, 3, 1, 2))


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, *,
                   stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """y = conv2d(x, w) + b, as ``torch.nn.functional.conv2d`` computes it (see the module).

    Args:
        x: (N, C_in, H, W). w: (C_out, C_in, KH, KW). b: (C_out,) or None (no bias).

    Returns:
        y: (N, C_out, H_out, W_out), H_out and W_out from ``conv_output_size``.

    Raises:
        ValueError: when x and w disagree on C_in, or the kernel does not fit the padded input.
    """
    x_pad, (h_out, w_out) = _pad_and_check(x, w, stride, padding, dilation)
    y = _correlate(x_pad, w, stride, dilation, h_out, w_out)
    if b is not None:
        y = y + np.asarray(b).reshape(1, -1, 1, 1)
    return y


def conv2d_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray, *, stride: int = 1,
                    padding: int = 0, dilation: int = 1
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of L through y = conv2d(x, w) + b, given dy = dL/dy.

    Every input position x_pad[n, c, s i + d k, s j + d l] met weight w[o, c, k, l] on its way
    to y[n, o, i, j], so

        dL/dw[o, c, k, l] = sum_{n, i, j} dy[n, o, i, j] x_pad[n, c, s i + d k, s j + d l]
        dL/db[o]          = sum_{n, i, j} dy[n, o, i, j]
        dL/dx_pad[n, c, s i + d k, s j + d l] += sum_o dy[n, o, i, j] w[o, c, k, l]

    and dL/dx is dL/dx_pad without its padding (positions never read get 0).

    Args:
        dy: (N, C_out, H_out, W_out). x, w, stride, padding, dilation: as in the forward pass.

    Returns:
        (dx, dw, db) with the shapes of x (N, C_in, H, W), w (C_out, C_in, KH, KW) and
        b (C_out,).
    """
    x_pad, (h_out, w_out) = _pad_and_check(x, w, stride, padding, dilation)
    n, c_out, kh, kw = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    if dy.shape != (n, c_out, h_out, w_out):
        raise ValueError(f"dy must have shape {(n, c_out, h_out, w_out)}, got {dy.shape}")

    fields = _receptive_fields(x_pad, kh, kw, stride, dilation, h_out, w_out)
    dw = np.tensordot(dy, fields, axes=([0, 2, 3], [0, 2, 3]))  # (C_out, C_in, KH, KW)
    db = np.einsum("nohw->o", dy)

    # dx_pad[u, v] = sum_{o,k,l} z[u - d k, v - d l] w[o, c, k, l], z = dy spread out by the
    # stride (zeros between). Pad z by d (K - 1) in front (and up to x_pad's size behind) and it
    # becomes a stride-1, dilation-d correlation of z with the flipped, transposed filters.
    h_pad, w_pad = x_pad.shape[2], x_pad.shape[3]
    spread = np.zeros((n, c_out, (h_out - 1) * stride + 1, (w_out - 1) * stride + 1),
                      dtype=np.result_type(dy, w))
    spread[:, :, ::stride, ::stride] = dy
    front_h, front_w = dilation * (kh - 1), dilation * (kw - 1)
    z = np.pad(spread, ((0, 0), (0, 0), (front_h, h_pad - spread.shape[2]),
                        (front_w, w_pad - spread.shape[3])))
    w_flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    dx_pad = _correlate(z, w_flipped, 1, dilation, h_pad, w_pad)
    dx = dx_pad[:, :, padding : padding + x.shape[2], padding : padding + x.shape[3]].copy()
    return dx, dw, db


def _pad_and_check(x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int
                   ) -> tuple[np.ndarray, tuple[int, int]]:
    """x zero-padded on H and W, and (H_out, W_out); raises ValueError on mismatched shapes."""
    if np.ndim(x) != 4 or np.ndim(w) != 4:
        raise ValueError(f"x and w must be 4-D, got shapes {np.shape(x)} and {np.shape(w)}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but w expects {w.shape[1]}")
    h_out = conv_output_size(x.shape[2], w.shape[2], stride, padding, dilation)
    w_out = conv_output_size(x.shape[3], w.shape[3], stride, padding, dilation)
    n, c, h, wd = x.shape
    x_pad = np.zeros((n, c, h + 2 * padding, wd + 2 * padding), dtype=x.dtype)
    x_pad[:, :, padding : padding + h, padding : padding + wd] = x
    return x_pad, (h_out, w_out)


def _window(x_pad: np.ndarray, ki: int, kj: int, h_out: int, w_out: int, stride: int,
            dilation: int) -> np.ndarray:
    """The view x_pad[:, :, s i + d ki, s j + d kj] over all (i, j): (N, C, H_out, W_out)."""
    kh_min, kw_min = ki + 1, kj + 1  # a kernel just large enough to reach offset (ki, kj)
    fields = _receptive_fields(x_pad, kh_min, kw_min, stride, dilation, h_out, w_out)
    return fields[..., ki, kj]
