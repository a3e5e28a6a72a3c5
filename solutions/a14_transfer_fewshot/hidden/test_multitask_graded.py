"""Graded: the shared-trunk network, uncertainty weighting against its formula, and
multi-task training beating single-task training on a low-data task (part "multitask")."""

import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points, watch_call


def ref_net(in_dim, hidden, outs):
    trunk = torch.nn.Sequential(torch.nn.Linear(in_dim, hidden), torch.nn.ReLU(),
                                torch.nn.Linear(hidden, hidden), torch.nn.ReLU())
    return trunk, [torch.nn.Linear(hidden, o) for o in outs]


def related_tasks(n_a, n_b, seed, device):
    """Two regression tasks on the same 3 hidden features tanh(W x) of a 10-d input."""
    g = torch.Generator().manual_seed(4321)
    w = torch.randn(3, 10, generator=g) * 0.6
    a = torch.randn(2, 3, generator=g)
    g = torch.Generator().manual_seed(seed)
    out = []
    for t, (noise, n) in enumerate(((0.3, n_a), (0.1, n_b))):
        x = torch.randn(n, 10, generator=g)
        y = (torch.tanh(x @ w.T) @ a[t])[:, None] + noise * torch.randn(n, 1, generator=g)
        out.append((x.to(device), y.to(device)))
    return out


@part("multitask")
@points(3)
def test_multitask_net(student, rng, device):
    """MultiTaskNet: trunk and heads by parameter shapes; forward(x, t) is head t on the shared
    trunk (float64, copied weights); task_mse is that head's MSE."""
    net = student.multitask.MultiTaskNet(6, 9, [2, 1, 3])
    trunk, heads = ref_net(6, 9, [2, 1, 3])
    got = sorted(tuple(v.shape) for v in net.state_dict().values())
    want = sorted([tuple(v.shape) for v in trunk.state_dict().values()]
                  + [tuple(v.shape) for h in heads for v in h.state_dict().values()])
    assert got == want, "the parameters do not match a 2-layer trunk and one head per task"
    state = {f"trunk.{k}": v for k, v in trunk.state_dict().items()}
    for i, h in enumerate(heads):
        state.update({f"heads.{i}.{k}": v for k, v in h.state_dict().items()})
    net.double()
    net.load_state_dict(state)
    net.to(device)
    trunk, heads = trunk.double().to(device), [h.double().to(device) for h in heads]
    x = torch.as_tensor(rng.normal(size=(5, 6)), device=device)
    for t in range(3):
        want_t = heads[t](trunk(x)).detach()
        assert_close(net(x, t), want_t, rtol=1e-10, atol=1e-12, name=f"head {t}'s output")
        y = torch.as_tensor(rng.normal(size=tuple(want_t.shape)), device=device)
        mse = float(((want_t - y) ** 2).mean())
        got_mse = student.multitask.task_mse(net, x, y, t)
        assert abs(got_mse - mse) <= 1e-9 * max(1, mse), f"task_mse of head {t} is wrong"


@part("multitask")
@points(4)
def test_uncertainty_weighting_formula(student, rng, device):
    """UncertaintyWeighting: s = 0 at the start; forward is sum exp(-s_t) L_t + s_t (float64),
    its gradients are exp(-s_t) for L_t and 1 - exp(-s_t) L_t for s_t; the losses are not
    modified."""
    uw = student.multitask.UncertaintyWeighting(3)
    s0 = uw.log_vars
    assert tuple(s0.shape) == (3,) and float(s0.abs().max()) == 0.0, "log_vars should start at 0"
    s = torch.as_tensor(rng.normal(size=3))
    uw.double()
    uw.load_state_dict({"log_vars": s})
    uw.to(device)
    losses = torch.as_tensor(rng.uniform(0.1, 3.0, 3), device=device)
    call = watch_call(uw, losses)
    assert not call.changed, "forward modified the losses"
    sd = s.to(device)
    want = (torch.exp(-sd) * losses + sd).sum()
    assert_close(call.result.reshape(()), want, rtol=1e-12, atol=1e-12, name="the weighted loss")
    grads = student.lib("dnn.autograd").gradients(uw, [losses], torch.ones((), device=device,
                                                                          dtype=torch.float64))
    assert_close(grads["input0"], torch.exp(-sd), rtol=1e-12, atol=1e-12, name="dL/dL_t")
    assert_close(grads["log_vars"], 1 - torch.exp(-sd) * losses, rtol=1e-10, atol=1e-12,
                 name="dL/ds_t")


