"""Graded: the diagonal Fisher against torch.func per-sample gradients, the EWC penalty, online
EWC and EWC's measured forgetting on permuted digits (part "ewc", 20 points)."""

import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call, grad, vmap

from autograder.testing import StudentError, assert_close, part, points, watch_call

TOL = {"rtol": 1e-4, "atol": 1e-7}


def per_sample(ref, x, c):
    """d/d theta log p(c_n | x_n) for every n by torch.func (float64)."""
    params = {k: v.detach() for k, v in ref.named_parameters()}

    def log_p(p, xn, cn):
        return F.log_softmax(functional_call(ref, p, (xn[None],)), -1)[0].gather(0, cn[None])[0]

    return vmap(grad(log_p), in_dims=(None, 0, 0))(params, x, c)


def sandbox_model(student, ref, device):
    """The student's make_mlp with ReLU, so the reference is rebuilt the same way."""
    model = student.cl_train.make_mlp(6, 8, 4)
    model.load_state_dict(ref.state_dict())
    model.double()
    model.to(device)
    return model


def relu_ref(rng, device):
    torch.manual_seed(int(rng.integers(1000)))
    ref = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
    return ref.double().to(device)


def forgetting_runs(student, reference, device, **kw):
    stream = [{k: v.to(device) for k, v in e.items()}
              for e in reference.cl_streams.permuted_digits(3, seed=0)]
    naive = reference.cl_train.make_mlp(seed=0).to(device)
    r_naive = reference.cl_train.train_naive(naive, stream, epochs=3)
    model = student.cl_train.make_mlp(seed=0)
    model.to(device)
    r = student.ewc.train_ewc(model, stream, epochs=3, **kw)
    return r, r_naive


@part("ewc")
@points(2)
def test_online_fisher(student, rng, device):
    """online_fisher is gamma * old + new (new itself when old is None) without modifying its
    arguments."""
    old = {"a": torch.as_tensor(rng.uniform(size=(3, 2)), device=device),
           "b": torch.as_tensor(rng.uniform(size=4), device=device)}
    new = {k: torch.as_tensor(rng.uniform(size=v.shape), device=device) for k, v in old.items()}
    for gamma in (1.0, 0.6):
        call = watch_call(student.ewc.online_fisher, old, new, gamma)
        assert not call.changed, f"online_fisher modified {call.changed} in place"
        for k in old:
            assert_close(call.result[k], gamma * old[k] + new[k], rtol=1e-12,
                         name=f"{k} with gamma={gamma}")
    first = student.ewc.online_fisher(None, new, 0.5)
    for k in new:
        assert_close(first[k], new[k], rtol=1e-12, name=f"{k} of the first experience")


@part("ewc")
@points(3)
def test_ewc_penalty(student, rng, device):
    """ewc_penalty = lam/2 sum_k F_k (theta_k - theta*_k)^2 over the parameters the Fisher names
    (a subset here), and 0 at the anchor."""
    ref = relu_ref(rng, device)
    model = sandbox_model(student, ref, device)
    params = dict(ref.named_parameters())
    fisher = {k: torch.as_tensor(rng.uniform(0, 2, params[k].shape), device=device)
              for k in ("0.weight", "2.bias")}
    anchor = {k: params[k].detach() + torch.as_tensor(rng.normal(size=params[k].shape),
                                                      device=device) for k in fisher}
    for lam in (1.0, 7.5):
        call = watch_call(student.ewc.ewc_penalty, model, fisher, anchor, lam)
        assert not call.changed, f"ewc_penalty modified {call.changed} in place"
        want = lam / 2 * sum((fisher[k] * (params[k] - anchor[k]) ** 2).sum() for k in fisher)
        assert_close(call.result, want.detach(), rtol=1e-9, name=f"the penalty with lam={lam}")
    at_anchor = {k: params[k].detach().clone() for k in fisher}
    assert_close(student.ewc.ewc_penalty(model, fisher, at_anchor, 3.0), 0.0, atol=1e-12,
                 name="the penalty at the anchor")


@part("ewc")
@points(4)
def test_empirical_fisher(student, rng, device):
    """fisher_diagonal(empirical=True) is the mean over examples of the squared per-sample
    gradient of log p(y_n | x_n), for every named parameter."""
    ref = relu_ref(rng, device)
    model = sandbox_model(student, ref, device)
    x = torch.as_tensor(rng.normal(size=(40, 6)), device=device)
    y = torch.as_tensor(rng.integers(0, 4, 40), device=device)
    got = student.ewc.fisher_diagonal(model, x, y, empirical=True)
    want = {k: (g ** 2).mean(0) for k, g in per_sample(ref, x, y).items()}
    assert sorted(got) == sorted(want), "the Fisher should have one entry per named parameter"
    for k in want:
        assert_close(got[k], want[k], **TOL, name=f"empirical Fisher of {k}")


