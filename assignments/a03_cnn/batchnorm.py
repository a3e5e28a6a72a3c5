"""Batch normalisation in NumPy, as ``torch.nn.functional.batch_norm`` computes it.

x has shape (N, C) or (N, C, H, W); statistics are per channel c, over every other axis (M =
N, or N H W, values per channel). In training mode, with the batch statistics

    mu_c = mean of x[:, c],   var_c = mean of (x[:, c] - mu_c)^2      (biased, 1/M)
    x_hat = (x - mu_c) / sqrt(var_c + eps),   y = gamma_c x_hat + beta_c

and the running statistics move towards the batch ones with ``momentum`` (torch's convention):

    running_mean <- (1 - momentum) running_mean + momentum mu
    running_var  <- (1 - momentum) running_var  + momentum var * M / (M - 1)   (unbiased)

In evaluation mode the running statistics replace mu and var and nothing is updated.
"""

import numpy as np


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
    raise NotImplementedError('implement batchnorm_forward in batchnorm.py')


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
    raise NotImplementedError('implement batchnorm_backward in batchnorm.py')


def _channel_axes(x: np.ndarray, gamma: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The axes to reduce over, and the shape that broadcasts a (C,) array against x."""
    raise NotImplementedError('implement _channel_axes in batchnorm.py')
