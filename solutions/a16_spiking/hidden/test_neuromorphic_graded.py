"""Graded: event frames, voxel grids, event-stream classification and the cost of spikes
(part "neuromorphic", 15 points)."""

import numpy as np
import torch

from autograder.testing import assert_close, part, points
from dnn.events import moving_shapes


def random_events(rng: np.random.Generator, n: int, h: int, w: int, t_max: float = 0.05):
    t = np.sort(rng.uniform(0.0, t_max, n))
    return np.stack([t, rng.integers(0, w, n), rng.integers(0, h, n), rng.integers(0, 2, n)],
                    axis=1).astype(np.float64)


def histogram(events: np.ndarray, n_bins: int, h: int, w: int, t0: float, t1: float):
    """np.histogramdd over (t, p, y, x): half-open bins, the last one closed."""
    edges = [np.linspace(t0, t1, n_bins + 1), np.arange(3) - 0.5, np.arange(h + 1) - 0.5,
             np.arange(w + 1) - 0.5]
    counts, _ = np.histogramdd(events[:, [0, 3, 2, 1]], bins=edges)
    return counts


@part("neuromorphic")
@points(4)
def test_events_to_frames(student, rng):
    """events_to_frames counts events per (bin, polarity, y, x) as np.histogramdd does, over the
    events' own span or a given [t_start, t_end] (events outside dropped); no events gives zeros,
    and events that all share one time stamp fall in bin 0."""
    ev = random_events(rng, 400, 5, 7)
    got = student.event_data.events_to_frames(ev, 6, 5, 7)
    assert_close(got, histogram(ev, 6, 5, 7, ev[0, 0], ev[-1, 0]), name="frames")
    got = student.event_data.events_to_frames(ev, 4, 5, 7, t_start=0.01, t_end=0.04)
    assert_close(got, histogram(ev, 4, 5, 7, 0.01, 0.04), name="frames over [0.01, 0.04]")
    empty = student.event_data.events_to_frames(np.zeros((0, 4)), 3, 2, 2)
    assert_close(empty, np.zeros((3, 2, 2, 2)), name="frames of no events")
    same = ev[:10].copy()
    same[:, 0] = 0.02
    got = student.event_data.events_to_frames(same, 3, 5, 7)
    want = np.zeros((3, 2, 5, 7))
    np.add.at(want, (0, same[:, 3].astype(int), same[:, 2].astype(int), same[:, 1].astype(int)), 1)
    assert_close(got, want, name="frames of events at one instant")


@part("neuromorphic")
@points(3)
def test_voxel_grid(student, rng):
    """events_to_voxel_grid spreads +1 (ON) / -1 (OFF) over the two nearest of the bins
    (n_bins - 1)(t - t0) / (t1 - t0), as Zhu et al. (2019) do; no events gives zeros."""
    ev = random_events(rng, 300, 4, 6)
    n_bins = 5
    t_star = (n_bins - 1) * (ev[:, 0] - ev[0, 0]) / (ev[-1, 0] - ev[0, 0])
    want = np.zeros((n_bins, 4, 6))
    for (_, x, y, p), ts in zip(ev, t_star, strict=True):
        for b in range(n_bins):
            want[b, int(y), int(x)] += (2 * p - 1) * max(0.0, 1 - abs(b - ts))
    got = student.event_data.events_to_voxel_grid(ev, n_bins, 4, 6)
    assert_close(got, want, rtol=1e-10, atol=1e-12, name="voxel grid")
    assert_close(student.event_data.events_to_voxel_grid(np.zeros((0, 4)), 2, 3, 3),
                 np.zeros((2, 3, 3)), name="voxel grid of no events")
    same = ev[:12].copy()
    same[:, 0] = 0.02  # one instant: t* = 0, every event in bin 0
    want = np.zeros((n_bins, 4, 6))
    np.add.at(want, (0, same[:, 2].astype(int), same[:, 1].astype(int)), 2 * same[:, 3] - 1)
    assert_close(student.event_data.events_to_voxel_grid(same, n_bins, 4, 6), want,
                 name="voxel grid of events at one instant")


@part("neuromorphic")
@points(2)
def test_streams_to_tensor(student, rng):
    """streams_to_tensor stacks each stream's frames over [0, duration], time first, each frame
    flattened in (p, y, x) order."""
    streams = [random_events(rng, int(n), 4, 4, 0.1) for n in (50, 0, 80)]
    got = student.event_data.streams_to_tensor(streams, 5, 4, 0.1)
    assert tuple(got.shape) == (5, 3, 32), "streams_to_tensor returns (n_bins, N, 2 size^2)"
    for k, ev in enumerate(streams):
        want = histogram(ev, 5, 4, 4, 0.0, 0.1).reshape(5, 32)
        assert_close(got[:, k], want, name=f"stream {k}")


@part("neuromorphic")
@points(3)
def test_event_classifier(student, reference, device):
    """train_event_classifier learns the direction of motion of DVS streams (dnn.events): 85%
    accuracy on held-out streams, with the handout's SpikingMLP (one output per class)."""
    train, y_train = moving_shapes(240, seed=1)
    test, y_test = moving_shapes(100, seed=2)
    model = student.event_data.train_event_classifier(train, y_train, seed=0)
    want = reference.event_data.train_event_classifier(train, y_train, seed=0, epochs=0)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == {k: tuple(v.shape) for k, v in want.state_dict().items()}, (
        "the classifier's parameters differ from SpikingMLP(2 size^2, hidden, classes)'s")
    pred = np.asarray(student.event_data.predict_events(model, test))
    accuracy = float((pred == y_test).mean())
    assert accuracy >= 0.85, f"test accuracy {accuracy:.2f} is below 0.85"


@part("neuromorphic")
@points(3)
def test_synops_macs_energy(student, rng, device):
    """synaptic_operations counts input spikes times fan-out per sample; ann_macs sums n_l n_(l+1);
    energy_estimate prices them at e_ac and e_mac and gives the ANN/SNN ratio."""
    inputs = [torch.as_tensor(rng.random((20, 4, 30)) < 0.1, dtype=torch.float32, device=device),
              torch.as_tensor(rng.random((20, 4, 16)) < 0.2, dtype=torch.float32, device=device)]
    want = (float(inputs[0].sum()) * 16 + float(inputs[1].sum()) * 10) / 4
    assert_close(student.event_data.synaptic_operations(inputs, [16, 10]), want, rtol=1e-9,
                 name="SynOps")
    assert student.event_data.ann_macs([30, 16, 10]) == 30 * 16 + 16 * 10, "ann_macs of 30-16-10"
    assert student.event_data.ann_macs([7]) == 0, "a network without layers has no MACs"
    energy = student.event_data.energy_estimate(1000.0, 640.0)
    assert set(energy) == {"snn", "ann", "ratio"}, "energy_estimate returns snn, ann and ratio"
    assert_close([energy["snn"], energy["ann"], energy["ratio"]],
                 [0.9e-9, 640 * 4.6e-12, 640 * 4.6 / 900], rtol=1e-9, name="energies")
    energy = student.event_data.energy_estimate(10.0, 5.0, e_ac=1e-12, e_mac=3e-12)
    assert_close(energy["ratio"], 1.5, rtol=1e-9, name="ratio with given energies")
    energy = student.event_data.energy_estimate(0.0, 5.0)
    assert energy["snn"] == 0.0 and energy["ratio"] == float("inf"), (
        "a silent network (no SynOps) costs 0 and its ratio is inf")
