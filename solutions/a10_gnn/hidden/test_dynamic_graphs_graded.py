"""Graded: the GRU cell, the recurrent GCN and next-label prediction on a dynamic graph whose
node labels change over time (part "dynamic_graphs", 13 points). The labels of the predicted
steps stay in this process."""

import torch
from torch_geometric.nn import GCNConv

from autograder.testing import assert_close, part, points
from dnn.graphs import dynamic_communities


@part("dynamic_graphs")
@points(3)
def test_gru_cell_matches_torch(student, rng):
    """GRUCell equals torch.nn.GRUCell with copied weights (float64), gradients included."""
    ref = torch.nn.GRUCell(4, 5).double()
    cell = student.dynamic_gnn.GRUCell(4, 5)
    cell.double()
    cell.load_state_dict({k: v.detach() for k, v in ref.state_dict().items()})
    x = torch.from_numpy(rng.standard_normal((6, 4)))
    h = torch.from_numpy(rng.standard_normal((6, 5)))
    assert_close(cell(x, h), ref(x, h).detach(), rtol=1e-10, atol=1e-12, name="h'")
    upstream = torch.from_numpy(rng.standard_normal((6, 5)))
    grads = student.lib("dnn.autograd").gradients(cell, [x, h], upstream)
    tx, th = x.clone().requires_grad_(True), h.clone().requires_grad_(True)
    (ref(tx, th) * upstream).sum().backward()
    assert_close(grads.get("input1"), th.grad, rtol=1e-10, atol=1e-12, name="dL/dh")
    assert_close(grads.get("weight_hh"), ref.weight_hh.grad, rtol=1e-10, atol=1e-12,
                 name="dL/d weight_hh")


@part("dynamic_graphs")
@points(3)
def test_recurrent_gcn_forward(student, rng):
    """RecurrentGCN runs GCN -> ReLU -> GRU cell per snapshot from a zero state and reads out
    every step: equal to GCNConv, nn.GRUCell and nn.Linear with copied weights, on every call
    (each starts from zeros again) and for a single snapshot; predict_next_labels is the
    argmax of those logits."""
    conv, gru, out = GCNConv(3, 4).double(), torch.nn.GRUCell(4, 4).double(), torch.nn.Linear(
        4, 2).double()
    with torch.no_grad():
        conv.bias.copy_(torch.from_numpy(rng.standard_normal(4)))
    state = {"conv.lin.weight": conv.lin.weight, "conv.bias": conv.bias,
             **{f"gru.{k}": v for k, v in gru.state_dict().items()},
             **{f"out.{k}": v for k, v in out.state_dict().items()}}
    model = student.dynamic_gnn.RecurrentGCN(3, 4, 2)
    model.double()
    model.load_state_dict({k: v.detach() for k, v in state.items()})
    snaps = dynamic_communities(16, 2, 4, feature_dim=3, seed=int(rng.integers(1000)))
    xs = [s.x.double() for s in snaps]
    edges = [s.edge_index for s in snaps]
    h = torch.zeros(16, 4, dtype=torch.float64)
    want = []
    for x, e in zip(xs, edges, strict=True):
        h = gru(torch.relu(conv(x, e)), h)
        want.append(out(h))
    want = torch.stack(want).detach()
    for call in range(2):
        assert_close(model(xs, edges), want, rtol=1e-10, atol=1e-12,
                     name=f"RecurrentGCN logits (T, N, C), call {call + 1}")
    assert_close(model(xs[2:3], edges[2:3])[0], out(gru(torch.relu(conv(xs[2], edges[2])),
                 torch.zeros(16, 4, dtype=torch.float64))).detach(), rtol=1e-10, atol=1e-12,
                 name="RecurrentGCN logits of a single snapshot")
    model.train()
    pred = student.dynamic_gnn.predict_next_labels(model, xs, edges)
    assert isinstance(pred, torch.Tensor) and torch.equal(pred, want.argmax(dim=-1)), (
        "predict_next_labels must return the argmax (T, N) of the logits")


@part("dynamic_graphs")
@points(3)
def test_train_next_label_recipe(student, reference, rng):
    """train_next_label follows its docstring: torch.manual_seed(seed), the model with C = max
    label + 1 classes, logits_t of snapshots 0 .. T-2 against ys[t + 1], Adam: the same weights
    after 4 epochs as that recipe, with more snapshots than needed and with exactly T - 1; the
    model comes back in eval mode."""
    snaps = dynamic_communities(20, 3, 5, feature_dim=4, seed=int(rng.integers(1000)))
    xs, edges, ys = [s.x for s in snaps], [s.edge_index for s in snaps], [s.y for s in snaps]
    for kind, n_x, n_y in (("recurrent", 5, 4), ("recurrent", 1, 2), ("static", 3, 4)):
        kw = {"hidden": 5, "epochs": 4, "lr": 0.05, "seed": int(rng.integers(1, 50))}
        args = (kind, xs[:n_x], edges[:n_x], ys[:n_y])
        model = student.dynamic_gnn.train_next_label(*args, **kw)
        want = reference.dynamic_gnn.train_next_label(*args, **kw)
        what = f"{kind}, {n_x} snapshots, {n_y} labelled steps"
        assert model.training is False, f"{what}: the model comes back in eval mode"
        state = model.state_dict()
        for key, value in want.state_dict().items():
            assert key in state, f"{what}: the model has no parameter {key}"
            assert_close(state[key], value, rtol=1e-4, atol=1e-5, name=f"{what}: trained {key}")


@part("dynamic_graphs")
@points(4)
def test_recurrent_beats_static(student, reference):
    """Trained on steps 0-8 of a dynamic planted-partition graph (every node moves to the next
    community every 2 steps, staggered), the recurrent GCN predicts the labels of steps 9-11
    with >= 85% accuracy and >= 25 points above a static GCN trained the same way (the
    solution: about 99% versus 48%)."""
    snaps = dynamic_communities(120, 3, 12, seed=51)
    xs, edges = [s.x for s in snaps], [s.edge_index for s in snaps]
    ys = [s.y for s in snaps]
    target = torch.stack(ys[9:12])  # (3, N): never sent
    dyn = student.dynamic_gnn
    model = dyn.train_next_label("recurrent", xs[:9], edges[:9], ys[:9], hidden=16, epochs=80,
                                 lr=0.02, seed=0)
    pred = dyn.predict_next_labels(model, xs[:11], edges[:11])
    assert isinstance(pred, torch.Tensor) and tuple(pred.shape) == (11, 120), (
        "predict_next_labels must return (T, N) labels"
    )
    acc = (pred[8:11] == target).double().mean().item()
    baseline_model = reference.dynamic_gnn.train_next_label("static", xs[:9], edges[:9], ys[:9],
                                                            hidden=16, epochs=80, lr=0.02, seed=0)
    baseline_pred = reference.dynamic_gnn.predict_next_labels(baseline_model, xs[:11], edges[:11])
    baseline = (baseline_pred[8:11] == target).double().mean().item()
    assert acc >= 0.85, f"recurrent accuracy {acc:.2f} is below 0.85"
    assert acc >= baseline + 0.25, (
        f"recurrent accuracy {acc:.2f} does not beat the static baseline ({baseline:.2f}) by 0.25"
    )
