"""Graded: MAML's inner loop, its second- and first-order meta-gradients against a float64
torch.func reference, and meta-training against a pretrained baseline (part "maml")."""

import math

import torch
from torch.func import functional_call, grad

from autograder.testing import assert_close, part, points, watch_call


def ref_model(hidden):
    return torch.nn.Sequential(torch.nn.Linear(1, hidden), torch.nn.ReLU(),
                               torch.nn.Linear(hidden, hidden), torch.nn.ReLU(),
                               torch.nn.Linear(hidden, 1))


def tasks(rng, n_tasks, n_points, device):
    amp = torch.as_tensor(rng.uniform(0.1, 5.0, n_tasks))
    phase = torch.as_tensor(rng.uniform(0, math.pi, n_tasks))
    x = torch.as_tensor(rng.uniform(-5, 5, (n_tasks, n_points, 1)))
    y = amp[:, None, None] * torch.sin(x - phase[:, None, None])
    return x.to(device), y.to(device)


def setup(student, rng, device, hidden=8):
    """A float64 student regressor and a reference with the same random weights."""
    ref = ref_model(hidden).double()
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(torch.as_tensor(rng.normal(size=tuple(p.shape)) * 0.7))
    ref = ref.to(device)
    model = student.maml.make_regressor(hidden)
    model.double()
    model.load_state_dict(ref.state_dict())
    model.to(device)
    return model, ref


def ref_adapt(ref, params, x, y, lr, steps, first_order):
    def loss(p, xx, yy):
        return torch.mean((functional_call(ref, p, (xx,)) - yy) ** 2)
    for _ in range(steps):
        g = grad(loss)(params, x, y)
        if first_order:
            g = {k: v.detach() for k, v in g.items()}
        params = {k: params[k] - lr * g[k] for k in params}
    return params, loss


def ref_meta_gradient(ref, xs, ys, xq, yq, lr, steps, first_order):
    params = {k: v.detach() for k, v in ref.named_parameters()}

    def objective(p):
        total = 0.0
        for t in range(len(xs)):
            adapted, loss = ref_adapt(ref, p, xs[t], ys[t], lr, steps, first_order=False)
            total = total + loss(adapted, xq[t], yq[t])
        return total / len(xs)

    if not first_order:
        return grad(objective)(params)
    out = {k: torch.zeros_like(v) for k, v in params.items()}
    for t in range(len(xs)):   # FOMAML: the query gradient at the adapted parameters
        adapted, loss = ref_adapt(ref, params, xs[t], ys[t], lr, steps, first_order=True)
        adapted = {k: v.detach() for k, v in adapted.items()}
        g = grad(loss)(adapted, xq[t], yq[t])
        out = {k: out[k] + g[k] / len(xs) for k in out}
    return out


@part("maml")
@points(2)
def test_make_regressor(student):
    """make_regressor(h): Linear(1, h), ReLU, Linear(h, h), ReLU, Linear(h, 1) by parameter
    shapes and names."""
    got = {k: tuple(v.shape) for k, v in student.maml.make_regressor(7).state_dict().items()}
    want = {k: tuple(v.shape) for k, v in ref_model(7).state_dict().items()}
    assert got == want, "the regressor's parameters do not match the specified layers"


@part("maml")
@points(2)
def test_adapt_matches_reference(student, rng, device):
    """adapt: S gradient steps on the support MSE (float64, against torch.func), first and second
    order give the same values, and neither params nor the model is modified."""
    model, ref = setup(student, rng, device)
    x, y = tasks(rng, 1, 10, device)
    params = {k: v.detach().clone() for k, v in ref.named_parameters()}
    for steps in (1, 3):
        want, _ = ref_adapt(ref, params, x[0], y[0], 0.05, steps, False)
        for fo in (False, True):
            call = watch_call(student.maml.adapt, model, params, x[0], y[0], inner_lr=0.05,
                              steps=steps, first_order=fo)
            assert not call.changed, f"adapt modified {call.changed}"
            assert set(call.result) == set(want), "adapt should return the same keys as params"
            for k in want:
                assert_close(call.result[k], want[k], rtol=1e-9, atol=1e-11,
                             name=f"{k} after {steps} step(s), first_order={fo}")
    after = model.state_dict()
    for k, v in ref.state_dict().items():
        assert_close(after[k], v, rtol=0, atol=0, name=f"the model's {k} after adapt")


@part("maml")
@points(3)
def test_maml_objective(student, rng, device):
    """maml_objective is the mean query MSE after adaptation (float64 reference)."""
    model, ref = setup(student, rng, device)
    xs, ys = tasks(rng, 3, 6, device)
    xq, yq = tasks(rng, 3, 9, device)
    got = student.maml.maml_objective(model, xs, ys, xq, yq, inner_lr=0.02, steps=2)
    params = {k: v.detach() for k, v in ref.named_parameters()}
    want = 0.0
    for t in range(3):
        adapted, loss = ref_adapt(ref, params, xs[t], ys[t], 0.02, 2, False)
        want += float(loss(adapted, xq[t], yq[t])) / 3
    assert abs(float(got) - want) <= 1e-9 * max(1.0, abs(want)), "the meta-objective is wrong"


