"""Graded: rate, latency and delta encodings against norse and statistics (part "encoding", 15)."""

import numpy as np
import pytest
import torch
from norse.torch.functional import encode as norse_encode
from norse.torch.functional.lif import LIFParameters

from autograder.testing import StudentError, assert_close, part, points


def t64(values, device: str) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values), dtype=torch.float64, device=device)


def norse_p(device: str, **kw: float) -> LIFParameters:
    return LIFParameters(**{k: t64(v, device) for k, v in kw.items()}, method="heaviside")


@part("encoding")
@points(4)
def test_poisson_matches_norse(student, rng, device):
    """poisson_encode draws from its own generator seeded with `seed` exactly as norse's
    poisson_encode(..., generator=g) does: the same spikes for the same seed, call after call."""
    x = torch.as_tensor(rng.random((6, 9)), dtype=torch.float32, device=device)
    for seed, f_max in ((0, 300.0), (11, 650.0)):
        want = norse_encode.poisson_encode(
            x, 25, f_max=f_max, generator=torch.Generator(device=device).manual_seed(seed))
        got = student.spike_encoding.poisson_encode(x, 25, f_max=f_max, seed=seed)
        assert_close(got, want, name=f"spikes (seed {seed})")
        again = student.spike_encoding.poisson_encode(x, 25, f_max=f_max, seed=seed)
        assert_close(again, got, name="a second call with the same seed")


@part("encoding")
@points(3)
def test_poisson_statistics(student, rng, device):
    """Each value x spikes with probability f_max dt x per step (binomial counts within 5 sigma),
    x = 0 never spikes, f_max dt x = 1 always does; the output is (T, *x.shape) in x's dtype."""
    x = t64(np.concatenate([rng.random(12), [0.0, 1.0]]), device).reshape(2, 7)
    steps, f_max, dt = 3000, 200.0, 5e-3
    spikes = student.spike_encoding.poisson_encode(x, steps, f_max=f_max, dt=dt, seed=3)
    assert tuple(spikes.shape) == (steps, 2, 7), "poisson_encode returns (T, *x.shape)"
    assert spikes.dtype == torch.float64, "spikes keep x's dtype"
    p = (f_max * dt * x).clamp(max=1.0).cpu().numpy()
    counts = spikes.sum(0).cpu().numpy()
    sigma = np.sqrt(steps * p * (1 - p)) + 1e-9
    assert np.all(np.abs(counts - steps * p) <= 5 * sigma + 1e-9), (
        "spike counts are far from the rate f_max * dt * x")
    assert set(np.unique(spikes.cpu().numpy())) <= {0.0, 1.0}, "spikes are 0 or 1"


@part("encoding")
@points(4)
def test_lif_encoders_match_norse(student, rng, device):
    """constant_current_lif_encode, latency_encode and first_spike_only match norse's
    constant_current_lif_encode, spike_latency_lif_encode and spike_latency_encode."""
    x = t64(rng.uniform(0.0, 4.0, (5, 6)), device)
    kw = {"tau_mem_inv": 80.0, "v_th": 0.7, "v_reset": -0.1}
    p = norse_p(device, **kw)
    enc = student.spike_encoding
    assert_close(enc.constant_current_lif_encode(x, 40, **kw),
                 norse_encode.constant_current_lif_encode(x, 40, p=p), name="constant current")
    assert_close(enc.latency_encode(x, 40, **kw),
                 norse_encode.spike_latency_lif_encode(x, 40, p=p), name="latency_encode")
    trains = t64(rng.random((30, 4, 5)) < 0.15, device)
    assert_close(enc.first_spike_only(trains), norse_encode.spike_latency_encode(trains),
                 name="first_spike_only")


@part("encoding")
@points(2)
def test_spike_times_analytic(student, rng, device):
    """spike_times(latency_encode(I)) is the first step k with I (1 - (1 - dt/tau)^k) > v_th
    (index k - 1), or T for currents that never reach threshold."""
    current = np.concatenate([rng.uniform(1.05, 5.0, 20), [0.5, 1.0]])
    steps = 80
    got = student.spike_encoding.spike_times(
        student.spike_encoding.latency_encode(t64(current, device), steps, tau_mem_inv=100.0))
    decay = 1 - 1e-3 * 100.0
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.ceil(np.log(1 - 1.0 / current) / np.log(decay))
    want = np.where(current > 1.0, np.minimum(k - 1, steps), steps)
    assert str(got.dtype) == "torch.int64", "spike_times returns int64 step indices"
    assert_close(got, want, name="first spike step")
    trains = (rng.uniform(size=(6, 4, 3)) < 0.2).astype(float)  # (T, B, N) with T != B
    want = np.where(trains.any(0), trains.argmax(0), 6)
    got = student.spike_encoding.spike_times(t64(trains, device))
    assert_close(got, want, name="first spike step of (T, B, N) trains")


def delta_reference(signal: np.ndarray, threshold: float) -> np.ndarray:
    ref, out = signal[0].copy(), np.zeros_like(signal)
    for t in range(1, len(signal)):
        d = signal[t] - ref
        out[t] = (d >= threshold).astype(float) - (d <= -threshold)
        ref = np.where(np.abs(d) >= threshold, signal[t], ref)
    return out


@part("encoding")
@points(2)
def test_delta_encode(student, rng, device):
    """delta_encode emits +1/-1 when the signal has moved by the threshold since the last event
    (random walks, a slow ramp that must accumulate, a jump at the first step, changes of
    exactly the threshold, a single step); threshold <= 0 raises."""
    walk = np.cumsum(rng.normal(0, 0.3, (50, 3, 2)), axis=0)
    got = student.spike_encoding.delta_encode(t64(walk, device), 0.5)
    assert_close(got, delta_reference(walk, 0.5), name="delta events of random walks")
    ramp = np.arange(40, dtype=float)[:, None] * np.array([0.15, -0.15, 0.0])
    got = student.spike_encoding.delta_encode(t64(ramp, device), 1.0).cpu().numpy()
    assert list(np.abs(got).sum(0)) == [5.0, 5.0, 0.0], (
        "a slow ramp should fire once per threshold's worth of change, a constant never")
    assert_close(student.spike_encoding.delta_encode(t64([[2.0]], device), 1.0), [[0.0]],
                 name="a single step")
    exact = np.array([[0.0, 0.0], [0.5, -0.5], [0.75, -0.75], [1.0, -1.0], [1.0, -1.0]])
    got = student.spike_encoding.delta_encode(t64(exact, device), 0.5)  # binary fractions: exact
    assert_close(got, delta_reference(exact, 0.5),
                 name="events at the first step and for changes of exactly the threshold")
    with pytest.raises(StudentError) as raised:
        student.spike_encoding.delta_encode(t64(walk, device), 0.0)
    assert raised.value.type_name == "ValueError", "threshold 0 should raise ValueError"
