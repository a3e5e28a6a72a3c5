"""Neural Turing Machine memory (Graves, Wayne & Danihelka 2014): addressing, reads and writes.

Memory M is (B, N, W): N slots of width W. A head emits, per step, a key k (B, W), a key strength
beta > 0, an interpolation gate g in [0, 1], a shift distribution s (B, K) over the K (odd)
shifts -(K-1)/2 .. (K-1)/2 and a sharpening exponent gamma >= 1. Its weighting w (B, N) is

    content      w_c[i] = softmax_i(beta K(k, M[i])),  K = cosine similarity (each norm clamped
                 below at 1e-8, as torch.nn.functional.cosine_similarity)
    gate         w_g = g w_c + (1 - g) w_prev
    shift        w~[i] = sum_k s[k] w_g[(i - (k - (K-1)/2)) mod N]     (circular convolution)
    sharpen      w[i] = w~[i]^gamma / sum_j w~[j]^gamma

A read returns r = sum_i w[i] M[i]; a write with erase e in [0, 1]^W and add a first erases then
adds: M'[i] = M[i] (1 - w[i] e) + w[i] a. All scalars per head are (B,) tensors.
"""

import torch
import torch.nn.functional as F
from torch import Tensor


def content_weights(memory: Tensor, key: Tensor, beta: Tensor) -> Tensor:
    """w_c (B, N) of memory (B, N, W), key (B, W) and key strength beta (B,)."""
    cos = F.cosine_similarity(memory, key.unsqueeze(1), dim=-1, eps=1e-8)  # (B, N)
    return F.softmax(beta.unsqueeze(1) * cos, dim=1)


def interpolate(w_content: Tensor, w_prev: Tensor, gate: Tensor) -> Tensor:
    """w_g (B, N) = g w_c + (1 - g) w_prev with the gate g (B,)."""
    g = gate.unsqueeze(1)
    return g * w_content + (1 - g) * w_prev


def circular_shift(w: Tensor, shift: Tensor) -> Tensor:
    """w~ (B, N): w (B, N) circularly convolved with the shift distribution (B, K), K odd.

    Raises:
        ValueError: when K is even.
    """
    k = shift.shape[1]
    if k % 2 == 0:
        raise ValueError(f"the number of shifts must be odd, got {k}")
    half = k // 2
    return sum((shift[:, j:j + 1] * torch.roll(w, j - half, dims=1) for j in range(k)),
               torch.zeros_like(w))


def sharpen(w: Tensor, gamma: Tensor) -> Tensor:
    """w (B, N) raised to gamma (B,) and renormalised over the slots."""
    powered = w ** gamma.unsqueeze(1)
    return powered / powered.sum(dim=1, keepdim=True)


def address(memory: Tensor, w_prev: Tensor, key: Tensor, beta: Tensor, gate: Tensor,
            shift: Tensor, gamma: Tensor) -> Tensor:
    """The head's new weighting (B, N): content, gate, shift and sharpen, in that order."""
    w = interpolate(content_weights(memory, key, beta), w_prev, gate)
    return sharpen(circular_shift(w, shift), gamma)


def read(memory: Tensor, w: Tensor) -> Tensor:
    """r (B, W) = sum_i w[i] M[i] for memory (B, N, W) and weighting w (B, N)."""
    return torch.einsum("bn,bnw->bw", w, memory)


def write(memory: Tensor, w: Tensor, erase: Tensor, add: Tensor) -> Tensor:
    """The new memory (B, N, W) after erasing with e (B, W) and adding a (B, W) under w (B, N);
    ``memory`` itself is not modified."""
    wi = w.unsqueeze(2)                                   # (B, N, 1)
    erased = memory * (1 - wi * erase.unsqueeze(1))
    return erased + wi * add.unsqueeze(1)
