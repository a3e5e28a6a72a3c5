"""Public tests of MAML (a sample of what is graded)."""

import torch
import torch.nn.functional as F
from maml import adapt, make_regressor, meta_gradient


def tiny():
    torch.manual_seed(0)
    return make_regressor(5).double()


def test_one_inner_step():
    model = tiny()
    x, y = torch.randn(6, 1, dtype=torch.float64), torch.randn(6, 1, dtype=torch.float64)
    params = dict(model.named_parameters())
    grads = torch.autograd.grad(F.mse_loss(model(x), y), list(params.values()))
    got = adapt(model, params, x, y, inner_lr=0.1, steps=1)
    for (name, p), g in zip(params.items(), grads, strict=True):
        torch.testing.assert_close(got[name], p - 0.1 * g)


def test_first_order_differs_from_second_order():
    model = tiny()
    xs, ys = torch.randn(2, 5, 1, dtype=torch.float64), torch.randn(2, 5, 1, dtype=torch.float64)
    xq, yq = torch.randn(2, 5, 1, dtype=torch.float64), torch.randn(2, 5, 1, dtype=torch.float64)
    so = meta_gradient(model, xs, ys, xq, yq, inner_lr=0.3, steps=1)
    fo = meta_gradient(model, xs, ys, xq, yq, inner_lr=0.3, steps=1, first_order=True)
    assert set(so) == set(dict(model.named_parameters()))
    assert any(not torch.allclose(so[k], fo[k]) for k in so), "the Hessian term is missing"


def test_zero_inner_lr_is_plain_gradient():
    model = tiny()
    xs, ys = torch.randn(1, 5, 1, dtype=torch.float64), torch.randn(1, 5, 1, dtype=torch.float64)
    xq, yq = torch.randn(1, 5, 1, dtype=torch.float64), torch.randn(1, 5, 1, dtype=torch.float64)
    got = meta_gradient(model, xs, ys, xq, yq, inner_lr=0.0, steps=2)
    want = torch.autograd.grad(F.mse_loss(model(xq[0]), yq[0]), list(model.parameters()))
    for (name, _), w in zip(model.named_parameters(), want, strict=True):
        torch.testing.assert_close(got[name], w)
