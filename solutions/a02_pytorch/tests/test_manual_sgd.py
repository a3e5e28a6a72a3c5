"""ManualSGD follows torch.optim.SGD step by step."""

import torch
from manual_sgd import ManualSGD


def test_matches_torch_sgd_with_momentum() -> None:
    torch.manual_seed(0)
    w0 = torch.randn(3, 2, dtype=torch.float64)
    mine, ref = w0.clone().requires_grad_(), w0.clone().requires_grad_()
    opt = ManualSGD([mine], lr=0.1, momentum=0.9, weight_decay=0.01)
    torch_opt = torch.optim.SGD([ref], lr=0.1, momentum=0.9, weight_decay=0.01)
    for _ in range(4):
        g = torch.randn(3, 2, dtype=torch.float64)
        mine.grad, ref.grad = g.clone(), g.clone()
        opt.step()
        torch_opt.step()
    torch.testing.assert_close(mine.detach(), ref.detach())
    opt.zero_grad()
    assert mine.grad is None


def test_dampening_starts_with_the_first_step() -> None:
    torch.manual_seed(1)
    w0 = torch.randn(4, dtype=torch.float64)
    mine, ref = w0.clone().requires_grad_(), w0.clone().requires_grad_()
    opt = ManualSGD([mine], lr=0.1, momentum=0.9, dampening=0.3)
    torch_opt = torch.optim.SGD([ref], lr=0.1, momentum=0.9, dampening=0.3)
    for _ in range(3):
        g = torch.randn(4, dtype=torch.float64)
        mine.grad, ref.grad = g.clone(), g.clone()
        opt.step()
        torch_opt.step()
    torch.testing.assert_close(mine.detach(), ref.detach())
