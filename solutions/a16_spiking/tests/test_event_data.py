"""Event frames and voxel grids on hand-made events; SynOps and MACs."""

import numpy as np
import torch
from event_data import (
    ann_macs,
    energy_estimate,
    events_to_frames,
    events_to_voxel_grid,
    synaptic_operations,
)

EVENTS = np.array([[0.0, 0, 0, 1], [0.5, 1, 0, 0], [1.0, 1, 1, 1], [1.0, 1, 1, 1]])


def test_frames() -> None:
    frames = events_to_frames(EVENTS, 2, 2, 2)
    assert frames.shape == (2, 2, 2, 2)
    assert frames[0, 1, 0, 0] == 1 and frames[1, 0, 0, 1] == 1 and frames[1, 1, 1, 1] == 2
    assert frames.sum() == 4
    assert events_to_frames(np.zeros((0, 4)), 3, 2, 2).sum() == 0


def test_voxel_grid() -> None:
    grid = events_to_voxel_grid(EVENTS, 3, 2, 2)
    assert grid[0, 0, 0] == 1 and grid[1, 0, 1] == -1 and grid[2, 1, 1] == 2
    assert np.abs(grid).sum() == 4


def test_costs() -> None:
    spikes = [torch.ones(5, 2, 3), torch.zeros(5, 2, 4)]
    assert synaptic_operations(spikes, [4, 2]) == 5 * 3 * 4
    assert ann_macs([3, 4, 2]) == 20
    energy = energy_estimate(100.0, 100.0)
    assert abs(energy["ratio"] - 4.6 / 0.9) < 1e-9
