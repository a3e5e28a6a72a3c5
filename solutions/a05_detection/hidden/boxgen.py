"""Random boxes for the graded tests: float64 xyxy, drawn from the test's numpy Generator."""

import numpy as np
import torch


def random_boxes(rng: np.random.Generator, n: int, *, extent: float = 60.0, max_size: float = 30.0,
                 min_size: float = 0.5) -> torch.Tensor:
    """(n, 4) float64 xyxy boxes with corners in [0, extent] and sides in [min_size, max_size]."""
    xy = rng.uniform(0.0, extent, size=(n, 2))
    wh = rng.uniform(min_size, max_size, size=(n, 2))
    return torch.from_numpy(np.concatenate([xy, xy + wh], axis=1))


def degenerate_boxes(rng: np.random.Generator, n: int) -> torch.Tensor:
    """(n, 4) boxes of zero width, zero height or both (lines and points)."""
    boxes = random_boxes(rng, n)
    kind = np.arange(n) % 3
    boxes[kind == 0, 2] = boxes[kind == 0, 0]
    boxes[kind == 1, 3] = boxes[kind == 1, 1]
    boxes[kind == 2, 2:] = boxes[kind == 2, :2]
    return boxes
