"""CycleGAN: cycle and identity losses with simple generators, the LSGAN losses and the image
history buffer."""

import torch
from cyclegan import ImagePool, cycle_loss, identity_loss, lsgan_d_loss, lsgan_g_loss


class Affine(torch.nn.Module):
    def __init__(self, scale: float, shift: float) -> None:
        super().__init__()
        self.scale, self.shift = scale, shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.scale * x + self.shift


def test_cycle_and_identity_losses() -> None:
    a, b = torch.zeros(2, 1, 3, 3), torch.ones(2, 1, 3, 3)
    g_ab, g_ba = Affine(2.0, 0.0), Affine(1.0, -0.5)
    # a = 0 -> 0 -> -0.5 (error 0.5); b = 1 -> 0.5 -> 1 (error 0)
    assert torch.isclose(cycle_loss(a, b, g_ab, g_ba, weight=2.0), torch.tensor(1.0))
    # G_AB(b) = 2 (error 1); G_BA(a) = -0.5 (error 0.5)
    assert torch.isclose(identity_loss(a, b, g_ab, g_ba, weight=1.0), torch.tensor(1.5))


def test_lsgan_losses() -> None:
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])
    assert torch.isclose(lsgan_d_loss(real, fake), torch.tensor(0.5 * (0.5 + 2.0)))
    assert torch.isclose(lsgan_g_loss(fake), torch.tensor(1.0))


def test_pool_fills_then_mixes() -> None:
    pool = ImagePool(4, seed=0)
    first = torch.arange(4.0)[:, None]
    assert torch.equal(pool.query(first), first)
    out = pool.query(torch.arange(4.0, 404.0)[:, None]).flatten()
    old = int((out != torch.arange(4.0, 404.0)).sum())
    assert 150 < old < 250  # about half are swapped for stored images
    assert len(pool.images) == 4
