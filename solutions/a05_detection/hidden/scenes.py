"""Random detection scenes for the evaluation tests: ground truth and noisy detections."""

import numpy as np
import torch
from boxgen import random_boxes


def scene(rng: np.random.Generator, n_gt: int, n_classes: int, *, crowd_rate: float = 0.0,
          n_false: int = 3) -> tuple[dict, dict]:
    """One image: (prediction, target) dicts of tensors. Detections are jittered copies of the
    ground truth (some missed, some doubled) plus ``n_false`` random boxes; scores distinct."""
    gt = random_boxes(rng, n_gt, extent=80.0, min_size=6.0)
    labels = torch.from_numpy(rng.integers(0, n_classes, size=n_gt))
    crowd = torch.from_numpy(rng.uniform(size=n_gt) < crowd_rate)
    keep = rng.uniform(size=n_gt) < 0.85
    doubled = rng.uniform(size=n_gt) < 0.3
    source = np.concatenate([np.flatnonzero(keep), np.flatnonzero(doubled)])
    det = gt[source] + torch.from_numpy(rng.normal(0.0, 2.5, size=(len(source), 4)))
    det = torch.cat([det, random_boxes(rng, n_false, extent=80.0, min_size=4.0)])
    det[:, 2:] = torch.maximum(det[:, 2:], det[:, :2] + 0.5)
    det_labels = torch.cat([labels[source], torch.from_numpy(rng.integers(0, n_classes, n_false))])
    flip = torch.from_numpy(rng.uniform(size=len(det_labels)) < 0.1)  # some wrong classes
    det_labels = torch.where(flip, (det_labels + 1) % n_classes, det_labels)
    scores = torch.from_numpy(rng.uniform(0.01, 1.0, size=len(det)))
    return ({"boxes": det, "scores": scores, "labels": det_labels},
            {"boxes": gt, "labels": labels, "iscrowd": crowd})


def dataset(rng: np.random.Generator, n_images: int, n_classes: int, crowd_rate: float = 0.0
            ) -> tuple[list[dict], list[dict]]:
    """``n_images`` scenes of 0 to 6 objects: (predictions, targets)."""
    pairs = [scene(rng, int(rng.integers(0, 7)), n_classes, crowd_rate=crowd_rate)
             for _ in range(n_images)]
    return [p for p, _ in pairs], [t for _, t in pairs]


def to_device(items: list[dict], device: str) -> list[dict]:
    return [{k: v.to(device) for k, v in item.items()} for item in items]
