"""Graded: the data side of torchvision's detection API (dataset, collate, COCO ground truth),
checked against dnn.detection_shapes' ground truth, torchvision's box flip and pycocotools, and a
tiny torchvision Faster R-CNN trained here on your batches (part "library_api", 11 points)."""

import contextlib
import io

import numpy as np
import pytest
import torch
import torchvision.transforms.v2.functional as TF
from boxgen import random_boxes
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from torch import nn
from torchvision import tv_tensors
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.ops import MultiScaleRoIAlign

from autograder.testing import StudentError, assert_close, part, points
from dnn.detection_shapes import make_detection_shapes


def flipped(seed: int, index: int, flip_p: float) -> bool:
    generator = torch.Generator().manual_seed(seed + index)
    return bool(torch.rand((), generator=generator) < flip_p)


def oracle_item(images, boxes, labels, index, *, flip_p=0.0, seed=0):
    """The item as torchvision's own v2 transforms would flip it."""
    image = torch.as_tensor(images[index]).float()
    box = tv_tensors.BoundingBoxes(torch.as_tensor(boxes[index]).float().reshape(-1, 4),
                                   format="XYXY", canvas_size=tuple(image.shape[-2:]))
    if flipped(seed, index, flip_p):
        image, box = TF.horizontal_flip(image), TF.horizontal_flip(box)
    return image, {"boxes": box.as_subclass(torch.Tensor),
                   "labels": torch.as_tensor(labels[index]).long().reshape(-1) + 1}


def check_item(got, want, what: str) -> None:
    assert isinstance(got, tuple | list) and len(got) == 2, f"{what}: an (image, target) pair"
    image, target = got
    assert isinstance(target, dict) and {"boxes", "labels"} <= set(target), (
        f"{what}: the target is a dict with 'boxes' and 'labels'")
    assert image.dtype == torch.float32 and tuple(image.shape) == tuple(want[0].shape), (
        f"{what}: the image should be float32 of shape (3, H, W)")
    assert_close(image, want[0], rtol=0, atol=1e-7, name=f"{what}: image")
    boxes, labels = target["boxes"], target["labels"]
    assert boxes.dtype == torch.float32 and tuple(boxes.shape) == tuple(want[1]["boxes"].shape), (
        f"{what}: boxes should be float32 of shape (K, 4), (0, 4) without objects")
    assert_close(boxes, want[1]["boxes"], rtol=0, atol=1e-5, name=f"{what}: boxes")
    assert labels.dtype == torch.int64 and torch.equal(labels, want[1]["labels"]), (
        f"{what}: labels should be int64 class + 1 (0 is the background)")


@part("library_api")
@points(2)
def test_shapes_dataset_matches_generator(student):
    """shapes_dataset's items are make_detection_shapes' images (float32) with their boxes
    (float32, K x 4) and labels (int64, class + 1), for two sizes and seeds, without flips."""
    for n, size, max_objects, seed in ((6, 32, 3, 4), (4, 40, 5, 11)):
        ds = student.det_data.shapes_dataset(n, size=size, max_objects=max_objects, seed=seed)
        data = make_detection_shapes(n, size=size, max_objects=max_objects, seed=seed)
        assert len(ds) == n, "len(dataset) is the number of images"
        for i in range(n):
            check_item(ds[i], oracle_item(data.images, data.boxes, data.labels, i),
                       f"image {i} of shapes_dataset({n}, size={size}, seed={seed})")


def raw_scenes(rng, height=24, width=40):
    """Five (3, H, W) images, not square, with 3, 0, 2, 0 and 1 boxes; the empty ones given as
    (0,) and as (0, 4) arrays, as numpy float64 and as torch tensors."""
    images = rng.uniform(size=(5, 3, height, width))
    counts = (3, 0, 2, 0, 1)
    boxes = [random_boxes(rng, k, extent=float(height - 4), min_size=2.0).numpy() for k in counts]
    boxes[1] = np.zeros(0)
    boxes[4] = torch.from_numpy(boxes[4] + [float(width - height), 0.0, float(width - height), 0.0])
    labels = [rng.integers(0, 3, size=k) for k in counts]
    labels[3] = torch.zeros(0, dtype=torch.int64)
    return images, boxes, labels


@part("library_api")
@points(1)
def test_images_without_boxes(student, rng):
    """ShapesDetection over given arrays: images without objects give boxes of shape (0, 4)
    float32 and labels (0,) int64 (empty arrays given as (0,) or (0, 4), numpy or torch), on
    images that are not square."""
    images, boxes, labels = raw_scenes(rng)
    ds = student.det_data.ShapesDetection(images, boxes, labels)
    assert len(ds) == 5, "len(dataset) is the number of images"
    for i in range(5):
        check_item(ds[i], oracle_item(images, boxes, labels, i), f"item {i} (3, 0, 2, 0, 1 boxes)")


