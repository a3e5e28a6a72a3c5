"""Graded: RNN, LSTM and GRU cells against torch's cells (part "cells", 20 points)."""

import numpy as np
import torch

from autograder.testing import assert_close, part, points

TOL = {"rtol": 1e-10, "atol": 1e-12}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def student_copy(module, ref: torch.nn.Module, device: str):
    """The student's module in float64 on `device`, holding `ref`'s weights."""
    module = module.double().to(device)
    module.load_state_dict(ref.state_dict())
    return module


@part("cells")
@points(4)
def test_rnn_cell(student, rng, device):
    """RNNCell (tanh and relu, with and without bias) matches torch.nn.RNNCell, also with h=None."""
    for nonlinearity, bias, (d, h, b) in (("tanh", True, (3, 5, 4)), ("relu", True, (1, 7, 1)),
                                          ("tanh", False, (4, 3, 2))):
        ref = torch.nn.RNNCell(d, h, bias=bias, nonlinearity=nonlinearity).double()
        cell = student.cells.RNNCell(d, h, bias=bias, nonlinearity=nonlinearity)
        cell = student_copy(cell, ref, device)
        x, h0 = randn(rng, b, d), randn(rng, b, h)
        name = f"RNNCell({nonlinearity}, bias={bias})"
        assert_close(cell(x.to(device), h0.to(device)), ref(x, h0).detach(), **TOL, name=name)
        assert_close(cell(x.to(device)), ref(x).detach(), **TOL, name=f"{name} with h=None")


@part("cells")
@points(5)
def test_lstm_cell(student, rng, device):
    """LSTMCell matches torch.nn.LSTMCell (gate order i, f, g, o; both biases) for h' and c'."""
    for d, h, b in ((3, 5, 4), (6, 2, 3)):
        ref = torch.nn.LSTMCell(d, h).double()
        cell = student_copy(student.cells.LSTMCell(d, h), ref, device)
        x, h0, c0 = randn(rng, b, d), randn(rng, b, h), randn(rng, b, h)
        got = cell(x.to(device), (h0.to(device), c0.to(device)))
        want = ref(x, (h0, c0))
        assert isinstance(got, tuple | list) and len(got) == 2, "LSTMCell returns (h', c')"
        assert_close(got[0], want[0].detach(), **TOL, name="h'")
        assert_close(got[1], want[1].detach(), **TOL, name="c'")
        got = cell(x.to(device))
        assert_close(got[1], ref(x)[1].detach(), **TOL, name="c' with state=None")


@part("cells")
@points(5)
def test_gru_cell(student, rng, device):
    """GRUCell matches torch.nn.GRUCell (gate order r, z, n; r multiplies W_hn h + b_hn)."""
    for d, h, b in ((3, 5, 4), (2, 6, 1)):
        ref = torch.nn.GRUCell(d, h).double()
        cell = student_copy(student.cells.GRUCell(d, h), ref, device)
        x, h0 = randn(rng, b, d), randn(rng, b, h)
        assert_close(cell(x.to(device), h0.to(device)), ref(x, h0).detach(), **TOL, name="h'")
        assert_close(cell(x.to(device)), ref(x).detach(), **TOL, name="h' with h=None")


def torch_gradients(module: torch.nn.Module, inputs: list[torch.Tensor], upstream: list):
    leaves = [x.clone().requires_grad_(True) for x in inputs]
    out = module(*leaves)
    outs = list(out) if isinstance(out, tuple) else [out]
    sum((o * u).sum() for o, u in zip(outs, upstream, strict=True)).backward()
    grads = {f"input{i}": x.grad for i, x in enumerate(leaves)}
    grads.update({n: p.grad for n, p in module.named_parameters()})
    return grads


@part("cells")
@points(2)
def test_cell_functions_without_bias(student, rng, device):
    """The functions rnn_cell, lstm_cell and gru_cell, called directly with bias_ih = bias_hh =
    None (no bias), match torch's cells built with bias=False."""
    d, h, b = 4, 3, 5
    x, h0, c0 = randn(rng, b, d), randn(rng, b, h), randn(rng, b, h)
    xs, hs, cs = x.to(device), h0.to(device), c0.to(device)
    for name, ref in (("rnn_cell", torch.nn.RNNCell(d, h, bias=False, nonlinearity="relu")),
                      ("lstm_cell", torch.nn.LSTMCell(d, h, bias=False)),
                      ("gru_cell", torch.nn.GRUCell(d, h, bias=False))):
        ref = ref.double()
        weights = (ref.weight_ih.detach().to(device), ref.weight_hh.detach().to(device))
        fn = getattr(student.cells, name)
        if name == "lstm_cell":
            got, want = fn(xs, (hs, cs), *weights), ref(x, (h0, c0))
            assert isinstance(got, tuple | list) and len(got) == 2, "lstm_cell returns (h', c')"
            assert_close(got[0], want[0].detach(), **TOL, name="lstm_cell h' without bias")
            assert_close(got[1], want[1].detach(), **TOL, name="lstm_cell c' without bias")
        else:
            kw = {"nonlinearity": "relu"} if name == "rnn_cell" else {}
            assert_close(fn(xs, hs, *weights, None, None, **kw), ref(x, h0).detach(), **TOL,
                         name=f"{name} without bias")


@part("cells")
@points(4)
def test_cell_gradients(student, rng, device):
    """Autograd through the three cells gives torch's gradients for the inputs and every weight."""
    autograd = student.lib("dnn.autograd")
    d, h, b = 3, 4, 5
    cases = (("RNNCell", torch.nn.RNNCell(d, h).double(), 2, 1),
             ("GRUCell", torch.nn.GRUCell(d, h).double(), 2, 1),
             ("LSTMCell", torch.nn.LSTMCell(d, h).double(), 1, 2))
    for name, ref, n_inputs, n_outputs in cases:
        cell = student_copy(getattr(student.cells, name)(d, h), ref, device)
        inputs = [randn(rng, b, d), randn(rng, b, h)][:n_inputs]
        upstream = [randn(rng, b, h) for _ in range(n_outputs)]
        got = autograd.gradients(cell, [x.to(device) for x in inputs],
                                 [u.to(device) for u in upstream])
        want = torch_gradients(ref, inputs, upstream)
        assert isinstance(got, dict) and set(got) == set(want), (
            f"{name}: gradients should reach the inputs and every parameter")
        for key, value in want.items():
            assert_close(got[key], value, **TOL, name=f"{name} d/d{key}")
