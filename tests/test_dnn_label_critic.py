"""Tests of dnn.label_critic: the fixed class-conditional critic."""

import torch

from dnn.label_critic import label_critic


def test_label_critic_is_seeded_and_uses_the_label():
    a, b = label_critic(3, 5, seed=2), label_critic(3, 5, seed=2)
    x, y = torch.randn(6, 3), torch.tensor([0, 1, 2, 3, 4, 0])
    assert torch.equal(a(x, y), b(x, y)) and a(x, y).shape == (6,)
    assert not torch.equal(a(x, y), label_critic(3, 5, seed=3)(x, y))
    shifted = a(x, (y + 1) % 5) - a(x, y)
    want = (a.bias.weight[(y + 1) % 5] - a.bias.weight[y]).squeeze(-1)
    assert torch.allclose(shifted, want, atol=1e-6)
    state = torch.random.get_rng_state()
    label_critic(seed=7)
    assert torch.equal(torch.random.get_rng_state(), state)