@part("maml")
@points(4)
def test_second_order_meta_gradient(student, rng, device):
    """meta_gradient(first_order=False) equals torch.func's gradient through the inner loop,
    Hessian terms included (float64; 1 and 2 inner steps)."""
    model, ref = setup(student, rng, device)
    xs, ys = tasks(rng, 3, 8, device)
    xq, yq = tasks(rng, 3, 8, device)
    for steps in (1, 2):
        got = student.maml.meta_gradient(model, xs, ys, xq, yq, inner_lr=0.03, steps=steps)
        want = ref_meta_gradient(ref, xs, ys, xq, yq, 0.03, steps, False)
        assert set(got) == set(want), "meta_gradient should be keyed by parameter name"
        for k in want:
            assert_close(got[k], want[k], rtol=1e-8, atol=1e-10,
                         name=f"second-order dJ/d{k} with {steps} step(s)")


@part("maml")
@points(3)
def test_first_order_meta_gradient(student, rng, device):
    """meta_gradient(first_order=True) is the mean query gradient at the adapted parameters
    (FOMAML), which differs from the second-order one."""
    model, ref = setup(student, rng, device)
    xs, ys = tasks(rng, 3, 8, device)
    xq, yq = tasks(rng, 3, 8, device)
    for steps in (1, 2):
        got = student.maml.meta_gradient(model, xs, ys, xq, yq, inner_lr=0.03, steps=steps,
                                         first_order=True)
        want = ref_meta_gradient(ref, xs, ys, xq, yq, 0.03, steps, True)
        for k in want:
            assert_close(got[k], want[k], rtol=1e-8, atol=1e-10,
                         name=f"first-order dJ/d{k} with {steps} step(s)")


@part("maml")
@points(3)
def test_adaptation_curve(student, rng, device):
    """adaptation_curve: the query MSE after 0..S plain SGD steps per task, averaged over tasks
    (float64 reference); the model is not modified."""
    model, ref = setup(student, rng, device)
    xs, ys = tasks(rng, 3, 10, device)
    xq, yq = tasks(rng, 3, 10, device)
    got = student.maml.adaptation_curve(model, xs, ys, xq, yq, inner_lr=0.02, steps=3)
    assert len(got) == 4, "S + 1 values"
    params = {k: v.detach() for k, v in ref.named_parameters()}
    for i in range(4):
        want = 0.0
        for t in range(3):
            adapted, loss = ref_adapt(ref, params, xs[t], ys[t], 0.02, i, True)
            want += float(loss(adapted, xq[t], yq[t])) / 3
        assert abs(got[i] - want) <= 1e-8 * max(1.0, want), f"the query MSE after {i} step(s)"
    after = model.state_dict()
    for k, v in ref.state_dict().items():
        assert_close(after[k], v, rtol=0, atol=0, name=f"the model's {k} afterwards")


@part("maml")
@points(4)
def test_maml_beats_pretrained_baseline(student, rng, device):
    """train_maml (second order, 1 inner step, 200 meta-steps) against pretrain_baseline with the
    same budget and initialisation: on new sinusoids, 5 adaptation steps on 10 support points
    lower MAML's query MSE at least twice as much as the baseline's, ending clearly below it."""
    torch.manual_seed(int(rng.integers(1000)))
    init = {k: v.clone() for k, v in ref_model(40).state_dict().items()}
    models = {}
    for name in ("maml", "baseline"):
        model = student.maml.make_regressor(40)
        model.load_state_dict(init)
        model.to(device)
        if name == "baseline":
            student.maml.pretrain_baseline(model, train_steps=200, batch=4, lr=1e-2, seed=1)
        else:
            student.maml.train_maml(model, meta_steps=200, meta_batch=4, inner_lr=0.01, steps=1,
                                    meta_lr=1e-2, seed=1)
        models[name] = model
    xs = torch.as_tensor(rng.uniform(-5, 5, (40, 10, 1)), device=device).float()
    xq = torch.as_tensor(rng.uniform(-5, 5, (40, 10, 1)), device=device).float()
    amp = torch.as_tensor(rng.uniform(0.1, 5.0, 40), device=device).float()
    phase = torch.as_tensor(rng.uniform(0, math.pi, 40), device=device).float()
    ys = amp[:, None, None] * torch.sin(xs - phase[:, None, None])
    yq = amp[:, None, None] * torch.sin(xq - phase[:, None, None])
    curves = {n: student.maml.adaptation_curve(m, xs, ys, xq, yq, inner_lr=0.01, steps=5)
              for n, m in models.items()}
    maml, base = curves["maml"], curves["baseline"]
    assert maml[0] - maml[-1] > 2 * (base[0] - base[-1]), \
        "MAML's model does not adapt clearly faster than the pretrained baseline"
    assert maml[-1] < 0.85 * base[-1], \
        f"MAML's post-adaptation MSE {maml[-1]:.2f} is not clearly below the baseline's"
