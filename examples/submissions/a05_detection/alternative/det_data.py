"""Detection data for torchvision's API: a Dataset of the generated shapes, collate, COCO dict.

Items are (image (3, H, W) float32 in [0, 1], {"boxes": (K, 4) float32 xyxy, "labels": (K,) int64
in 1..C}); class c of ``dnn.detection_shapes`` is label c + 1 (0 is torchvision's background).
"""

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

Target = dict[str, Tensor]


class ShapesDetection(Dataset):
    """(image, target) pairs over given images, boxes and classes, with a seeded left-right flip."""

    def __init__(self, images: np.ndarray | Tensor, boxes: Sequence[np.ndarray | Tensor],
                 labels: Sequence[np.ndarray | Tensor], *, flip_p: float = 0.0,
                 seed: int = 0) -> None:
        if not len(images) == len(boxes) == len(labels):
            raise ValueError(f"{len(images)} images, {len(boxes)} box sets, {len(labels)} label "
                             "sets: one of each per image")
        if not 0.0 <= flip_p <= 1.0:
            raise ValueError(f"flip_p must be in [0, 1], got {flip_p}")
        self.images, self.boxes, self.labels = images, list(boxes), list(labels)
        self.flip_p, self.seed = flip_p, seed

    def __len__(self) -> int:
        return int(np.shape(self.images)[0])

    def __getitem__(self, index: int) -> tuple[Tensor, Target]:
        n = len(self)
        if index < 0 or index >= n:
            raise IndexError(f"no item {index}: the dataset has {n}")
        # work in numpy (copies), convert at the end
        image = np.array(self.images[index], dtype=np.float32)
        boxes = np.array(self.boxes[index], dtype=np.float32).reshape(-1, 4)
        classes = np.array(self.labels[index], dtype=np.int64).reshape(-1)
        draw = torch.rand((), generator=torch.Generator().manual_seed(self.seed + index))
        if draw.item() < self.flip_p:
            width = image.shape[2]
            image = np.ascontiguousarray(image[:, :, ::-1])
            boxes = boxes[:, [2, 1, 0, 3]] * np.array([-1, 1, -1, 1], np.float32) \
                + np.array([width, 0, width, 0], np.float32)
        target = {"boxes": torch.from_numpy(np.ascontiguousarray(boxes)),
                  "labels": torch.from_numpy(classes + 1)}
        return torch.from_numpy(image), target


def shapes_dataset(n: int, *, size: int = 32, max_objects: int = 3, seed: int = 0,
                   flip_p: float = 0.0) -> ShapesDetection:
    """A ShapesDetection of freshly generated shapes."""
    from dnn.detection_shapes import make_detection_shapes  # slow to import (scikit-learn)

    scenes = make_detection_shapes(n, size=size, max_objects=max_objects, seed=seed)
    return ShapesDetection(torch.from_numpy(scenes.images), scenes.boxes, scenes.labels,
                           flip_p=flip_p, seed=seed)


def collate_detection(batch: list[tuple[Tensor, Target]]) -> tuple[list[Tensor], list[Target]]:
    """Two lists, images and targets, in the batch's order."""
    images: list[Tensor] = []
    targets: list[Target] = []
    for item in batch:
        images.append(item[0])
        targets.append(item[1])
    return images, targets


def to_coco(dataset: ShapesDetection, num_classes: int = 3) -> dict:
    """COCO ground truth of the dataset (ids from 1, xywh boxes, categories 1..num_classes)."""
    coco: dict = {"images": [], "annotations": [],
                  "categories": [{"id": k + 1} for k in range(num_classes)]}
    next_id = 1
    for i in range(len(dataset)):
        image, target = dataset[i]
        height, width = (int(v) for v in image.shape[1:])
        coco["images"].append({"id": i, "height": height, "width": width})
        xywh = target["boxes"].double().clone()
        xywh[:, 2:] -= xywh[:, :2]
        for row, label in zip(xywh.tolist(), target["labels"].tolist(), strict=True):
            coco["annotations"].append({"id": next_id, "image_id": i, "category_id": int(label),
                                        "bbox": row, "area": row[2] * row[3], "iscrowd": 0})
            next_id += 1
    return coco
