"""Synthetic event-camera streams: moving shapes seen by a dynamic vision sensor (DVS) model.

A video of a bright square moving over a dark, slightly textured background is rendered frame by
frame; every pixel keeps a reference log intensity and emits an event each time its log
intensity has changed by the contrast threshold C since its last event (ON, polarity 1, for an
increase; OFF, polarity 0, for a decrease), as a DVS pixel does (Lichtsteiner, Posch & Delbruck
2008; the model of the ESIM and v2e simulators, without noise or refractoriness). The label of a
stream is the direction of motion: 0 right, 1 left, 2 down, 3 up.

Events are a float64 array (N, 4) of rows (t, x, y, p): t in seconds, sorted ascending; x the
column and y the row (integers as floats); p in {0, 1}.
"""

from __future__ import annotations

import numpy as np

DIRECTIONS = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])  # (dx, dy) per label


def render_square(size: int, centre: np.ndarray, half: float, texture: np.ndarray) -> np.ndarray:
    """(size, size) intensities in (0, 1]: a soft-edged bright square on the textured background."""
    coords = np.arange(size) + 0.5
    dx = np.abs(coords[None, :] - centre[0]) - half
    dy = np.abs(coords[:, None] - centre[1]) - half
    inside = 1.0 / (1.0 + np.exp(4.0 * np.maximum(dx, dy)))  # soft edge one pixel wide
    return texture + (1.0 - texture) * 0.9 * inside


def video_to_events(frames: np.ndarray, times: np.ndarray, threshold: float) -> np.ndarray:
    """DVS events of a video (K, H, W) taken at ``times`` (K,), contrast ``threshold`` C.

    Between frames k-1 and k, a pixel whose log intensity is n C above (below) its reference emits
    n ON (OFF) events at times spread evenly over (t_{k-1}, t_k], and its reference moves n C.
    """
    log_i = np.log(frames)
    ref = log_i[0].copy()
    chunks = []
    for k in range(1, len(frames)):
        diff = log_i[k] - ref
        counts = np.floor(np.abs(diff) / threshold).astype(int)
        ys, xs = np.nonzero(counts)
        n = counts[ys, xs]
        # event j (1..n) of a pixel with n events falls at t_{k-1} + (t_k - t_{k-1}) j / n
        j = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + 1
        ts = times[k - 1] + (times[k] - times[k - 1]) * j / np.repeat(n, n)
        polarity = np.repeat((diff[ys, xs] > 0).astype(np.float64), n)
        chunks.append(np.stack([ts, np.repeat(xs, n), np.repeat(ys, n), polarity], axis=1))
        ref += np.sign(diff) * counts * threshold
    events = np.concatenate(chunks).astype(np.float64) if chunks else np.zeros((0, 4))
    return events[np.argsort(events[:, 0], kind="stable")]


def moving_shapes(
    n: int, *, size: int = 16, frames: int = 12, duration: float = 0.1, threshold: float = 0.25,
    seed: int = 0,
) -> tuple[list[np.ndarray], np.ndarray]:
    """``n`` event streams of a square moving in one of four directions, and their labels (n,).

    Each stream: a square of half-width 2.5 to 3.5 pixels starting near the centre moves 5 to 7
    pixels in its direction over ``duration`` seconds, rendered at ``frames`` instants.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, size=n)
    times = np.linspace(0.0, duration, frames)
    streams = []
    for label in labels:
        texture = 0.1 + 0.05 * rng.random((size, size))
        half = rng.uniform(2.5, 3.5)
        start = size / 2 + rng.uniform(-1.5, 1.5, size=2) - DIRECTIONS[label] * 3.0
        travel = rng.uniform(5.0, 7.0)
        video = np.stack([render_square(size, start + DIRECTIONS[label] * travel * s, half, texture)
                          for s in np.linspace(0.0, 1.0, frames)])
        streams.append(video_to_events(video, times, threshold))
    return streams, labels
