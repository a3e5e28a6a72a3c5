"""Spike encodings (alternative submission)."""

import torch
from torch import Tensor


def poisson_encode(x: Tensor, seq_length: int, *, f_max: float = 100.0, dt: float = 1e-3,
                   seed: int = 0) -> Tensor:
    gen = torch.Generator(device=x.device)
    gen.manual_seed(seed)
    draws = torch.rand((seq_length, *x.shape), generator=gen, device=x.device)
    probability = x * (f_max * dt)
    return torch.where(draws < probability, 1.0, 0.0).to(x.dtype)


def constant_current_lif_encode(x: Tensor, seq_length: int, *, tau_mem_inv: float = 100.0,
                                v_th: float = 1.0, v_reset: float = 0.0, dt: float = 1e-3
                                ) -> Tensor:
    out = x.new_zeros((seq_length, *x.shape))
    v = x.new_zeros(x.shape)
    k = dt * tau_mem_inv
    for t in range(seq_length):
        v = v + k * (x - v)
        fired = v > v_th
        out[t] = fired.to(x.dtype)
        v = torch.where(fired, torch.full_like(v, v_reset), v)
    return out


def first_spike_only(spikes: Tensor) -> Tensor:
    out = torch.zeros_like(spikes)
    seen = torch.zeros_like(spikes[0], dtype=torch.bool) if spikes.shape[0] else None
    for t in range(spikes.shape[0]):
        now = (spikes[t] > 0) & ~seen
        out[t] = now.to(spikes.dtype)
        seen = seen | now
    return out


def latency_encode(x: Tensor, seq_length: int, **lif: float) -> Tensor:
    return first_spike_only(constant_current_lif_encode(x, seq_length, **lif))


def spike_times(spikes: Tensor) -> Tensor:
    any_spike = (spikes > 0).any(dim=0)
    first = (spikes > 0).to(torch.int64).argmax(dim=0)
    return torch.where(any_spike, first, torch.full_like(first, spikes.shape[0]))


def delta_encode(signal: Tensor, threshold: float) -> Tensor:
    if not threshold > 0:
        raise ValueError("threshold must be > 0")
    events = []
    reference = signal[0]
    events.append(torch.zeros_like(signal[0]))
    for t in range(1, len(signal)):
        change = signal[t] - reference
        up = change >= threshold
        down = change <= -threshold
        events.append(up.to(signal.dtype) - down.to(signal.dtype))
        reference = torch.where(up | down, signal[t], reference)
    return torch.stack(events)
