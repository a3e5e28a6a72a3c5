"""Weight initialisers: draw a (fan_in, fan_out) matrix whose scale keeps activations stable.

Every initialiser takes an integer seed (not a Generator) so that calls stay reproducible and
plain data: the same (fan_in, fan_out, seed) always gives the same matrix.
"""

import numpy as np


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
