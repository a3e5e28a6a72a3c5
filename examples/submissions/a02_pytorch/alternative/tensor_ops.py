"""Tensors and broadcasting: vectorised exercises, no Python loops over elements.

Broadcasting aligns shapes from the right; a dimension of size 1 (or a missing leading one) is
repeated to match the other operand, so (N, 1, D) - (1, M, D) gives (N, M, D) without copying.
"""

import torch


def pairwise_sq_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances between every row of ``a`` and every row of ``b``.

    D[i, j] = sum_k (a[i, k] - b[j, k])^2, computed by broadcasting a[:, None, :] against
    b[None, :, :] (no loops, no torch.cdist).

    Args:
        a: (N, D).
        b: (M, D), same dtype as ``a``.

    Returns:
        (N, M), non-negative.
    """
    # Expansion ||a_i||^2 + ||b_j||^2 - 2 <a_i, b_j>: the norms broadcast as a column against a
    # row and the cross term is one matrix product, so no (N, M, D) tensor is ever built. The
    # subtraction can round slightly below zero for (nearly) equal rows: clamp.
    sq_a = torch.einsum("nd,nd->n", a, a)
    sq_b = torch.einsum("md,md->m", b, b)
    gram = a @ b.transpose(0, 1)
    return (sq_a.unsqueeze(1) + sq_b.unsqueeze(0)).sub_(gram, alpha=2).clamp_min_(0)


def standardize(x: torch.Tensor, dim: int, eps: float = 1e-5) -> torch.Tensor:
    """Zero mean, unit variance along ``dim``: (x - mean) / sqrt(var + eps).

    mean and var are taken along ``dim`` with ``keepdim=True`` so they broadcast back; var is the
    biased variance (divide by the size of ``dim``, not size - 1), as in layer and batch norm.

    Args:
        x: any shape; dim: the axis to normalise (negative values count from the end).

    Returns:
        same shape and dtype as ``x``.
    """
    var, mean = torch.var_mean(x, dim=dim, correction=0, keepdim=True)
    return (x - mean) * torch.rsqrt(var + eps)


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Indicator rows: out[n, c] = 1.0 if y[n] == c else 0.0, by comparing y[:, None] with
    torch.arange(num_classes)[None, :] (broadcasting; not torch.nn.functional.one_hot).

    Args:
        y: (N,) integer labels in [0, num_classes).

    Returns:
        (N, num_classes) float32 on the device of ``y``.
    """
    # row y[n] of the identity matrix is the indicator of class y[n]
    return torch.eye(num_classes, dtype=torch.float32, device=y.device)[y.long()]


def masked_mean(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean over the first ``lengths[b]`` time steps of each sequence of a padded batch.

    out[b] = (1 / lengths[b]) sum_{t < lengths[b]} x[b, t]; build the (B, T) mask
    arange(T)[None, :] < lengths[:, None] and broadcast it over the features.

    Args:
        x: (B, T, D) padded sequences.
        lengths: (B,) integers in [1, T].

    Returns:
        (B, D), same dtype as ``x``.
    """
    # prefix sums along time, then read off the one at t = lengths[b] - 1 for every sequence
    prefix = torch.cumsum(x, dim=1)  # (B, T, D)
    last = (lengths.long() - 1).to(x.device).view(-1, 1, 1).expand(-1, 1, x.shape[2])
    total = torch.gather(prefix, 1, last).squeeze(1)  # (B, D)
    return total / lengths.to(device=x.device, dtype=x.dtype).unsqueeze(1)


def unbroadcast(grad: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """Reduce a gradient of a broadcast result back to the shape of the broadcast operand.

    If z = f(w) with w of ``shape`` broadcast to grad.shape, then dL/dw is grad summed over
    every axis that broadcasting added (leading axes) or stretched (size 1 in ``shape``),
    keeping the size-1 axes: e.g. (N, M, D) -> (M, 1) sums axis 0 and axis 2 (keepdim).

    Args:
        grad: (*S) where ``shape`` broadcasts to S.
        shape: the operand's shape.

    Returns:
        a tensor of exactly ``shape``.
    """
    # Left-pad the operand's shape with 1s to grad's rank: then every axis to reduce is one
    # where the padded shape has a 1 and grad does not. One keepdim sum, then drop the padding.
    target = tuple(shape)
    padded = (1,) * (grad.dim() - len(target)) + target
    axes = [axis for axis, (want, have) in enumerate(zip(padded, grad.shape, strict=True))
            if want == 1 and have != 1]
    if axes:
        grad = torch.sum(grad, dim=axes, keepdim=True)
    return grad.reshape(target)
