"""The data side of torchvision's detection API: items, empty images, flips and collate."""

import numpy as np
import torch
from det_data import ShapesDetection, collate_detection, shapes_dataset, to_coco

from dnn.detection_shapes import make_detection_shapes


def test_items_match_the_generator() -> None:
    ds = shapes_dataset(4, seed=1)
    data = make_detection_shapes(4, seed=1)
    assert len(ds) == 4
    image, target = ds[2]
    assert image.dtype == torch.float32 and image.shape == (3, 32, 32)
    assert target["boxes"].dtype == torch.float32
    assert torch.equal(target["boxes"], torch.from_numpy(data.boxes[2]).float())
    assert torch.equal(target["labels"], torch.from_numpy(data.labels[2]) + 1), "labels 1..C"


def test_empty_image_and_flip() -> None:
    images = np.zeros((2, 3, 8, 20))
    boxes = [np.zeros(0), np.array([[1.0, 2.0, 5.0, 6.0]])]
    ds = ShapesDetection(images, boxes, [np.zeros(0, np.int64), np.array([0])], flip_p=1.0)
    _, empty = ds[0]
    assert empty["boxes"].shape == (0, 4) and empty["labels"].dtype == torch.int64
    _, target = ds[1]
    assert target["boxes"].tolist() == [[15.0, 2.0, 19.0, 6.0]], "x -> W - x, W = 20"


def test_collate_keeps_lists_and_coco_ids() -> None:
    ds = shapes_dataset(3, seed=2)
    images, targets = collate_detection([ds[0], ds[1], ds[2]])
    assert isinstance(images, list) and isinstance(targets, list) and len(images) == 3
    coco = to_coco(ds)
    assert coco["annotations"][0]["id"] == 1, "COCO annotation ids start at 1"
    assert len(coco["annotations"]) == sum(len(t["labels"]) for t in targets)
