"""Graded: Dataset, transforms and the seeded DataLoader (part "data", 15 points)."""

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from autograder.testing import assert_close, part, points


def digits_like(rng, n: int, flat: bool = True) -> tuple[np.ndarray, np.ndarray]:
    x = rng.random((n, 64) if flat else (n, 1, 8, 8))
    return x, rng.integers(0, 10, size=n)


def shift_np(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move the content down by dy and right by dx with zero fill (numpy, by padding)."""
    c, h, w = image.shape
    m = max(abs(dy), abs(dx))
    padded = np.pad(image, ((0, 0), (m, m), (m, m)))
    return padded[:, m - dy : m - dy + h, m - dx : m - dx + w]


@part("data")
@points(3)
def test_dataset_len_and_items(student, rng):
    """len(ds) is N; ds[i] is (float32 image (1, 8, 8), int64 label), from flat rows or from
    images."""
    for flat in (True, False):
        x, y = digits_like(rng, 23, flat)
        ds = student.digits_pipeline.DigitsDataset(x, y)
        assert len(ds) == 23, "len(dataset) must be the number of examples"
        for i in (0, 7, 22):
            image, label = ds[i]
            assert isinstance(image, torch.Tensor) and image.shape == (1, 8, 8), (
                "an image is a (1, 8, 8) tensor"
            )
            assert image.dtype == torch.float32, "images are float32"
            assert isinstance(label, torch.Tensor) and label.dtype == torch.int64, (
                "labels are int64 tensors"
            )
            # 0-d tensors cross the proxy as shape (1,), so only the value is checked here
            assert label.numel() == 1 and int(label) == y[i], "ds[i] returns the i-th label"
            want = torch.from_numpy(x[i].reshape(1, 8, 8)).float()
            assert_close(image, want, rtol=1e-6, name=f"image {i}")


@part("data")
@points(2)
def test_compose_and_normalize_in_dataset(student, rng):
    """The dataset applies its transform per item; Compose runs the transforms in order."""
    pipeline = student.digits_pipeline
    x, y = digits_like(rng, 9)
    transform = pipeline.Compose([pipeline.Normalize(0.5, 2.0), pipeline.Normalize(1.0, 0.25)])
    ds = pipeline.DigitsDataset(x, y, transform)
    image, _ = ds[4]
    raw = torch.from_numpy(x[4].reshape(1, 8, 8)).float()
    assert_close(image, ((raw - 0.5) / 2.0 - 1.0) / 0.25, rtol=1e-5, atol=1e-6,
                 name="Compose([Normalize(0.5, 2), Normalize(1, 0.25)])(image)")


@part("data")
@points(2)
def test_dataset_applies_a_random_transform_on_every_access(student, rng):
    """A random transform is applied in __getitem__, anew on every access: ds[i] read again
    gives the next draw of the transform's generator (augmentation differs epoch to epoch)."""
    pipeline = student.digits_pipeline
    seed = int(rng.integers(1 << 30))
    x, y = digits_like(rng, 6)
    x = x + 0.1
    ds = pipeline.DigitsDataset(x, y, pipeline.RandomShift(1, seed=seed))
    gen = torch.Generator().manual_seed(seed)
    for step, index in enumerate([2, 2, 5, 2, 0, 2]):
        image, _ = ds[index]
        dy, dx = torch.randint(-1, 2, (2,), generator=gen).tolist()
        want = torch.from_numpy(shift_np(x[index].reshape(1, 8, 8), dy, dx)).float()
        assert_close(image, want, rtol=1e-6, atol=0,
                     name=f"access {step} (ds[{index}]): the image shifted by the next draw")


@part("data")
@points(4)
def test_random_shift_exact(student, rng):
    """RandomShift(m, seed) draws (dy, dx) with torch.randint(-m, m + 1, (2,), generator) per
    call and moves the content down by dy and right by dx, filling with zeros."""
    seed = int(rng.integers(1 << 30))
    shift = student.digits_pipeline.RandomShift(2, seed=seed)
    gen = torch.Generator().manual_seed(seed)
    image = rng.random((1, 8, 8)) + 0.1
    seen = set()
    for call in range(12):
        got = shift(torch.from_numpy(image).float())
        dy, dx = torch.randint(-2, 3, (2,), generator=gen).tolist()
        seen.add((dy, dx))
        want = torch.from_numpy(shift_np(image, dy, dx)).float()
        assert isinstance(got, torch.Tensor) and got.shape == (1, 8, 8), "shape (1, 8, 8)"
        assert_close(got, want, rtol=1e-6, atol=0, name=f"shifted image, call {call}")
    assert len(seen) > 3


@part("data")
@points(4)
def test_loader_batches_match_torch(student, rng):
    """make_loader(shuffle=True, seed) gives the batches of a DataLoader with a generator seeded
    by seed; shuffle=False keeps the dataset order; the last batch may be smaller."""
    pipeline = student.digits_pipeline
    x, y = digits_like(rng, 45)
    ds = pipeline.DigitsDataset(x, y)
    images, labels = torch.from_numpy(x).float().reshape(-1, 1, 8, 8), torch.from_numpy(y)
    for shuffle, seed in ((True, int(rng.integers(1000))), (False, 0)):
        got = pipeline.loader_batches(pipeline.make_loader(ds, 8, shuffle=shuffle, seed=seed))
        gen = torch.Generator().manual_seed(seed) if shuffle else None
        want = list(DataLoader(TensorDataset(images, labels), batch_size=8, shuffle=shuffle,
                               generator=gen))
        assert len(got) == len(want), f"{len(want)} batches expected for 45 examples in 8s"
        for k, ((gx, gy), (wx, wy)) in enumerate(zip(got, want, strict=True)):
            assert torch.equal(gy, wy), f"batch {k} (shuffle={shuffle}) has the wrong labels"
            assert_close(gx, wx, rtol=1e-6, name=f"batch {k} images")
