"""Loss functions: each returns the mean loss (a Python float) and its gradient wrt the input.

The gradient has the shape of the first argument and already includes the 1/N of the mean,
so it can go straight into ``model.backward``.
"""

import numpy as np


def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over ALL elements (like torch.nn.functional.mse_loss).

    L = (1/M) sum_k (pred_k - target_k)^2,  M = pred.size
    dL/dpred = 2 (pred - target) / M

    Args:
        pred, target: arrays of the same shape, e.g. (N, D).

    Returns:
        (L, dL/dpred) with dL/dpred of pred's shape.
    """
    diff = (np.asarray(pred, dtype=np.float64) - target).ravel()
    count = diff.size
    loss = float(np.dot(diff, diff) / count)
    return loss, (2.0 / count) * diff.reshape(np.shape(pred))


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax followed by cross-entropy, averaged over the batch (like F.cross_entropy).

    log p[n, c] = z[n, c] - logsumexp_j z[n, j]
    L = -(1/N) sum_n log p[n, labels[n]]
    dL/dz = (p - Y) / N, Y the one-hot encoding of labels

    Compute logsumexp stably: logsumexp(z) = m + log sum_j exp(z_j - m) with m = max_j z_j, so
    that logits of 1e4 give finite values (no overflow, no nan).

    Args:
        logits: (N, C) scores z.
        labels: (N,) integer classes in [0, C).

    Returns:
        (L, dL/dlogits) with dL/dlogits of shape (N, C).
    """
    n = logits.shape[0]
    # log-softmax, (N, C); logaddexp never exponentiates a positive number, so 1e4 is fine
    log_p = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    idx = np.asarray(labels, dtype=np.intp)[:, None]  # (N, 1)
    loss = -float(np.take_along_axis(log_p, idx, axis=1).sum()) / n
    grad = np.exp(log_p)
    np.put_along_axis(grad, idx, np.take_along_axis(grad, idx, axis=1) - 1.0, axis=1)
    return loss, grad / n


def bce_with_logits(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on logits, averaged over ALL elements.

    Like torch.nn.functional.binary_cross_entropy_with_logits.

    With p = sigma(x), the per-element loss -[t log p + (1 - t) log(1 - p)] equals the stable form
        l = max(x, 0) - x t + log(1 + exp(-|x|))     (use np.log1p)
    L = (1/M) sum_k l_k,  M = logits.size
    dL/dx = (sigma(x) - t) / M

    Args:
        logits: any shape, e.g. (N,) or (N, K).
        targets: same shape, values in [0, 1].

    Returns:
        (L, dL/dlogits) with dL/dlogits of logits' shape.
    """
    # log(1 + e^x) - x t, with log(1 + e^x) = logaddexp(0, x) (never overflows)
    per_element = np.logaddexp(0.0, logits) - logits * targets
    count = per_element.size
    prob = 0.5 * (1.0 + np.tanh(0.5 * logits))  # sigma(x)
    return float(per_element.sum() / count), (prob - targets) / count
