"""Attacks on a small fixed linear classifier."""

import torch
from attacks import accuracy, fgsm, pgd, project_l2, project_linf, random_start


def linear() -> torch.nn.Module:
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3).double()
    return model.eval()


X = torch.full((5, 4), 0.5, dtype=torch.float64)
Y = torch.tensor([0, 1, 2, 0, 1])


def test_fgsm_moves_eps_up_the_loss() -> None:
    model = linear()
    adv = fgsm(model, X, Y, 0.1)
    torch.testing.assert_close((adv - X).abs(), torch.full_like(X, 0.1))
    loss = torch.nn.functional.cross_entropy
    assert loss(model(adv), Y) > loss(model(X), Y)
    assert (X == 0.5).all()


def test_projections() -> None:
    d = torch.tensor([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    torch.testing.assert_close(project_linf(d, 0.5), d.clamp(-0.5, 0.5))
    torch.testing.assert_close(project_l2(d, 1.0), torch.tensor([[0.6, 0.8], [0.3, 0.4], [0, 0]]))


def test_random_start_is_seeded_and_bounded() -> None:
    a, b = random_start(X, 0.2, "linf", 1), random_start(X, 0.2, "linf", 1)
    assert torch.equal(a, b) and a.abs().max() <= 0.2 and a.dtype == X.dtype
    r = random_start(X, 0.2, "l2", 1).norm(dim=1)
    assert (r <= 0.2 + 1e-12).all()


def test_pgd_stays_in_the_ball_and_beats_fgsm() -> None:
    model = linear()
    adv = pgd(model, X, Y, 0.2, 0.05, 10, "linf")
    assert (adv - X).abs().max() <= 0.2 + 1e-12
    loss = torch.nn.functional.cross_entropy
    assert loss(model(adv), Y) >= loss(model(fgsm(model, X, Y, 0.2)), Y) - 1e-9
    adv2 = pgd(model, X, Y, 0.3, 0.1, 10, "l2")
    assert ((adv2 - X).norm(dim=1) <= 0.3 + 1e-9).all()
    assert torch.equal(pgd(model, X, Y, 0.2, 0.05, 0, "linf"), X)
    assert 0.0 <= accuracy(model, adv, Y) <= accuracy(model, X, Y)
