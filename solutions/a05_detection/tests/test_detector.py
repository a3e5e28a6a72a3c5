"""The tiny detector: output layout, and a short training run that produces detections."""

import torch
from detector import TinyYolo, detect, train_detector

from dnn.detection_shapes import make_detection_shapes


def test_tiny_yolo_output_shape() -> None:
    out = TinyYolo()(torch.rand(2, 3, 32, 32))
    assert out.shape == (2, 4, 4, 2, 8)


def test_short_training_detects_something() -> None:
    data = make_detection_shapes(96, seed=5)
    images = torch.from_numpy(data.images).float()
    model = train_detector(images, [torch.from_numpy(b) for b in data.boxes],
                           [torch.from_numpy(c) for c in data.labels], epochs=2, seed=0)
    assert not model.training, "train_detector returns the model in eval mode"
    found = detect(model, images[:8])
    assert len(found) == 8
    for d in found:
        assert d["boxes"].shape == (len(d["scores"]), 4) and d["labels"].dtype == torch.int64
