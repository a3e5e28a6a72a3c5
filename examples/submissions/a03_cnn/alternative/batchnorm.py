"""Batch normalisation in NumPy, as ``torch.nn.functional.batch_norm`` computes it.

x has shape (N, C) or (N, C, H, W); statistics are per channel c, over every other axis (M =
N, or N H W, values per channel). In training mode, with the batch statistics

    mu_c = mean of x[:, c],   var_c = mean of (x[:, c] - mu_c)^2      (biased, 1/M)
    x_hat = (x - mu_c) / sqrt(var_c + eps),   y = gamma_c x_hat + beta_c

and the running statistics move towards the batch ones with ``momentum`` (torch's convention):

    running_mean <- (1 - momentum) running_mean + momentum mu
    running_var  <- (1 - momentum) running_var  + momentum var * M / (M - 1)   (unbiased)

In evaluation mode the running statistics replace mu and var and nothing is updated.

This version works on a (C, M) matrix, one row per channel (channels moved to the front), folds
the normalisation into one affine map per channel, y = scale x + shift, and back-propagates
step by step through x_hat, var and mu rather than with the compact formula.
"""

import numpy as np


def _rows(x: np.ndarray) -> np.ndarray:
    """x as a (C, M) matrix: channel c's M values in row c."""
    return np.moveaxis(x, 1, 0).reshape(x.shape[1], -1)


def _unrows(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of ``_rows``: a (C, M) matrix back to ``shape`` (channels on axis 1)."""
    moved = (shape[1], shape[0], *shape[2:])
    return np.ascontiguousarray(np.moveaxis(rows.reshape(moved), 0, 1))


def _check(x: np.ndarray, *params: np.ndarray) -> None:
    if x.ndim not in (2, 4):
        raise ValueError(f"batch norm needs x of shape (N, C) or (N, C, H, W), got {x.shape}")
    for p in params:
        if np.shape(p) != (x.shape[1],):
            raise ValueError(f"per-channel parameters must have shape ({x.shape[1]},), "
                             f"got {np.shape(p)}")


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    *,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalise x per channel (see the module docstring).

    Args:
        x: (N, C) or (N, C, H, W). gamma, beta, running_mean, running_var: (C,).
        training: use (and record) the batch statistics if true, else the running ones.

    Returns:
        (y, new_running_mean, new_running_var): y has the shape of x; the running statistics
        are new (C,) arrays, updated in training mode and equal to the given ones otherwise.
        The arguments are not modified.

    Raises:
        ValueError: when x is not 2-D or 4-D, the parameters are not (C,), or training mode
            has a single value per channel (M = 1: the unbiased variance is undefined).
    """
    x = np.asarray(x)
    _check(x, gamma, beta, running_mean, running_var)
    rows = _rows(x)  # (C, M)
    m = rows.shape[1]
    if training:
        if m < 2:
            raise ValueError(f"training-mode batch norm needs at least 2 values per channel, "
                             f"got {m} (x of shape {x.shape})")
        mean = rows.sum(axis=1) / m
        centred = rows - mean[:, None]
        sq = np.einsum("cm,cm->c", centred, centred)  # sum of squared deviations
        var = sq / m
        new_mean = running_mean + momentum * (mean - running_mean)
        new_var = running_var + momentum * (sq / (m - 1) - running_var)
    else:
        mean, var = np.asarray(running_mean), np.asarray(running_var)
        new_mean, new_var = np.array(running_mean, copy=True), np.array(running_var, copy=True)
    # y = gamma (x - mu) / sigma + beta = scale x + shift
    scale = gamma / np.sqrt(var + eps)
    shift = beta - mean * scale
    y = rows * scale[:, None] + shift[:, None]
    return _unrows(y, x.shape), new_mean, new_var


def batchnorm_backward(
    dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, *, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients through the training-mode forward pass (batch statistics), given dy = dL/dy.

    mu and var depend on every x of the channel, which gives the compact form (sums over the M
    values of channel c, x_hat and sigma_c = sqrt(var_c + eps) as in the forward pass):

        dL/dbeta_c  = sum dy
        dL/dgamma_c = sum dy * x_hat
        dL/dx       = gamma_c / sigma_c * (dy - mean(dy) - x_hat * mean(dy * x_hat))

    Args:
        dy: the shape of x. x: (N, C) or (N, C, H, W). gamma: (C,).

    Returns:
        (dx, dgamma, dbeta) with shapes x.shape, (C,), (C,).
    """
    x = np.asarray(x)
    _check(x, gamma)
    rows, g = _rows(x), _rows(np.asarray(dy))  # (C, M) each
    m = rows.shape[1]
    mean = rows.mean(axis=1)
    centred = rows - mean[:, None]
    var = np.einsum("cm,cm->c", centred, centred) / m
    inv_sigma = 1.0 / np.sqrt(var + eps)
    x_hat = centred * inv_sigma[:, None]

    dbeta = g.sum(axis=1)
    dgamma = np.einsum("cm,cm->c", g, x_hat)
    # chain rule through x_hat = (x - mu) (var + eps)^(-1/2), var = mean (x - mu)^2, mu = mean x
    d_xhat = g * gamma[:, None]
    d_var = -0.5 * np.einsum("cm,cm->c", d_xhat, centred) * inv_sigma**3
    d_mu = -d_xhat.sum(axis=1) * inv_sigma - 2.0 * d_var * centred.mean(axis=1)
    dx = (d_xhat * inv_sigma[:, None] + (2.0 / m) * d_var[:, None] * centred
          + d_mu[:, None] / m)
    return _unrows(dx, x.shape), dgamma, dbeta


def _channel_axes(x: np.ndarray, gamma: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The axes to reduce over, and the shape that broadcasts a (C,) array against x."""
    _check(np.asarray(x), gamma)
    axes = tuple(a for a in range(x.ndim) if a != 1)
    shape = tuple(x.shape[1] if a == 1 else 1 for a in range(x.ndim))
    return axes, shape
