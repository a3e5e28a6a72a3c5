"""Temporal tasks for spiking networks, as spike trains (T, N, channels), time first.

``delayed_cue``: a store-and-recall task. Channel 0 or channel 1 (the label) fires at a high rate
during a short cue window at the start; then ``delay`` silent steps follow (longer than any
membrane or synaptic time constant of the network); then channel 2, the "go" signal, fires for
``go`` steps and the network must answer which channel the cue came on. All three channels also
fire at a low background rate throughout; each channel is a population of
``population`` independent inputs, so no step is silent by accident. A network without a
memory longer than the delay answers at chance (50%).
"""

from __future__ import annotations

import numpy as np
import torch


def delayed_cue(
    n: int, *, cue: int = 5, delay: int = 20, go: int = 5, rate: float = 0.8,
    background: float = 0.02, population: int = 8, seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` trials: spikes (cue + delay + go, n, 3 population) float32 in {0, 1}, labels (n,)
    int64."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    steps = cue + delay + go
    prob = np.full((steps, n, 3), background)
    prob[:cue, np.arange(n), labels] = rate
    prob[cue + delay:, :, 2] = rate
    prob = np.repeat(prob, population, axis=2)  # channel c is a block of `population` inputs
    spikes = (rng.random(prob.shape) < prob).astype(np.float32)
    return torch.from_numpy(spikes), torch.from_numpy(labels.astype(np.int64))
