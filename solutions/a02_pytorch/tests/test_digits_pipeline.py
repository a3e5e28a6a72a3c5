"""The Dataset, the transforms and the seeded DataLoader."""

import torch
from digits_pipeline import (
    Compose,
    DigitsDataset,
    Normalize,
    RandomShift,
    loader_batches,
    make_loader,
)

from dnn.data import load_digits


def test_dataset_items_and_transforms() -> None:
    split = load_digits(seed=0)["val"]
    ds = DigitsDataset(split.x, split.y, transform=Normalize(0.5, 0.25))
    assert len(ds) == len(split.y)
    image, label = ds[3]
    assert image.shape == (1, 8, 8) and image.dtype == torch.float32
    assert label.dtype == torch.int64 and int(label) == split.y[3]
    want = (torch.tensor(split.x[3], dtype=torch.float32).reshape(1, 8, 8) - 0.5) / 0.25
    torch.testing.assert_close(image, want)


def test_random_shift_moves_content_with_zero_fill() -> None:
    x = torch.arange(1.0, 65.0).reshape(1, 8, 8)
    shifted = Compose([RandomShift(2, seed=0)])(x)
    assert shifted.shape == x.shape
    assert torch.count_nonzero(shifted) < 64  # zero fill, no wrap-around (unless no shift)
    assert set(shifted[shifted != 0].tolist()) <= set(x.flatten().tolist())


def test_loader_is_seeded() -> None:
    split = load_digits(seed=0)["val"]
    ds = DigitsDataset(split.x, split.y)
    first = loader_batches(make_loader(ds, 32, shuffle=True, seed=1))
    again = loader_batches(make_loader(ds, 32, shuffle=True, seed=1))
    assert len(first) == -(-len(ds) // 32) and first[0][0].shape == (32, 1, 8, 8)
    assert all(torch.equal(a[1], b[1]) for a, b in zip(first, again, strict=True))


def test_random_transform_is_drawn_on_every_access() -> None:
    x = torch.rand(3, 64).numpy() + 0.1
    ds = DigitsDataset(x, [0, 1, 2], transform=RandomShift(1, seed=4))
    gen = torch.Generator().manual_seed(4)
    for index in (1, 1, 1):
        dy, dx = torch.randint(-1, 2, (2,), generator=gen).tolist()
        want = torch.zeros(1, 10, 10)
        want[:, 1 + dy : 9 + dy, 1 + dx : 9 + dx] = torch.tensor(x[index]).reshape(1, 8, 8)
        torch.testing.assert_close(ds[index][0], want[:, 1:9, 1:9])
