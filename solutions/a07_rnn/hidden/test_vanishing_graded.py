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


@part("gradients")
@points(9)
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
