"""CycleGAN (Zhu et al. 2017): least-squares adversarial losses, the cycle-consistency and
identity losses of two generators G_AB: A -> B and G_BA: B -> A, and the image history buffer.

With a (B, ...) images of domain A and b of domain B, means over every element:

    cycle    = w (mean |G_BA(G_AB(a)) - a| + mean |G_AB(G_BA(b)) - b|)          (L1)
    identity = w (mean |G_AB(b) - b| + mean |G_BA(a) - a|)     (each generator on its target)
    LSGAN D  = 1/2 (mean (D(real) - 1)^2 + mean D(fake)^2),   LSGAN G = mean (D(fake) - 1)^2

The history buffer (Shrivastava et al. 2017) of size N shows D a mix of current and earlier
fakes. For each image of a batch, in order: while fewer than N are stored, the image is stored
in the next slot and returned; once full, with probability 1/2 (u > 1/2 for u ~ U[0, 1)) a
slot j uniform in {0, ..., N - 1} is drawn, the stored image is returned and the new one takes
its slot; otherwise the new image is returned and the buffer is unchanged. N = 0 returns the
batch unchanged.
"""

import torch
from torch import Tensor, nn


def cycle_loss(real_a: Tensor, real_b: Tensor, g_ab: nn.Module, g_ba: nn.Module,
               weight: float = 10.0) -> Tensor:
    """The weighted L1 cycle-consistency loss above, a scalar."""
    forward = (g_ba(g_ab(real_a)) - real_a).abs().mean()
    backward = (g_ab(g_ba(real_b)) - real_b).abs().mean()
    return weight * (forward + backward)


def identity_loss(real_a: Tensor, real_b: Tensor, g_ab: nn.Module, g_ba: nn.Module,
                  weight: float = 5.0) -> Tensor:
    """The weighted L1 identity loss above (G_AB fed domain B, G_BA fed domain A), a scalar."""
    return weight * ((g_ab(real_b) - real_b).abs().mean() + (g_ba(real_a) - real_a).abs().mean())


def lsgan_d_loss(real_out: Tensor, fake_out: Tensor) -> Tensor:
    """The least-squares discriminator loss 1/2 (mean (real - 1)^2 + mean fake^2), a scalar."""
    raise NotImplementedError('implement lsgan_d_loss in cyclegan.py')


def lsgan_g_loss(fake_out: Tensor) -> Tensor:
    """The least-squares generator loss mean (fake - 1)^2, a scalar."""
    return ((fake_out - 1) ** 2).mean()


class ImagePool:
    """The history buffer above, with room for ``size`` images; its coin flips and slot draws
    come from a torch.Generator seeded ``seed`` (CPU). ``images`` is the list of stored images
    in slot order. Raises ValueError when size < 0."""

    def __init__(self, size: int, seed: int = 0) -> None:
        if size < 0:
            raise ValueError("the pool size must be >= 0")
        self.size = size
        self.images: list[Tensor] = []
        self.generator = torch.Generator().manual_seed(seed)

    def query(self, batch: Tensor) -> Tensor:
        """(B, ...) fakes -> (B, ...) images to show the discriminator, detached; stores
        detached copies."""
        if self.size == 0:
            return batch.detach()
        out = []
        for image in batch.detach():
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
            elif torch.rand(1, generator=self.generator).item() > 0.5:
                j = int(torch.randint(0, self.size, (1,), generator=self.generator))
                out.append(image)
                self.images[j] = image.clone()
            else:
                out.append(image)
        return torch.stack(out)
