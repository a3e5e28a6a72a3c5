"""Regularisation: inverted dropout and the L2 weight penalty."""

import numpy as np
from layers import Module


class Dropout(Module):
    """Inverted dropout: zero each entry with probability p in training, identity in evaluation."""

    def __init__(self, p: float = 0.5, *, seed: int = 0) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p
        self.rng = np.random.default_rng(seed)  # draw every mask from this generator
        self.mask: np.ndarray | None = None  # the scaled mask of the last training forward

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Inverted dropout, same shape as x.

        Training (self.training is True): draw keep[k] = 1 with probability 1 - p (else 0),
        independently for every entry, using ``self.rng``; then
            y = x * keep / (1 - p)
        so that E[y] = x and evaluation needs no rescaling.
        Evaluation: y = x.
        """
        if not self.training:
            return x
        # binomial draws (1 = keep), stored as a float32 mask scaled by 1 / (1 - p)
        keep = self.rng.binomial(1, 1.0 - self.p, size=np.shape(x))
        self.mask = keep.astype(np.float32) * np.float32(1.0 / (1.0 - self.p))
        return x * self.mask

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dL/dx = dy * keep / (1 - p) with the SAME mask as the last forward (dy in evaluation)."""
        if not self.training or self.mask is None:
            return dy
        return dy * self.mask


def l2_penalty(params: list[np.ndarray], lam: float) -> tuple[float, list[np.ndarray]]:
    """The L2 penalty that weight decay lam corresponds to, and its gradients.

    R = (lam / 2) sum_p ||p||^2   (sum of squares of every entry of every array)
    dR/dp = lam p                  (one array per parameter, same shapes)

    Adding dR/dp to the gradients is exactly SGD(weight_decay=lam) or Adam(weight_decay=lam).

    Returns:
        (R as a Python float, [dR/dp for each p]).
    """
    squares = sum(float(np.vdot(p, p)) for p in params)
    return 0.5 * lam * squares, [lam * np.asarray(p) for p in params]
