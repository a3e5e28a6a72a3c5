"""Event data and costs (alternative submission)."""

import numpy as np
import torch
from snn_models import SpikingMLP, predict, train_snn
from torch import Tensor


def events_to_frames(events: np.ndarray, n_bins: int, height: int, width: int, *,
                     t_start: float | None = None, t_end: float | None = None) -> np.ndarray:
    out = np.zeros((n_bins, 2, height, width), dtype=np.float64)
    if events.shape[0] == 0:
        return out
    t = events[:, 0]
    lo = t.min() if t_start is None else t_start
    hi = t.max() if t_end is None else t_end
    sel = events[(t >= lo) & (t <= hi)]
    if hi > lo:
        bins = ((sel[:, 0] - lo) / (hi - lo) * n_bins).astype(np.int64)
        bins = np.minimum(bins, n_bins - 1)
    else:
        bins = np.zeros(len(sel), dtype=np.int64)
    flat = np.ravel_multi_index((bins, sel[:, 3].astype(np.int64), sel[:, 2].astype(np.int64),
                                 sel[:, 1].astype(np.int64)), out.shape)
    out.reshape(-1)[:] = np.bincount(flat, minlength=out.size)
    return out


def events_to_voxel_grid(events: np.ndarray, n_bins: int, height: int, width: int) -> np.ndarray:
    grid = np.zeros((n_bins, height, width))
    if not len(events):
        return grid
    t = events[:, 0]
    scaled = np.zeros(len(t)) if t.max() == t.min() else (n_bins - 1) * (t - t.min()) / (t.max() - t.min())
    value = np.where(events[:, 3] > 0, 1.0, -1.0)
    low = np.floor(scaled).astype(int)
    frac = scaled - low
    xs, ys = events[:, 1].astype(int), events[:, 2].astype(int)
    np.add.at(grid, (low, ys, xs), value * (1 - frac))
    upper = low + 1 < n_bins
    np.add.at(grid, (low[upper] + 1, ys[upper], xs[upper]), value[upper] * frac[upper])
    return grid


def streams_to_tensor(streams: list[np.ndarray], n_bins: int, size: int, duration: float) -> Tensor:
    out = torch.zeros(n_bins, len(streams), 2 * size * size)
    for k, ev in enumerate(streams):
        frames = events_to_frames(ev, n_bins, size, size, t_start=0.0, t_end=duration)
        out[:, k] = torch.from_numpy(frames.reshape(n_bins, -1)).float()
    return out


def train_event_classifier(streams: list[np.ndarray], labels: np.ndarray, *, n_bins: int = 8,
                           size: int = 16, duration: float = 0.1, hidden: int = 32,
                           epochs: int = 4, lr: float = 1e-2, seed: int = 0) -> SpikingMLP:
    torch.manual_seed(seed)
    inputs = streams_to_tensor(streams, n_bins, size, duration)
    net = SpikingMLP(2 * size * size, hidden, int(np.max(labels)) + 1)
    train_snn(net, inputs, torch.from_numpy(np.asarray(labels)).long(), epochs=epochs, lr=lr,
              batch_size=32, seed=seed)
    return net


def predict_events(model: SpikingMLP, streams: list[np.ndarray], *, n_bins: int = 8,
                   size: int = 16, duration: float = 0.1) -> np.ndarray:
    return predict(model, streams_to_tensor(streams, n_bins, size, duration)).cpu().numpy()


def synaptic_operations(layer_inputs: list[Tensor], fan_out: list[int]) -> float:
    if len(layer_inputs) != len(fan_out):
        raise ValueError("one fan-out per layer")
    return float(sum((s.sum() / s.shape[1]).item() * f for s, f in zip(layer_inputs, fan_out)))


def ann_macs(layer_sizes: list[int]) -> int:
    total = 0
    for k in range(len(layer_sizes) - 1):
        total += layer_sizes[k] * layer_sizes[k + 1]
    return total


def energy_estimate(synops: float, macs: float, *, e_ac: float = 0.9e-12,
                    e_mac: float = 4.6e-12) -> dict[str, float]:
    snn_energy = e_ac * synops
    ann_energy = e_mac * macs
    ratio = float("inf") if snn_energy == 0 else ann_energy / snn_energy
    return {"snn": snn_energy, "ann": ann_energy, "ratio": ratio}