@part("multitask")
@points(2)
def test_uncertainty_weights(student, rng, device):
    """weights() is exp(-s_t)."""
    uw = student.multitask.UncertaintyWeighting(4)
    s = torch.as_tensor(rng.normal(size=4), dtype=torch.float32)
    uw.load_state_dict({"log_vars": s})
    uw.to(device)
    assert_close(uw.weights(), torch.exp(-s).to(device), rtol=1e-6, atol=1e-7, name="weights")


@part("multitask")
@points(3)
def test_train_multitask_contract(student, device):
    """train_multitask: heads sized by the targets, the log-variances learned under
    "uncertainty" (towards log L_t: the noisier task gets the smaller weight) and left at 0
    under "sum", the training loss falls, and another weighting raises ValueError."""
    (xa, ya), (xb, yb) = related_tasks(100, 100, 3, device)
    yb2 = torch.cat([yb, -yb], 1)
    before = float(((ya - ya.mean()) ** 2).mean())
    net, uw = student.multitask.train_multitask([xa, xb], [ya * 3, yb2], hidden=16, epochs=150,
                                                weighting="uncertainty")
    assert tuple(net(xb, 1).shape) == (100, 2), "head 1 should have 2 outputs"
    w = uw.weights()
    assert float(w[0]) < float(w[1]), "the noisier task should get the smaller weight"
    assert float((w - 1).abs().max()) > 0.5, "the log-variances were not learned"
    mse = student.multitask.task_mse(net, xa, ya * 3, 0)
    assert mse < 0.5 * 9 * before, "the training loss did not fall"
    _, uw = student.multitask.train_multitask([xa], [ya], hidden=8, epochs=5, weighting="sum")
    assert float(uw.weights().sub(1).abs().max()) == 0.0, "under 'sum' s should stay 0"
    with pytest.raises(StudentError) as raised:
        student.multitask.train_multitask([xa], [ya], epochs=1, weighting="max")
    assert raised.value.type_name == "ValueError", "an unknown weighting should raise ValueError"


@part("multitask")
@points(3)
def test_multitask_beats_single_task(student, rng, device):
    """Low-data regime: task B has 20 examples, the related task A 200. The multi-task network
    (uncertainty weighting, 200 epochs) has a clearly lower test MSE on B than a single-task
    network of the same size trained on B alone (two data draws)."""
    mt_total, st_total = 0.0, 0.0
    for seed in (int(rng.integers(1000)), int(rng.integers(1000))):
        (xa, ya), (xb, yb) = related_tasks(200, 20, seed, device)
        (_, _), (xt, yt) = related_tasks(1, 2000, seed + 7919, device)
        net, _ = student.multitask.train_multitask([xa, xb], [ya, yb], hidden=32, epochs=200,
                                                   seed=seed)
        single, _ = student.multitask.train_multitask([xb], [yb], hidden=32, epochs=200,
                                                      weighting="sum", seed=seed)
        mt_total += float(((net(xt, 1) - yt) ** 2).mean())
        st_total += float(((single(xt, 0) - yt) ** 2).mean())
    assert mt_total < 0.9 * st_total, \
        (f"multi-task MSE on B ({mt_total / 2:.2f}) is not clearly below single-task "
         f"({st_total / 2:.2f})")
