"""Public tests of multi-task learning (a sample of what is graded)."""

import torch
from multitask import MultiTaskNet, UncertaintyWeighting, train_multitask


def test_heads_share_the_trunk():
    net = MultiTaskNet(4, 8, [1, 3])
    x = torch.randn(5, 4)
    assert net(x, 0).shape == (5, 1) and net(x, 1).shape == (5, 3)


def test_uncertainty_weighting_formula():
    uw = UncertaintyWeighting(2)
    with torch.no_grad():
        uw.log_vars.copy_(torch.tensor([0.5, -1.0]))
    losses = torch.tensor([2.0, 0.3])
    want = torch.exp(torch.tensor(-0.5)) * 2.0 + 0.5 + torch.exp(torch.tensor(1.0)) * 0.3 - 1.0
    torch.testing.assert_close(uw(losses), want)
    torch.testing.assert_close(uw.weights(), torch.exp(-torch.tensor([0.5, -1.0])))


def test_training_learns_the_noise_levels():
    torch.manual_seed(0)
    x = torch.randn(100, 3)
    ya = x[:, :1] + 1.0 * torch.randn(100, 1)
    yb = x[:, 1:2] + 0.05 * torch.randn(100, 1)
    _, uw = train_multitask([x, x], [ya, yb], hidden=16, epochs=150)
    w = uw.weights()
    assert w[0] < w[1], "the noisier task should get the smaller weight"
