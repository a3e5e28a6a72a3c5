"""NTM addressing, reads and writes (written from the handout), with explicit broadcasting."""

import torch
from torch import Tensor


def content_weights(memory: Tensor, key: Tensor, beta: Tensor) -> Tensor:
    """softmax(beta cos(k, M_i))."""
    dots = torch.bmm(memory, key[:, :, None])[:, :, 0]                  # (B, N)
    m_norm = memory.norm(dim=2).clamp_min(1e-8)
    k_norm = key.norm(dim=1, keepdim=True).clamp_min(1e-8)
    return torch.softmax(beta[:, None] * dots / (m_norm * k_norm), dim=1)


def interpolate(w_content: Tensor, w_prev: Tensor, gate: Tensor) -> Tensor:
    """g w_c + (1 - g) w_prev."""
    return w_prev + gate[:, None] * (w_content - w_prev)


def circular_shift(w: Tensor, shift: Tensor) -> Tensor:
    """Circular convolution by gathering indices."""
    n, k = w.shape[1], shift.shape[1]
    if k % 2 != 1:
        raise ValueError("K must be odd")
    offsets = torch.arange(k, device=w.device) - (k - 1) // 2            # (K,)
    slots = torch.arange(n, device=w.device)
    src = (slots[:, None] - offsets[None, :]) % n                         # (N, K)
    return (w[:, src] * shift[:, None, :]).sum(dim=2)


def sharpen(w: Tensor, gamma: Tensor) -> Tensor:
    """w^gamma renormalised."""
    p = torch.pow(w, gamma[:, None])
    return p / torch.sum(p, dim=1, keepdim=True)


def address(memory: Tensor, w_prev: Tensor, key: Tensor, beta: Tensor, gate: Tensor,
            shift: Tensor, gamma: Tensor) -> Tensor:
    """Content, gate, shift, sharpen."""
    w_c = content_weights(memory, key, beta)
    w_g = interpolate(w_c, w_prev, gate)
    w_s = circular_shift(w_g, shift)
    return sharpen(w_s, gamma)


def read(memory: Tensor, w: Tensor) -> Tensor:
    """sum_i w_i M_i."""
    return torch.bmm(w[:, None, :], memory)[:, 0, :]


def write(memory: Tensor, w: Tensor, erase: Tensor, add: Tensor) -> Tensor:
    """Erase then add."""
    keep = 1 - torch.bmm(w[:, :, None], erase[:, None, :])
    return memory * keep + torch.bmm(w[:, :, None], add[:, None, :])
