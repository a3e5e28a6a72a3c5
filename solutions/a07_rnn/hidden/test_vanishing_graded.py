"""Graded: gradient norms over time and the long-range adding problem (part "gradients", 15)."""

import numpy as np
import torch

from autograder.testing import assert_close, part, points
from dnn.sequences import adding_problem

torch.set_num_threads(1)  # tiny ops: threads only add overhead in the judge process


def reference_norms(cell: torch.nn.Module, head: torch.nn.Linear, x, y) -> np.ndarray:
    """||dL/dh_t|| by unrolling torch's own cell (the hidden part of an LSTM's state)."""
    state, hs = None, []
    for t in range(x.shape[1]):
        state = cell(x[:, t], state)
        h = state[0] if isinstance(state, tuple) else state
        h.retain_grad()
        hs.append(h)
    torch.mean((head(hs[-1])[:, 0] - y) ** 2).backward()
    return np.array([float(torch.linalg.vector_norm(h.grad)) for h in hs])


def check_norms(student, rng, device, kind: str, cell_type, scale: float) -> None:
    d, h, b, t = 2, 6, 8, 25
    cell, head = cell_type(d, h).double(), torch.nn.Linear(h, 1).double()
    with torch.no_grad():
        cell.weight_hh.mul_(scale)
    state = {f"rnn.{k}_l0": v for k, v in cell.state_dict().items()}
    state.update({f"head.{k}": v for k, v in head.state_dict().items()})
    model = student.recurrent.SequenceModel(kind, d, h, 1).double().to(device)
    model.load_state_dict(state)
    xa, ya = adding_problem(b, t, seed=int(rng.integers(1 << 30)))
    x, y = torch.from_numpy(xa), torch.from_numpy(ya)
    got = student.vanishing.hidden_gradient_norms(model, x.to(device), y.to(device))
    want = reference_norms(cell, head, x, y)
    assert torch.is_tensor(got) and tuple(got.shape) == (t,), "one norm per time step (T,)"
    assert_close(got, want, rtol=1e-8, atol=1e-14, name=f"{kind}: ||dL/dh_t||")


@part("gradients")
@points(3)
def test_gradient_norms_rnn(student, rng, device):
    """hidden_gradient_norms of a tanh RNN matches autograd's total derivatives dL/dh_t, for
    recurrent weights that make gradients vanish and that make them grow."""
    check_norms(student, rng, device, "rnn", torch.nn.RNNCell, 1.0)
    check_norms(student, rng, device, "rnn", torch.nn.RNNCell, 4.0)


@part("gradients")
@points(3)
def test_gradient_norms_lstm(student, rng, device):
    """hidden_gradient_norms of an LSTM matches autograd's dL/dh_t (paths through h and c)."""
    check_norms(student, rng, device, "lstm", torch.nn.LSTMCell, 1.0)


def torch_copy(kind: str, state: dict[str, torch.Tensor], hidden: int):
    """torch's layer and head (float32) holding a SequenceModel's weights."""
    layer = {"lstm": torch.nn.LSTM, "rnn": torch.nn.RNN}[kind](2, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, 1)
    layer.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("rnn.")})
    head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
    return layer, head


@part("gradients")
@points(3)
def test_train_adding_recipe(student, rng):
    """train_adding follows its docstring: torch.manual_seed(seed) before building the model
    (the same seed, the same model), for an LSTM the forget-gate entries H .. 2H - 1 of
    bias_hh_l0 set to 1 (and nothing else), batch s drawn with seed * 100_003 + s, the loss of
    the last step's prediction, clipping to max_norm and Adam: two steps replayed with torch's
    layers from the model's own initial weights give the same losses and weights."""
    seed, hidden, length = int(rng.integers(1, 50)), 8, 12
    kw = {"hidden_size": hidden, "batch_size": 16, "lr": 0.05, "max_norm": 0.5, "seed": seed}
    for kind in ("lstm", "rnn"):
        init = student.vanishing.train_adding(kind, length, steps=0, **kw)[0].state_dict()
        again = student.vanishing.train_adding(kind, length, steps=0, **kw)[0].state_dict()
        assert all(torch.equal(init[k], again[k]) for k in init), (
            f"{kind}: the same seed must build the same model")
        bias = init["rnn.bias_hh_l0"]
        bound = 1 / hidden**0.5 + 1e-6
        forget = torch.zeros_like(bias, dtype=torch.bool)
        if kind == "lstm":
            forget[hidden:2 * hidden] = True
            assert bool((bias[forget] == 1).all()), "the forget-gate biases must start at 1"
        assert bool((bias[~forget].abs() <= bound).all()), (
            f"{kind}: only the LSTM's forget-gate entries of bias_hh_l0 are set to 1")
        model, losses = student.vanishing.train_adding(kind, length, steps=2, **kw)
        assert isinstance(losses, list) and len(losses) == 2, f"{kind}: one loss per step"
        layer, head = torch_copy(kind, init, hidden)
        params = [*layer.parameters(), *head.parameters()]
        opt = torch.optim.Adam(params, lr=0.05)
        for s in range(2):
            xa, ya = adding_problem(16, length, seed=seed * 100_003 + s)
            x, y = torch.from_numpy(xa.astype(np.float32)), torch.from_numpy(ya.astype(np.float32))
            loss = torch.mean((head(layer(x)[0])[:, -1, 0] - y) ** 2)
            assert_close(losses[s], float(loss), rtol=1e-4, atol=1e-6,
                         name=f"{kind}: loss of step {s}")
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 0.5)
            opt.step()
        got = model.state_dict()
        want = {f"rnn.{k}": v for k, v in layer.state_dict().items()}
        want.update({f"head.{k}": v for k, v in head.state_dict().items()})
        for key, value in want.items():
            assert key in got, f"{kind}: the model has no parameter {key}"
            assert_close(got[key], value, rtol=1e-4, atol=1e-4, name=f"{kind}: trained {key}")


@part("gradients")
@points(6)
def test_lstm_solves_a_lag_the_tanh_rnn_cannot(student):
    """Adding problem with T = 30, hidden 32, 500 Adam steps (seed 0): the LSTM reaches a test
    MSE below 0.04 (the solution: about 0.002), the tanh RNN stays above 0.1 (predicting the
    mean gives 0.167); adding_mse reports that last-step MSE."""
    xa, ya = adding_problem(400, 30, seed=424242)
    x, y = torch.from_numpy(xa.astype(np.float32)), torch.from_numpy(ya.astype(np.float32))
    mse = {}
    for kind in ("lstm", "rnn"):
        model, losses = student.vanishing.train_adding(kind, 30, hidden_size=32, steps=500,
                                                       lr=1e-2, seed=0)
        assert isinstance(losses, list) and len(losses) == 500, f"{kind}: one loss per step"
        pred = model(x)[0]
        assert torch.is_tensor(pred) and tuple(pred.shape) == (400, 30, 1), (
            f"{kind}: the model maps (B, T, 2) to (B, T, 1)")
        mse[kind] = float(torch.mean((pred[:, -1, 0] - y) ** 2))
        reported = student.vanishing.adding_mse(model, x, y)
        assert isinstance(reported, float) and abs(reported - mse[kind]) <= 1e-5 * (
            1 + mse[kind]), f"{kind}: adding_mse is not the last-step MSE of the model"
    assert mse["lstm"] < 0.04, f"the LSTM's test MSE {mse['lstm']:.4f} is not below 0.04"
    assert mse["rnn"] > 0.1, (
        f"the tanh RNN's test MSE {mse['rnn']:.4f} is below 0.1: check that kind='rnn' trains "
        "a tanh RNN with the same recipe")
