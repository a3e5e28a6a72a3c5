"""Public tests of prototypical networks (a sample of what is graded)."""

import torch
from protonet import ConvEmbedder, episode_loss, proto_logits, prototypes


def test_prototypes_are_means():
    s = torch.randn(4, 3, 6, dtype=torch.float64)
    torch.testing.assert_close(prototypes(s), s.mean(1))


def test_logits_are_negative_squared_distances():
    q, c = torch.randn(5, 6, dtype=torch.float64), torch.randn(3, 6, dtype=torch.float64)
    torch.testing.assert_close(proto_logits(q, c), -((q[:, None] - c[None]) ** 2).sum(-1))


def test_embedder_shape():
    assert ConvEmbedder(3, 8, 3)(torch.rand(2, 3, 16, 16)).shape == (2, 8 * 2 * 2)


def test_episode_loss_runs_and_is_scalar():
    torch.manual_seed(0)
    model = ConvEmbedder(3, 4, 2)
    loss, acc = episode_loss(model, torch.rand(3, 2, 3, 8, 8), torch.rand(3, 4, 3, 8, 8))
    assert loss.ndim == 0 and loss.requires_grad and 0.0 <= acc <= 1.0
