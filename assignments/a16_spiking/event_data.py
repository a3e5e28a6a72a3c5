"""Neuromorphic event data: binning event streams, classifying them, and what spikes cost.

Events are (N, 4) float64 rows (t, x, y, p): time in seconds, column, row, polarity p in {0, 1}
(OFF, ON), as ``dnn.events`` generates them. A frame tensor is (n_bins, 2, H, W) with channel 0
counting OFF and channel 1 counting ON events.
"""

import numpy as np
import torch
from snn_models import SpikingMLP, predict, train_snn
from torch import Tensor


def _time_span(events: np.ndarray, t_start: float | None, t_end: float | None
               ) -> tuple[float, float]:
    """(t0, t1): the given bounds, else the first and last event times (0, 0 when empty)."""
    if len(events) == 0:
        return (t_start or 0.0), (t_end or 0.0)
    t0 = float(events[:, 0].min()) if t_start is None else t_start
    t1 = float(events[:, 0].max()) if t_end is None else t_end
    return t0, t1


def events_to_frames(
    events: np.ndarray, n_bins: int, height: int, width: int, *,
    t_start: float | None = None, t_end: float | None = None,
) -> np.ndarray:
    """Event counts per time bin, polarity and pixel.

    With t0 = t_start (default: the first event's time) and t1 = t_end (default: the last's),
    events with t outside [t0, t1] are dropped; the others fall in bin
    b = floor((t - t0) / (t1 - t0) * n_bins), with b = n_bins - 1 for t = t1 (bins are half-open,
    the last one closed), and b = 0 for all when t1 == t0. No events: all zeros.

    Returns:
        (n_bins, 2, height, width) float64 counts; frames[b, p, y, x].
    """
    raise NotImplementedError('implement events_to_frames in event_data.py')


def events_to_voxel_grid(
    events: np.ndarray, n_bins: int, height: int, width: int
) -> np.ndarray:
    """The voxel grid of Zhu et al. (2019): polarity spread linearly over the two nearest bins.

    With t0, t1 the first and last event times, t* = (n_bins - 1)(t - t0) / (t1 - t0) (t* = 0 when
    t1 == t0) and s = +1 for ON, -1 for OFF, every event adds
    s max(0, 1 - |b - t*|) to V[b, y, x] for each bin b.

    Returns:
        (n_bins, height, width) float64; all zeros for no events.
    """
    raise NotImplementedError('implement events_to_voxel_grid in event_data.py')


def streams_to_tensor(
    streams: list[np.ndarray], n_bins: int, size: int, duration: float
) -> Tensor:
    """Frames of every stream over the common window [0, duration], as an SNN's input.

    Returns:
        (n_bins, N, 2 * size * size) float32: time first, each frame flattened (p, y, x).
    """
    raise NotImplementedError('implement streams_to_tensor in event_data.py')


def train_event_classifier(
    streams: list[np.ndarray], labels: np.ndarray, *, n_bins: int = 8, size: int = 16,
    duration: float = 0.1, hidden: int = 32, epochs: int = 4, lr: float = 1e-2, seed: int = 0,
) -> SpikingMLP:
    """Classify event streams (e.g. direction of motion): ``torch.manual_seed(seed)``, then a
    ``SpikingMLP(2 size^2, hidden, labels.max() + 1)`` trained with ``train_snn`` (batch 32) on
    ``streams_to_tensor(streams, n_bins, size, duration)``. Returns the model in eval mode."""
    raise NotImplementedError('implement train_event_classifier in event_data.py')


def predict_events(model: SpikingMLP, streams: list[np.ndarray], *, n_bins: int = 8,
                   size: int = 16, duration: float = 0.1) -> np.ndarray:
    """(N,) int64 predicted classes of the streams (``predict`` on their frames)."""
    raise NotImplementedError('implement predict_events in event_data.py')


def synaptic_operations(layer_inputs: list[Tensor], fan_out: list[int]) -> float:
    """Synaptic operations (SynOps) per sample: every spike into layer l is one accumulate at each
    of the layer's fan_out[l] targets, so SynOps = sum_l (sum of layer_inputs[l]) fan_out[l] / B.

    Args:
        layer_inputs: per layer, the spikes (T, B, ...) that enter it; fan_out: per layer, the
            number of synapses leaving each input neuron (n_out for a Linear layer).

    Returns:
        mean SynOps per sample (a float).
    """
    raise NotImplementedError('implement synaptic_operations in event_data.py')


def ann_macs(layer_sizes: list[int]) -> int:
    """Multiply-accumulates of one forward pass of the MLP with these layer widths
    [n_0, ..., n_L] on one sample: sum_l n_l n_(l+1) (biases not counted)."""
    raise NotImplementedError('implement ann_macs in event_data.py')


def energy_estimate(synops: float, macs: float, *, e_ac: float = 0.9e-12,
                    e_mac: float = 4.6e-12) -> dict[str, float]:
    """Energy of the SNN (SynOps x e_ac, an accumulate) and of the ANN (MACs x e_mac, a multiply-
    accumulate), in joules; the default per-operation energies are 32-bit float figures in 45 nm
    CMOS (Horowitz 2014).

    Returns:
        {"snn": joules, "ann": joules, "ratio": ann / snn} (ratio inf when snn is 0).
    """
    raise NotImplementedError('implement energy_estimate in event_data.py')
