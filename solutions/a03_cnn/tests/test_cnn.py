"""Augmentation, the network's shapes and a short training run on digits."""

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from cnn import SmallCNN, augment, predict, train_cnn

from dnn.data import load_digits


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Small convolutions run fastest on one thread (the grader gives student code one)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_augment_shifts_each_image_and_is_seeded() -> None:
    x = torch.rand(16, 2, 6, 6)
    out = augment(x, max_shift=1, seed=3)
    assert out.shape == x.shape
    assert torch.equal(out, augment(x, max_shift=1, seed=3))
    assert torch.equal(augment(x, max_shift=0), x)
    padded = torch.nn.functional.pad(x, (1, 1, 1, 1))
    offsets = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    shifts = [padded[:, :, 1 - dy : 7 - dy, 1 - dx : 7 - dx] for dy, dx in offsets]
    match = torch.stack([(s == out).flatten(1).all(1) for s in shifts])  # (9, N)
    assert match.any(0).all(), "every image must be one of the 9 shifts"
    assert match.float().argmax(0).unique().numel() > 1, "images must get different shifts"
    many = torch.rand(200, 1, 3, 3) + 0.5
    before = many.clone()
    augment(many, max_shift=1, flip=True, seed=0)
    assert torch.equal(many, before), "augment must not modify its input"
    moved = augment(many, max_shift=1, seed=0)
    right = (moved[:, 0, :, 0] == 0).all(1) & (moved[:, 0, :, 1:] != 0).all((1, 2))
    assert right.any(), "a shift of +max_shift (one column to the right) must occur"


def test_small_cnn_logits_shape() -> None:
    net = SmallCNN(3, 5, widths=(8, 16))
    assert net(torch.rand(2, 3, 16, 16)).shape == (2, 5)
    assert SmallCNN(1, 10)(torch.rand(4, 1, 8, 8)).shape == (4, 10)


def test_train_cnn_returns_an_eval_mode_model() -> None:
    x, y = torch.rand(20, 1, 8, 8).numpy(), np.arange(20) % 3
    model = train_cnn(x, y, epochs=1, widths=(4,))
    assert not model.training, "train_cnn returns the model in eval mode"


def test_short_training_run_learns_digits() -> None:
    data = load_digits(seed=0, flatten=False)
    x, y = data["train"].x[:600], data["train"].y[:600]
    model = train_cnn(x, y, epochs=6, widths=(16, 32), lr=1e-2)
    pred = predict(model, data["val"].x)
    assert pred.shape == data["val"].y.shape and pred.dtype == np.int64
    assert np.mean(pred == data["val"].y) > 0.8
