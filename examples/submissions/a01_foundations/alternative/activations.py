"""Element-wise activations and softmax, as parameter-free layers.

Each forward maps x of any shape (usually (N, D)) to y of the same shape and caches what its
backward needs; backward(dy) returns dL/dx = dL/dy * f'(x) (element-wise), except Softmax,
whose Jacobian couples the entries of a row.
"""

import math

import numpy as np
from layers import Module

# math.erf applied element-wise: numpy has no erf of its own (and scipy is not allowed here).
erf = np.vectorize(math.erf, otypes=[np.float64])

# Phi(x) = erfc(-x / sqrt 2) / 2, element-wise through a ufunc built from math.erfc: erfc keeps
# full relative precision in the left tail, where 1 + erf(x / sqrt 2) cancels.
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """The standard normal CDF Phi, element-wise, as float64 of x's shape."""
    z = np.asarray(x, dtype=np.float64) * -math.sqrt(0.5)
    return 0.5 * np.asarray(_erfc(z), dtype=np.float64)


class ReLU(Module):
    """ReLU(x) = max(x, 0); derivative 1 where x > 0, else 0."""

    def __init__(self) -> None:
        super().__init__()
        self.mask: np.ndarray | None = None  # where x > 0

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = max(x, 0), same shape as x."""
        self.mask = x > 0
        return np.maximum(x, 0.0)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dL/dx = dy * 1[x > 0], same shape as dy."""
        dx = np.zeros_like(dy)
        dx[self.mask] = dy[self.mask]
        return dx


class Sigmoid(Module):
    """sigma(x) = 1 / (1 + exp(-x)); derivative sigma(x) (1 - sigma(x))."""

    def __init__(self) -> None:
        super().__init__()
        self.y: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = 1 / (1 + exp(-x)), same shape as x.

        Must not overflow for large |x| (x = -1000 gives 0, x = 1000 gives 1, without warnings).
        """
        # sigma(x) = (1 + tanh(x / 2)) / 2: tanh saturates at +-1, so nothing overflows
        self.y = 0.5 + 0.5 * np.tanh(0.5 * x)
        return self.y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dL/dx = dy * y * (1 - y) with y = sigma(x)."""
        return dy * self.y * (1.0 - self.y)


class Tanh(Module):
    """tanh(x); derivative 1 - tanh(x)^2."""

    def __init__(self) -> None:
        super().__init__()
        self.y: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = tanh(x), same shape as x."""
        # tanh|x| = -expm1(-2|x|) / (2 + expm1(-2|x|)), extended as an odd function
        e = np.expm1(-2.0 * np.abs(x))
        self.y = np.copysign(-e / (2.0 + e), x)
        return self.y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dL/dx = dy * (1 - y^2) with y = tanh(x)."""
        return dy * (1.0 - self.y) * (1.0 + self.y)


class GELU(Module):
    """Exact GELU(x) = x Phi(x), Phi the standard normal CDF (not the tanh approximation)."""

    def __init__(self) -> None:
        super().__init__()
        self.x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = x Phi(x) with Phi(x) = (1 + erf(x / sqrt(2))) / 2; use this module's ``erf``."""
        self.x = x
        return x * _normal_cdf(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dL/dx = dy * (Phi(x) + x phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi) the normal pdf."""
        x = self.x
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        return dy * (_normal_cdf(x) + x * pdf)


class Softmax(Module):
    """softmax(x)_i = exp(x_i) / sum_j exp(x_j) along the last axis (each row sums to 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.y: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = softmax(x) along axis -1, same shape as x.

        Subtract the row maximum first: softmax(x) = softmax(x - max_j x_j), and then no exp
        overflows (x = [1000, 0] must give [1, 0], not nan).
        """
        # exp(x - logsumexp(x)): the shift by the row maximum keeps every exponent <= 0
        top = np.max(x, axis=-1, keepdims=True)
        lse = top + np.log(np.sum(np.exp(x - top), axis=-1, keepdims=True))
        self.y = np.exp(x - lse)
        return self.y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Vector-Jacobian product of softmax, row by row (axis -1).

        dy_i/dx_j = y_i (delta_ij - y_j), so dL/dx_j = y_j (dy_j - sum_i dy_i y_i).
        """
        # the full Jacobian diag(y) - y y^T per row, (..., D, D), contracted with dy
        y = self.y
        diag = np.einsum("...i,ij->...ij", y, np.eye(y.shape[-1]))
        jac = diag - np.einsum("...i,...j->...ij", y, y)
        return np.einsum("...ij,...i->...j", jac, dy)
