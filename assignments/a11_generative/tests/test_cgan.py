"""The one-hot conditioning, the projection discriminator's formula and the conditional losses."""

import pytest
import torch
from cgan import ConditionalGenerator, ProjectionDiscriminator, condition, discriminator_loss


def test_condition_puts_z_first() -> None:
    z = torch.randn(3, 2, dtype=torch.float64)
    out = condition(z, torch.tensor([2, 0, 1]), 3)
    assert out.dtype == torch.float64 and out.shape == (3, 5)
    assert torch.equal(out[:, :2], z) and torch.equal(out[:, 2:], torch.eye(3)[[2, 0, 1]].double())
    with pytest.raises(ValueError):
        condition(z, torch.tensor([0, 3, 1]), 3)


def test_generator_and_projection_shapes() -> None:
    gen = ConditionalGenerator(2, 4, 8)
    assert gen(torch.randn(5, 2), torch.tensor([0, 1, 2, 3, 0])).shape == (5, 2)
    disc = ProjectionDiscriminator(2, 4, 8)
    x, y = torch.randn(5, 2), torch.tensor([0, 1, 2, 3, 0])
    h = disc.phi(x)
    want = disc.psi(h).squeeze(-1) + (disc.embed(y) * h).sum(-1)
    assert torch.allclose(disc(x, y), want)


def test_discriminator_loss_detaches_fakes() -> None:
    disc = ProjectionDiscriminator(2, 3, 8)
    fake = torch.randn(4, 2, requires_grad=True)
    loss = discriminator_loss(disc, torch.randn(4, 2), torch.tensor([0, 1, 2, 0]), fake,
                              torch.tensor([1, 1, 0, 2]))
    loss.backward()
    assert fake.grad is None
