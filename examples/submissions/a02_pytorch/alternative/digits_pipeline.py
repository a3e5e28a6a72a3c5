"""A Dataset over the 8x8 digits, image transforms, and a seeded DataLoader.

Examples are (image, label) pairs: image a float32 tensor (1, 8, 8) in [0, 1] before any
transform, label an int64 scalar tensor. A DataLoader stacks them into (B, 1, 8, 8) and (B,).
"""

import functools

import numpy as np
import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler

Pair = tuple[torch.Tensor, torch.Tensor]


class Normalize:
    """x -> (x - mean) / std, element-wise."""

    def __init__(self, mean: float, std: float) -> None:
        self.mean = mean
        self.std = std

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x (1, 8, 8). Returns: (1, 8, 8), same dtype."""
        # multiply by the reciprocal instead of dividing
        return (x - self.mean) * (1.0 / self.std)


class RandomShift:
    """Translate the image by a random (dy, dx) in [-max_shift, max_shift]^2, filling with zeros.

    Randomness: ``dy, dx = torch.randint(-m, m + 1, (2,), generator=self.generator).tolist()``,
    one draw per call, where ``self.generator`` is a torch.Generator seeded with ``seed``, or
    None (the global torch RNG) when no seed is given.
    """

    def __init__(self, max_shift: int, seed: int | None = None) -> None:
        self.max_shift = max_shift
        self.generator = None if seed is None else torch.Generator().manual_seed(seed)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Shift the content down by dy rows and right by dx columns (negative: up, left).

        out[c, i, j] = x[c, i - dy, j - dx] where that index is inside the image, else 0
        (no wrap-around, so not torch.roll alone).

        Args:
            x: (C, H, W).

        Returns:
            (C, H, W), same dtype.
        """
        m = self.max_shift
        dy, dx = torch.randint(-m, m + 1, (2,), generator=self.generator).tolist()
        _, h, w = x.shape
        # torch.roll moves the content with wrap-around; then blank what wrapped around
        rolled = torch.roll(x, shifts=(dy, dx), dims=(1, 2))
        rows = torch.arange(h, device=x.device) - dy  # the source row of each output row
        cols = torch.arange(w, device=x.device) - dx
        inside = ((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < w))[None, :]
        return torch.where(inside, rolled, torch.zeros((), dtype=x.dtype, device=x.device))


class Compose:
    """Apply transforms in order: Compose([f, g])(x) = g(f(x))."""

    def __init__(self, transforms: list) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x, the input of the first transform. Returns: the output of the last one."""
        return functools.reduce(lambda value, transform: transform(value), self.transforms, x)


class DigitsDataset(Dataset):
    """Digits as (image, label) pairs, with an optional transform applied to each image."""

    def __init__(self, x: np.ndarray, y: np.ndarray, transform: object | None = None) -> None:
        """Store the data as tensors once, not per item.

        Args:
            x: (N, 64) or (N, 1, 8, 8) pixels; keep them as ``self.images``, a float32 tensor
                of shape (N, 1, 8, 8).
            y: (N,) integer labels; keep them as ``self.labels``, an int64 tensor (N,).
            transform: None or a callable image -> image, applied in ``__getitem__``.
        """
        pixels = np.ascontiguousarray(x, dtype=np.float32)
        labels = np.ascontiguousarray(y, dtype=np.int64).ravel()
        if pixels.size != 64 * labels.shape[0]:
            raise ValueError(f"x of shape {pixels.shape} does not hold 64 pixels for each of "
                             f"{labels.shape[0]} labels")
        self.images = torch.from_numpy(pixels.copy()).view(labels.shape[0], 1, 8, 8)
        self.labels = torch.from_numpy(labels.copy())
        self.transform = transform

    def __len__(self) -> int:
        """The number of examples N."""
        return int(self.labels.shape[0])

    def __getitem__(self, index: int) -> Pair:
        """(image (1, 8, 8) float32, transformed if a transform is set; label, int64 scalar)."""
        image, label = self.images[index], self.labels[index]
        return (image if self.transform is None else self.transform(image)), label


def make_loader(dataset: Dataset, batch_size: int, *, shuffle: bool, seed: int = 0) -> DataLoader:
    """A DataLoader over ``dataset``: batches of ``batch_size`` (the last may be smaller).

    When ``shuffle`` is true the order must be reproducible: pass
    ``generator=torch.Generator().manual_seed(seed)`` and ``shuffle=True`` to DataLoader (no
    worker processes), so the same seed gives the same batches as torch's own RandomSampler.
    """
    # The batch sampler is built explicitly. The DataLoader must get the same generator too: each
    # pass draws its base seed from it before the sampler draws the permutation.
    if shuffle:
        generator = torch.Generator().manual_seed(seed)
        sampler = RandomSampler(dataset, generator=generator)
    else:
        generator, sampler = None, SequentialSampler(dataset)
    batches = BatchSampler(sampler, batch_size=batch_size, drop_last=False)
    return DataLoader(dataset, batch_sampler=batches, generator=generator, num_workers=0)


def loader_batches(loader: DataLoader) -> list[Pair]:
    """Every batch of one pass over ``loader``, as a list (for tests and plots)."""
    return [(x, y) for x, y in loader]
