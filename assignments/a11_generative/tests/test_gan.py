"""GAN losses on a few logits, the gradient penalty by autograd and the MLP."""

import numpy as np
import torch
from gan import (
    d_loss_hinge,
    d_loss_minimax,
    g_loss_hinge,
    g_loss_minimax,
    g_loss_nonsaturating,
    gradient_penalty,
    mlp,
)

R = torch.tensor([2.0, -1.0, 40.0], dtype=torch.float64)
F = torch.tensor([-3.0, 0.5, -50.0], dtype=torch.float64)


def sp(t: torch.Tensor) -> np.ndarray:
    return np.logaddexp(0.0, t.numpy())


def test_losses() -> None:
    assert np.isclose(d_loss_minimax(R, F).item(), sp(-R).mean() + sp(F).mean())
    assert np.isclose(g_loss_minimax(F).item(), -sp(F).mean())
    assert np.isclose(g_loss_nonsaturating(F).item(), sp(-F).mean())
    r, f = R.numpy(), F.numpy()
    hinge = np.maximum(0, 1 - r).mean() + np.maximum(0, 1 + f).mean()
    assert np.isclose(d_loss_hinge(R, F).item(), hinge)
    assert np.isclose(g_loss_hinge(F).item(), -F.mean().item())


def test_gradient_penalty_of_a_linear_critic() -> None:
    critic = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[2.0, 0.0, 0.0]]))
    real, fake = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    gp = gradient_penalty(critic, real, fake, torch.rand(4, dtype=torch.float64))
    assert np.isclose(gp.item(), 1.0)  # ||w|| = 2 everywhere: (2 - 1)^2


def test_mlp_shapes() -> None:
    net = mlp(2, 8, 1)
    assert [tuple(p.shape) for p in net.parameters()] == [(8, 2), (8,), (8, 8), (8,), (1, 8), (1,)]
