"""Weight initialisers: draw a (fan_in, fan_out) matrix whose scale keeps activations stable.

Every initialiser takes an integer seed (not a Generator) so that calls stay reproducible and
plain data: the same (fan_in, fan_out, seed) always gives the same matrix.
"""

import math

import numpy as np


def _scaled_normal(fan_in: int, fan_out: int, seed: int, std: float) -> np.ndarray:
    """std * N(0, 1) of shape (fan_in, fan_out): float32 draws, returned as float64."""
    z = np.random.default_rng(seed).standard_normal((fan_in, fan_out), dtype=np.float32)
    return std * z.astype(np.float64)


def _scaled_uniform(fan_in: int, fan_out: int, seed: int, bound: float) -> np.ndarray:
    """Uniform(-bound, bound) of shape (fan_in, fan_out), as bound * (2u - 1) with u in [0, 1)."""
    u = np.random.default_rng(seed).random((fan_in, fan_out))
    return bound * (2.0 * u - 1.0)


def he_normal(fan_in: int, fan_out: int, seed: int = 0) -> np.ndarray:
    """He (Kaiming) normal initialisation, for layers followed by ReLU.

    W[i, j] ~ Normal(0, std^2) with std = sqrt(2 / fan_in).

    Draw the samples with ``np.random.default_rng(seed).normal(...)``.

    Returns:
        W: (fan_in, fan_out) float64 array.
    """
    # one float32 standard-normal draw, rescaled in float64 (the statistics are what matter)
    return _scaled_normal(fan_in, fan_out, seed, math.sqrt(2.0 / fan_in))


def he_uniform(fan_in: int, fan_out: int, seed: int = 0) -> np.ndarray:
    """He (Kaiming) uniform initialisation, for layers followed by ReLU.

    W[i, j] ~ Uniform(-a, a) with a = sqrt(6 / fan_in), so that Var(W) = 2 / fan_in.

    Draw the samples with ``np.random.default_rng(seed).uniform(...)``.

    Returns:
        W: (fan_in, fan_out) float64 array.
    """
    return _scaled_uniform(fan_in, fan_out, seed, math.sqrt(6.0 / fan_in))


def xavier_normal(fan_in: int, fan_out: int, seed: int = 0) -> np.ndarray:
    """Xavier (Glorot) normal initialisation, for layers followed by tanh or sigmoid.

    W[i, j] ~ Normal(0, std^2) with std = sqrt(2 / (fan_in + fan_out)).

    Draw the samples with ``np.random.default_rng(seed).normal(...)``.

    Returns:
        W: (fan_in, fan_out) float64 array.
    """
    return _scaled_normal(fan_in, fan_out, seed, math.sqrt(2.0 / (fan_in + fan_out)))


def xavier_uniform(fan_in: int, fan_out: int, seed: int = 0) -> np.ndarray:
    """Xavier (Glorot) uniform initialisation, for layers followed by tanh or sigmoid.

    W[i, j] ~ Uniform(-a, a) with a = sqrt(6 / (fan_in + fan_out)),
    so that Var(W) = 2 / (fan_in + fan_out).

    Draw the samples with ``np.random.default_rng(seed).uniform(...)``.

    Returns:
        W: (fan_in, fan_out) float64 array.
    """
    return _scaled_uniform(fan_in, fan_out, seed, math.sqrt(6.0 / (fan_in + fan_out)))
