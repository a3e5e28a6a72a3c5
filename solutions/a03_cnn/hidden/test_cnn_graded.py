"""Graded: augmentation, the CNN and its accuracy on held-out digits and colored shapes
(part "cnn", 30 points). Test labels never enter the sandbox: predictions are scored here."""

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from torch import nn

from autograder.testing import assert_close, part, points, watch_call
from dnn.data import load_digits
from dnn.shapes import load_shapes


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Small convolutions run fastest on one thread (local mode runs student code here)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@part("cnn")
@points(4)
def test_augment(student):
    """augment moves every image by its own shift in {-s..s}^2 (each shift occurring) with zero
    fill, is seeded, does not modify its input, and with flip mirrors about half the images."""
    x = torch.rand(64, 3, 7, 7, dtype=torch.float64)
    call = watch_call(student.cnn.augment, x, max_shift=2, flip=True, seed=11)
    assert not call.changed, "augment must not modify x"
    out = student.cnn.augment(x, max_shift=2, seed=11)
    assert isinstance(out, torch.Tensor) and out.shape == x.shape, "augment keeps the shape"
    assert out.dtype == x.dtype, "augment keeps the dtype"
    assert torch.equal(out, student.cnn.augment(x, max_shift=2, seed=11)), "same seed, same batch"
    assert not torch.equal(out, student.cnn.augment(x, max_shift=2, seed=12)), "seed matters"
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    shifts = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)]
    match = torch.stack([(padded[:, :, 2 - dy : 9 - dy, 2 - dx : 9 - dx] == out).flatten(1).all(1)
                         for dy, dx in shifts])  # (25, N)
    assert match.any(0).all(), "each image must be the input shifted by (dy, dx), zeros filling in"
    assert len(set(match.float().argmax(0).tolist())) >= 8, "shifts must vary from image to image"
    assert torch.equal(student.cnn.augment(x, max_shift=0, flip=False), x), "no shift: a copy"
    many = torch.rand(300, 1, 4, 4, dtype=torch.float64) + 0.5
    moved = student.cnn.augment(many, max_shift=1, seed=5)
    padded = torch.nn.functional.pad(many, (1, 1, 1, 1))
    seen = [bool((padded[:, :, 1 - dy : 5 - dy, 1 - dx : 5 - dx] == moved).flatten(1).all(1).any())
            for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    assert all(seen), "every shift of {-s, ..., s}^2 must occur (s included: randint's high)"
    flipped = student.cnn.augment(x, max_shift=0, flip=True, seed=3)
    mirrored = (flipped == x.flip(-1)).flatten(1).all(1)
    same = (flipped == x).flatten(1).all(1)
    assert (mirrored | same).all(), "flip mirrors images left-right"
    assert 16 <= int(mirrored.sum()) <= 48, "about half the images are mirrored"


@part("cnn")
@points(3)
def test_small_cnn_structure(student):
    """SmallCNN has convolutions with batch norm, gives (N, num_classes) logits for 8x8 and
    32x32 inputs, and its eval-mode output does not depend on the other images of the batch."""
    torch.manual_seed(0)
    net = student.cnn.SmallCNN(3, 5, widths=(8, 16))
    state = net.state_dict()
    assert any(v.ndim == 4 for v in state.values()), "SmallCNN needs Conv2d layers"
    assert any(k.endswith("running_mean") for k in state), "SmallCNN needs BatchNorm2d layers"
    x = torch.rand(6, 3, 32, 32)
    assert tuple(net(x).shape) == (6, 5), "logits must be (N, num_classes)"
    buffers = ("running_mean", "running_var", "num_batches_tracked")
    shapes = sorted(tuple(v.shape) for k, v in state.items() if not k.endswith(buffers))
    want = sorted([(8, 3, 3, 3), (8, 8, 3, 3), (16, 8, 3, 3), (16, 16, 3, 3), (8,), (8,), (8,),
                   (8,), (16,), (16,), (16,), (16,), (5, 16), (5,)])
    assert shapes == want, ("per width two 3x3 convolutions without bias, each with batch norm, "
                            f"then one Linear layer: parameter shapes {want}, got {shapes}")
    assert tuple(net.features(x).shape) == (6, 16, 8, 8), (
        "self.features keeps H and W through each convolution (padding 1) and halves them in "
        "each 2x2 max pool: (6, 16, 8, 8) for 32x32 inputs and widths (8, 16)")
    small = student.cnn.SmallCNN(1, 10)
    assert tuple(small(torch.rand(4, 1, 8, 8)).shape) == (4, 10), "8x8 digits must work"
    net.eval()
    assert_close(net(x)[:2].detach(), net(x[:2]).detach(), rtol=1e-5, atol=1e-6,
                 name="eval-mode logits of the first two images")


def reference_cnn(in_channels: int, num_classes: int, widths: tuple[int, ...],
                  dropout: float) -> nn.Module:
    """The architecture of the handout in plain torch layers."""
    layers: list[nn.Module] = []
    channels = in_channels
    for width in widths:
        for fan_in in (channels, width):
            layers += [nn.Conv2d(fan_in, width, 3, padding=1, bias=False), nn.BatchNorm2d(width),
                       nn.ReLU()]
        layers.append(nn.MaxPool2d(2))
        channels = width

    class Reference(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(*layers)
            self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(channels, num_classes))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.classifier(self.features(x).mean(dim=(2, 3)))

    return Reference()


@part("cnn")
@points(3)
def test_small_cnn_matches_reference(student, rng):
    """With the weights and running statistics of a reference (copied in registration order),
    SmallCNN's logits equal the handout's architecture: [Conv -> BatchNorm -> ReLU] x 2 and a
    2x2 max pool per stage, global AVERAGE pooling, then Dropout -> Linear; in eval mode, and in
    train mode (batch statistics; with the same torch seed, the same dropout mask)."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    ref = reference_cnn(3, 5, (4, 6), 0.5).double()
    for name, value in ref.state_dict().items():  # non-trivial batch norm parameters
        if name.endswith(("weight", "bias", "running_mean")) and value.ndim == 1:
            value.copy_(torch.randn_like(value) * 0.5 + (1.0 if name.endswith("weight") else 0))
        elif name.endswith("running_var"):
            value.copy_(torch.rand_like(value) + 0.5)
    net = student.cnn.SmallCNN(3, 5, widths=(4, 6), dropout=0.5)
    keys = list(net.state_dict())
    values = list(ref.state_dict().values())
    assert len(keys) == len(values), "SmallCNN's state_dict has the wrong number of entries"
    net.double()
    net.load_state_dict(dict(zip(keys, values, strict=True)))
    x = torch.from_numpy(rng.standard_normal((6, 3, 8, 8)))
    net.eval()
    ref.eval()
    assert_close(net(x).detach(), ref(x).detach(), rtol=1e-9, atol=1e-10, name="eval-mode logits")
    seed = int(rng.integers(1 << 30))
    net.train()
    student.lib("dnn.autograd").torch.manual_seed(seed)
    got = net(x).detach()
    ref.train()
    torch.manual_seed(seed)
    assert_close(got, ref(x).detach(), rtol=1e-9, atol=1e-10,
                 name="train-mode logits (batch statistics, dropout before the Linear layer)")


@part("cnn")
@points(1)
def test_train_cnn_returns_an_eval_mode_model(student, rng):
    """train_cnn returns a SmallCNN for max label + 1 classes, in evaluation mode, on the CPU."""
    x = rng.random((40, 1, 8, 8))
    y = rng.integers(0, 3, size=40)
    y[0] = 3
    model = student.cnn.train_cnn(x, y, epochs=1, batch_size=16, widths=(4,), seed=1)
    assert model.training is False, "train_cnn must return the model in eval mode"
    logits = model(torch.from_numpy(x[:5]).float())
    assert tuple(logits.shape) == (5, 4), "num_classes is max label + 1"
    assert logits.device.type == "cpu", "the returned model is on the CPU"


@part("cnn")
@points(1)
def test_predict(student, rng):
    """predict returns int64 labels, the argmax of the model's eval-mode logits."""
    torch.manual_seed(0)
    net = student.cnn.SmallCNN(1, 4, widths=(4,))
    net.train()
    x = rng.random((20, 1, 8, 8))
    pred = student.cnn.predict(net, x, batch_size=7)
    assert isinstance(pred, np.ndarray) and pred.shape == (20,), "one label per image"
    assert pred.dtype == np.int64, "labels must be int64"
    net.eval()
    logits = net(torch.as_tensor(x, dtype=torch.float32)).detach()
    assert np.array_equal(pred, logits.argmax(dim=1).numpy()), "predict = argmax in eval mode"


def held_out_accuracy(student, data, **kwargs) -> float:
    model = student.cnn.train_cnn(data["train"].x, data["train"].y, **kwargs)
    pred = student.cnn.predict(model, data["test"].x)  # the test labels stay here
    assert isinstance(pred, np.ndarray) and pred.shape == data["test"].y.shape, (
        "predict must return one label per test image")
    return float(np.mean(pred == data["test"].y))


@part("cnn")
@points(11)
def test_digits_accuracy(student):
    """train_cnn with its defaults (30 epochs, widths (32, 64), shifts of 1 pixel, seed 0)
    reaches >= 97% accuracy on the held-out digits test set (the solution: about 99%, in
    10-25 s of one CPU core; correct independent implementations: 98.1-99.6% over seeds)."""
    acc = held_out_accuracy(student, load_digits(seed=0, flatten=False), seed=0)
    assert acc >= 0.97, f"test accuracy {acc:.4f} is below 0.97"


@part("cnn")
@points(7)
def test_shapes_accuracy(student):
    """train_cnn on 16x16 colored shapes (840 training images, 15 epochs, shifts of 1 pixel
    and flips, seed 0) reaches >= 85% held-out test accuracy (the solution: about 92-94%)."""
    data = load_shapes(n=1200, size=16, seed=0)
    acc = held_out_accuracy(student, data, epochs=15, max_shift=1, flip=True, seed=0)
    assert acc >= 0.85, f"test accuracy {acc:.4f} is below 0.85"
