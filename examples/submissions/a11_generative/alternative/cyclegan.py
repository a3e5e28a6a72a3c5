"""CycleGAN: cycle-consistency, identity and least-squares losses, and the image history buffer."""

import torch
from torch import Tensor, nn


def _l1(a: Tensor, b: Tensor) -> Tensor:
    return torch.mean(torch.abs(a - b))


def cycle_loss(real_a: Tensor, real_b: Tensor, g_ab: nn.Module, g_ba: nn.Module,
               weight: float = 10.0) -> Tensor:
    total = _l1(g_ba(g_ab(real_a)), real_a) + _l1(g_ab(g_ba(real_b)), real_b)
    return total * weight


def identity_loss(real_a: Tensor, real_b: Tensor, g_ab: nn.Module, g_ba: nn.Module,
                  weight: float = 5.0) -> Tensor:
    return weight * _l1(g_ab(real_b), real_b) + weight * _l1(g_ba(real_a), real_a)


def lsgan_d_loss(real_out: Tensor, fake_out: Tensor) -> Tensor:
    ones = torch.ones_like(real_out)
    zeros = torch.zeros_like(fake_out)
    mse = nn.functional.mse_loss
    return (mse(real_out, ones) + mse(fake_out, zeros)) * 0.5


def lsgan_g_loss(fake_out: Tensor) -> Tensor:
    return nn.functional.mse_loss(fake_out, torch.ones_like(fake_out))


class ImagePool:
    """History buffer: fills first, then swaps with probability one half."""

    def __init__(self, size: int, seed: int = 0) -> None:
        if size < 0:
            raise ValueError(f"negative pool size {size}")
        self.size = size
        self.images: list[Tensor] = []
        self._rng = torch.Generator()
        self._rng.manual_seed(seed)

    def _one(self, image: Tensor) -> Tensor:
        if len(self.images) < self.size:
            self.images.append(image.clone())
            return image
        u = float(torch.rand((), generator=self._rng))
        if u <= 0.5:
            return image
        slot = int(torch.randint(self.size, (), generator=self._rng))
        old = self.images[slot]
        self.images[slot] = image.clone()
        return old

    def query(self, batch: Tensor) -> Tensor:
        batch = batch.detach()
        if self.size == 0:
            return batch
        return torch.stack([self._one(batch[i]) for i in range(batch.shape[0])], dim=0)