@part("library_api")
@points(2)
def test_flip_matches_torchvision(student, rng):
    """With flip_p, item i is flipped left-right when torch.rand((), generator=torch.Generator()
    .manual_seed(seed + i)) < flip_p, image and boxes as torchvision.transforms.v2's
    horizontal_flip does them (W is the width, on images that are not square); flip_p 1 flips
    every item."""
    images, boxes, labels = raw_scenes(rng)
    for flip_p, seed in ((0.5, 7), (0.5, 12), (1.0, 3)):
        assert flip_p == 1.0 or 0 < sum(flipped(seed, i, flip_p) for i in range(5)) < 5
        ds = student.det_data.ShapesDetection(images, boxes, labels, flip_p=flip_p, seed=seed)
        for i in range(5):
            check_item(ds[i], oracle_item(images, boxes, labels, i, flip_p=flip_p, seed=seed),
                       f"item {i} with flip_p={flip_p}, seed={seed}")


@part("library_api")
@points(1)
def test_items_repeatable_and_indexing(student):
    """An item depends only on its index: asked again, in another order, the same (flips
    included, stored data unchanged); indices outside 0..N-1 raise IndexError."""
    data = make_detection_shapes(5, seed=8)
    ds = student.det_data.ShapesDetection(data.images, data.boxes, data.labels, flip_p=0.5, seed=2)
    for order in ([0, 1, 2, 3, 4], [4, 2, 0, 3, 1], [3, 3, 3]):
        for i in order:
            check_item(ds[i], oracle_item(data.images, data.boxes, data.labels, i, flip_p=0.5,
                                          seed=2), f"item {i} asked in the order {order}")
    for index in (5, -1):
        with pytest.raises(StudentError) as err:
            ds[index]
        assert err.value.type_name == "IndexError", f"dataset[{index}] should raise IndexError"


@part("library_api")
@points(1)
def test_collate_detection(student, rng):
    """collate_detection makes two lists (images, targets) in the batch's order, not stacked, for
    items with 2, 0 and 5 boxes and images of different sizes."""
    batch = []
    for k, (h, w) in zip((2, 0, 5), ((32, 32), (24, 40), (32, 32)), strict=True):
        image = torch.from_numpy(rng.uniform(size=(3, h, w))).float()
        target = {"boxes": random_boxes(rng, k, extent=20.0).float(),
                  "labels": torch.from_numpy(rng.integers(1, 4, size=k))}
        batch.append((image, target))
    got = student.det_data.collate_detection(batch)
    assert isinstance(got, tuple | list) and len(got) == 2, "collate returns (images, targets)"
    images, targets = got
    assert isinstance(images, list) and isinstance(targets, list), (
        "images and targets are lists (torchvision's models take lists)")
    assert len(images) == len(targets) == 3, "one image and one target per item"
    for b, (image, target) in enumerate(batch):
        assert torch.equal(images[b], image), f"image {b} differs from item {b}'s"
        assert isinstance(targets[b], dict) and set(targets[b]) == set(target), (
            f"target {b} should be item {b}'s target dict")
        for key in target:
            assert torch.equal(targets[b][key], target[key]), f"target {b}['{key}'] differs"


def oracle_coco(images, boxes, labels, flip_p, seed, num_classes):
    entries, annotations = [], []
    for i in range(len(images)):
        image, target = oracle_item(images, boxes, labels, i, flip_p=flip_p, seed=seed)
        entries.append({"id": i, "height": image.shape[-2], "width": image.shape[-1]})
        for (x1, y1, x2, y2), label in zip(target["boxes"].tolist(), target["labels"].tolist(),
                                           strict=True):
            w, h = x2 - x1, y2 - y1
            annotations.append({"id": len(annotations) + 1, "image_id": i, "category_id": label,
                                "bbox": [x1, y1, w, h], "area": w * h, "iscrowd": 0})
    return {"images": entries, "annotations": annotations,
            "categories": [{"id": c} for c in range(1, num_classes + 1)]}


