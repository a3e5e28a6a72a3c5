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
"""

import numpy as np


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
    if kernel < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError(
            f"need kernel, stride and dilation >= 1 and padding >= 0; got kernel={kernel}, "
            f"stride={stride}, padding={padding}, dilation={dilation}"
        )
    span = dilation * (kernel - 1) + 1
    if span > size + 2 * padding:
        raise ValueError(
            f"kernel spans {span} positions (kernel {kernel}, dilation {dilation}) but the padded "
            f"input has only {size + 2 * padding} (size {size}, padding {padding})"
        )
    return (size + 2 * padding - span) // stride + 1


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
    # HINT: loop over the KH * KW kernel offsets, not over pixels: each offset is a strided slice
    x_pad, (h_out, w_out) = _pad_and_check(x, w, stride, padding, dilation)
    y = np.zeros((x.shape[0], w.shape[0], h_out, w_out), dtype=np.result_type(x, w))
    for ki in range(w.shape[2]):
        for kj in range(w.shape[3]):
            # (N, C_in, H_out, W_out)
            window = _window(x_pad, ki, kj, h_out, w_out, stride, dilation)
            y += np.einsum("nchw,oc->nohw", window, w[:, :, ki, kj])
    if b is not None:
        y += b[None, :, None, None]
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
    if dy.shape != (x.shape[0], w.shape[0], h_out, w_out):
        want = (x.shape[0], w.shape[0], h_out, w_out)
        raise ValueError(f"dy has shape {dy.shape}, expected {want}")
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for ki in range(w.shape[2]):
        for kj in range(w.shape[3]):
            window = _window(x_pad, ki, kj, h_out, w_out, stride, dilation)
            dw[:, :, ki, kj] = np.einsum("nohw,nchw->oc", dy, window)
            # A view into dx_pad: within one offset the strided positions are distinct.
            _window(dx_pad, ki, kj, h_out, w_out, stride, dilation)[...] += np.einsum(
                "nohw,oc->nchw", dy, w[:, :, ki, kj]
            )
    dx = dx_pad[:, :, padding : padding + x.shape[2], padding : padding + x.shape[3]]
    return dx.copy(), dw, dy.sum(axis=(0, 2, 3))


def _pad_and_check(x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int
                   ) -> tuple[np.ndarray, tuple[int, int]]:
    """x zero-padded on H and W, and (H_out, W_out); raises ValueError on mismatched shapes."""
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError(
            f"expected x (N, C_in, H, W) and w (C_out, C_in, KH, KW), got {x.shape} and {w.shape}"
        )
    h_out = conv_output_size(x.shape[2], w.shape[2], stride, padding, dilation)
    w_out = conv_output_size(x.shape[3], w.shape[3], stride, padding, dilation)
    p = padding
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))), (h_out, w_out)


def _window(x_pad: np.ndarray, ki: int, kj: int, h_out: int, w_out: int, stride: int,
            dilation: int) -> np.ndarray:
    """The view x_pad[:, :, s i + d ki, s j + d kj] over all (i, j): (N, C, H_out, W_out)."""
    top, left = ki, kj
    return x_pad[:, :, top : top + stride * (h_out - 1) + 1 : stride,
                 left : left + stride * (w_out - 1) + 1 : stride]