@part("ewc")
@points(4)
def test_true_fisher(student, rng, device):
    """fisher_diagonal(empirical=False) weights every class's squared per-sample gradient by the
    model's own p(c | x_n), and ignores the labels."""
    ref = relu_ref(rng, device)
    model = sandbox_model(student, ref, device)
    x = torch.as_tensor(rng.normal(size=(30, 6)), device=device)
    with torch.no_grad():
        p = F.softmax(ref(x), -1)
    want = {k: torch.zeros_like(v) for k, v in ref.named_parameters()}
    for c in range(4):
        grads = per_sample(ref, x, torch.full((30,), c, device=device))
        for k, g in grads.items():
            want[k] += (p[:, c].reshape(-1, *[1] * (g.dim() - 1)) * g ** 2).mean(0)
    got = student.ewc.fisher_diagonal(model, x, empirical=False)
    for k in want:
        assert_close(got[k], want[k], **TOL, name=f"true Fisher of {k}")
    y = torch.as_tensor(rng.integers(0, 4, 30), device=device)
    with_labels = student.ewc.fisher_diagonal(model, x, y, empirical=False)
    for k in want:
        assert_close(with_labels[k], want[k], **TOL, name=f"true Fisher of {k} given labels")


@part("ewc")
@points(2)
def test_fisher_leaves_model_alone(student, rng, device):
    """fisher_diagonal changes neither the parameters nor their gradients, is repeatable, and
    raises ValueError for the empirical Fisher without labels."""
    ref = relu_ref(rng, device)
    model = sandbox_model(student, ref, device)
    x = torch.as_tensor(rng.normal(size=(12, 6)), device=device)
    y = torch.as_tensor(rng.integers(0, 4, 12), device=device)
    first = student.ewc.fisher_diagonal(model, x, y)
    second = student.ewc.fisher_diagonal(model, x, y)
    for k, v in ref.state_dict().items():
        assert_close(model.state_dict()[k], v, rtol=0, atol=0, name=f"{k} after the call")
        assert_close(second[k], first[k], rtol=1e-12, name=f"a second call's Fisher of {k}")
    grads = [getattr(model, "0").weight.grad, getattr(model, "2").bias.grad]
    assert all(g is None or float(g.abs().max()) == 0 for g in grads), (
        "fisher_diagonal should leave the parameters' .grad as it found them (None)")
    with pytest.raises(StudentError) as raised:
        student.ewc.fisher_diagonal(model, x, None, empirical=True)
    assert raised.value.type_name == "ValueError", "the empirical Fisher without y should raise"


@part("ewc")
@points(3)
def test_ewc_forgets_less_than_naive(student, reference, device):
    """train_ewc (lam 30) on permuted digits forgets at least 0.1 less than naive fine-tuning
    from the same weights, and still learns the last experience (R[T-1, T-1] >= 0.6)."""
    r, r_naive = forgetting_runs(student, reference, device, lam=30.0)
    assert tuple(r.shape) == (3, 3), "R should be (T, T)"
    f, f_naive = reference.cl_metrics.forgetting(r), reference.cl_metrics.forgetting(r_naive)
    assert f <= f_naive - 0.1, f"EWC forgets {f:.2f}, naive {f_naive:.2f}: not 0.1 less"
    assert float(r[-1, -1]) >= 0.6, "EWC should still learn the last experience"


@part("ewc")
@points(2)
def test_online_ewc_forgets_less_than_naive(student, reference, device):
    """train_ewc(online=True, lam 30, gamma 1) on permuted digits forgets at least 0.1 less than
    naive fine-tuning and still learns the last experience."""
    r, r_naive = forgetting_runs(student, reference, device, lam=30.0, online=True)
    f, f_naive = reference.cl_metrics.forgetting(r), reference.cl_metrics.forgetting(r_naive)
    assert f <= f_naive - 0.1, f"online EWC forgets {f:.2f}, naive {f_naive:.2f}: not 0.1 less"
    assert float(r[-1, -1]) >= 0.6, "online EWC should still learn the last experience"
