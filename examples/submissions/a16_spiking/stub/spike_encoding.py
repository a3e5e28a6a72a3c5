"""Spike encodings: rate (Poisson), constant-current LIF, latency (first spike) and delta.

An encoder turns values x of shape S into a spike train of shape (T, *S), time first, with the
values 0 and 1 (delta encoding: -1, 0, 1) in x's dtype.
"""

import torch
from lif_neuron import lif_box_step
from torch import Tensor


def poisson_encode(
    x: Tensor, seq_length: int, *, f_max: float = 100.0, dt: float = 1e-3, seed: int = 0
) -> Tensor:
    """Rate coding: at every step a spike with probability p = f_max dt x (x in [0, 1]).

    The randomness comes from ``g = torch.Generator(device=x.device).manual_seed(seed)`` only
    (never the global generator), drawn in one call
    ``u = torch.rand((seq_length, *x.shape), generator=g, device=x.device)`` (float32), and the
    spike is ``u < f_max * dt * x``: the same seed gives the same train, as norse's
    ``poisson_encode(x, seq_length, f_max, dt, generator=g)`` does.

    Returns:
        (seq_length, *x.shape) spikes in x's dtype.
    """
    raise NotImplementedError('implement poisson_encode in spike_encoding.py')


def constant_current_lif_encode(
    x: Tensor,
    seq_length: int,
    *,
    tau_mem_inv: float = 100.0,
    v_th: float = 1.0,
    v_reset: float = 0.0,
    dt: float = 1e-3,
) -> Tensor:
    """Drive one box LIF neuron (``lif_box_step``, v_leak = 0, reset "zero") per value with the
    constant current x for ``seq_length`` steps, from v = 0, and return its spikes (norse's
    ``constant_current_lif_encode``). Larger currents fire more often.

    Returns:
        (seq_length, *x.shape) spikes.
    """
    raise NotImplementedError('implement constant_current_lif_encode in spike_encoding.py')


def first_spike_only(spikes: Tensor) -> Tensor:
    """Keep only the first spike of each neuron along time (norse's ``spike_latency_encode``).

    Args:
        spikes: (T, ...) in {0, 1}.

    Returns:
        (T, ...): 1 at the first step where each neuron spiked, 0 everywhere else (all 0 for a
        neuron that never spiked). The argument is not modified.
    """
    raise NotImplementedError('implement first_spike_only in spike_encoding.py')


def latency_encode(x: Tensor, seq_length: int, **lif: float) -> Tensor:
    """Latency coding: the constant-current LIF encoding of x (keywords ``lif``) with only its
    first spike kept, so a stronger input spikes *earlier* and exactly once (norse's
    ``spike_latency_lif_encode``).

    Returns:
        (seq_length, *x.shape) with at most one spike per value.
    """
    raise NotImplementedError('implement latency_encode in spike_encoding.py')


def spike_times(spikes: Tensor) -> Tensor:
    """The step index of each neuron's first spike, T (the sequence length) where there is none.

    Args:
        spikes: (T, ...).

    Returns:
        (...) int64.
    """
    raise NotImplementedError('implement spike_times in spike_encoding.py')


def delta_encode(signal: Tensor, threshold: float) -> Tensor:
    """Delta (send-on-change) coding, as an event camera's pixel does on one signal.

    Each channel keeps a reference r, first r = signal[0], and out[0] = 0. At step t >= 1 with
    d = signal[t] - r: if d >= threshold, out[t] = +1 and r = signal[t]; if d <= -threshold,
    out[t] = -1 and r = signal[t]; otherwise out[t] = 0 and r is kept. (So a slow drift still
    fires once it has accumulated a threshold's worth of change.)

    Args:
        signal: (T, ...). threshold: > 0, else ValueError.

    Returns:
        (T, ...) in {-1, 0, 1}, signal's dtype.
    """
    raise NotImplementedError('implement delta_encode in spike_encoding.py')