def pycoco_stats(ground_truth: dict, detections: list[dict]) -> np.ndarray:
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = ground_truth
        gt.createIndex()
        evaluator = COCOeval(gt, gt.loadRes(detections), iouType="bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return np.asarray(evaluator.stats)


@part("library_api")
@points(2)
def test_to_coco(student, rng):
    """to_coco writes images, annotations (ids from 1, xywh boxes after the flip, area, labels
    1..C, iscrowd 0) and categories 1..num_classes; pycocotools' COCOeval on it scores
    detections (a doubled one included) as on the ground truth itself."""
    images, boxes, labels = raw_scenes(rng)
    ds = student.det_data.ShapesDetection(images, boxes, labels, flip_p=0.5, seed=7)
    got = student.det_data.to_coco(ds, 4)
    want = oracle_coco(images, boxes, labels, 0.5, 7, 4)
    assert isinstance(got, dict) and {"images", "annotations", "categories"} <= set(got), (
        "to_coco returns a dict with 'images', 'annotations' and 'categories'")
    assert got["images"] == want["images"], "the 'images' entries differ"
    assert [c["id"] for c in got["categories"]] == [1, 2, 3, 4], "categories are 1..num_classes"
    assert len(got["annotations"]) == len(want["annotations"]), "one annotation per box"
    for k, (g, w) in enumerate(zip(got["annotations"], want["annotations"], strict=True)):
        assert {key: g.get(key) for key in ("id", "image_id", "category_id", "iscrowd")} == {
            key: w[key] for key in ("id", "image_id", "category_id", "iscrowd")}, (
            f"annotation {k}: id, image_id, category_id or iscrowd differ")
        assert_close(torch.tensor([*g["bbox"], g["area"]], dtype=torch.float64),
                     torch.tensor([*w["bbox"], w["area"]], dtype=torch.float64),
                     rtol=1e-6, atol=1e-4, name=f"annotation {k}: bbox and area")
    first = want["annotations"][0]
    detections = [{"image_id": a["image_id"], "category_id": a["category_id"],
                   "bbox": [v + float(rng.normal(0.0, 0.3)) for v in a["bbox"]],
                   "score": float(rng.uniform(0.2, 1.0))} for a in want["annotations"]]
    detections.append({**first, "bbox": [v + 0.2 for v in first["bbox"]], "score": 0.99})
    detections = [{k: d[k] for k in ("image_id", "category_id", "bbox", "score")}
                  for d in detections]
    assert_close(pycoco_stats(got, detections), pycoco_stats(want, detections), rtol=0,
                 atol=1e-12, name="COCOeval's stats on your ground truth")


def tiny_faster_rcnn(seed: int) -> FasterRCNN:
    """A torchvision Faster R-CNN (no weights anywhere) with a two-convolution backbone of stride
    4 for 32 x 32 images: 3 classes and the background."""
    torch.manual_seed(seed)
    backbone = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
                             nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU())
    backbone.out_channels = 32
    return FasterRCNN(
        backbone, num_classes=None,
        rpn_anchor_generator=AnchorGenerator(sizes=((8, 16),), aspect_ratios=((0.5, 1.0, 2.0),)),
        box_roi_pool=MultiScaleRoIAlign(["0"], output_size=4, sampling_ratio=2),
        box_head=TwoMLPHead(32 * 4 * 4, 64), box_predictor=FastRCNNPredictor(64, 4),
        min_size=32, max_size=32, image_mean=[0.0] * 3, image_std=[1.0] * 3,
        rpn_pre_nms_top_n_train=200, rpn_post_nms_top_n_train=50,
        rpn_batch_size_per_image=64, box_batch_size_per_image=32)


def summed_loss(model: FasterRCNN, images, targets, device, seed: int) -> torch.Tensor:
    torch.manual_seed(seed)  # the samplers of positives and negatives draw from torch's RNG
    losses = model([im.to(device) for im in images],
                   [{k: v.to(device) for k, v in t.items()} for t in targets])
    return sum(losses.values())


@part("library_api")
@points(2)
def test_faster_rcnn_trains_on_your_batches(student, device):
    """A tiny torchvision FasterRCNN (built here, no pretrained weights) gets the same losses on
    your first batch (shapes_dataset(64, seed=3, flip_p=0.5), collate_detection) as on the true
    one, and 30 SGD steps over your 8 batches of 8 lower its summed loss by 15% or more."""
    ds = student.det_data.shapes_dataset(64, seed=3, flip_p=0.5)
    items = [ds[i] for i in range(64)]
    batches = [student.det_data.collate_detection(items[start:start + 8])
               for start in range(0, 64, 8)]
    assert all(len(b) == 2 and len(b[0]) == len(b[1]) == 8 for b in batches), (
        "collate_detection returns (images, targets), one of each per item")
    data = make_detection_shapes(64, seed=3)
    truth = [oracle_item(data.images, data.boxes, data.labels, i, flip_p=0.5, seed=3)
             for i in range(8)]
    model = tiny_faster_rcnn(0).to(device).train()
    with torch.no_grad():
        got = summed_loss(model, *batches[0], device, seed=1)
        want = summed_loss(model, [im for im, _ in truth], [t for _, t in truth], device, seed=1)
    assert_close(got, want, rtol=1e-4, atol=1e-5, name="Faster R-CNN's loss on your first batch")
    optimiser = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    losses = []
    for step in range(30):
        loss = summed_loss(model, *batches[step % 8], device, seed=step)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    start, end = np.mean(losses[:5]), np.mean(losses[-5:])
    # the solution: 0.62-0.72 over model seeds 0-5
    assert end <= 0.85 * start, (
        f"the summed loss went from {start:.3f} (first 5 steps) to {end:.3f} (last 5)")
