"""Graded: multi-layer, batch-first RNN/LSTM/GRU layers against torch (part "layers", 20 points)."""

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from autograder.testing import assert_close, part, points

TOL = {"rtol": 1e-9, "atol": 1e-11}
TORCH = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def pair(student, name: str, d: int, h: int, layers: int, device: str, **kw):
    """(torch's layer, the student's layer with the same weights), both float64."""
    ref = TORCH[name](d, h, num_layers=layers, batch_first=True, **kw).double()
    mine = getattr(student.recurrent, name)(d, h, num_layers=layers, **kw).double().to(device)
    mine.load_state_dict(ref.state_dict())
    return ref, mine


def to(x, device: str):
    return tuple(t.to(device) for t in x) if isinstance(x, tuple) else x.to(device)


def check(got, want, name: str) -> None:
    assert isinstance(got, tuple | list) and len(got) == 2, f"{name} returns (output, state)"
    assert_close(got[0], want[0].detach(), **TOL, name=f"{name} output")
    if isinstance(want[1], tuple):
        assert isinstance(got[1], tuple | list) and len(got[1]) == 2, f"{name}: state is (h, c)"
        assert_close(got[1][0], want[1][0].detach(), **TOL, name=f"{name} h_n")
        assert_close(got[1][1], want[1][1].detach(), **TOL, name=f"{name} c_n")
    else:
        assert_close(got[1], want[1].detach(), **TOL, name=f"{name} h_n")


@part("layers")
@points(3)
def test_rnn_layers(student, rng, device):
    """RNN (tanh, 2 layers; relu, 1 layer) matches torch.nn.RNN, with and without h0."""
    for kw, layers, (b, t, d, h) in (({}, 2, (3, 7, 4, 5), ), ({"nonlinearity": "relu"}, 1,
                                                                (2, 5, 3, 6))):
        ref, mine = pair(student, "RNN", d, h, layers, device, **kw)
        x, h0 = randn(rng, b, t, d), randn(rng, layers, b, h)
        check(mine(x.to(device)), ref(x), f"RNN{kw}")
        check(mine(x.to(device), h0.to(device)), ref(x, h0), f"RNN{kw} with h0")


@part("layers")
@points(4)
def test_lstm_layers(student, rng, device):
    """LSTM (3 layers; 1 layer of width 1) matches torch.nn.LSTM, with and without (h0, c0)."""
    for layers, (b, t, d, h) in ((3, (2, 6, 3, 4)), (1, (4, 5, 1, 3))):
        ref, mine = pair(student, "LSTM", d, h, layers, device)
        x = randn(rng, b, t, d)
        state = (randn(rng, layers, b, h), randn(rng, layers, b, h))
        check(mine(x.to(device)), ref(x), "LSTM")
        check(mine(x.to(device), to(state, device)), ref(x, state), "LSTM with (h0, c0)")


@part("layers")
@points(4)
def test_gru_layers(student, rng, device):
    """GRU (2 layers; without bias) matches torch.nn.GRU, with and without h0."""
    for kw, layers, (b, t, d, h) in (({}, 2, (3, 6, 4, 5)), ({"bias": False}, 2, (2, 4, 3, 3))):
        ref, mine = pair(student, "GRU", d, h, layers, device, **kw)
        x, h0 = randn(rng, b, t, d), randn(rng, layers, b, h)
        check(mine(x.to(device)), ref(x), f"GRU{kw}")
        check(mine(x.to(device), h0.to(device)), ref(x, h0), f"GRU{kw} with h0")


def packed_reference(ref: torch.nn.Module, x: torch.Tensor, lengths: list[int], state):
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True,
                                  enforce_sorted=False)
    out, final = ref(packed, state)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, final


@part("layers")
@points(4)
def test_variable_lengths(student, rng, device):
    """With lengths, all three layers match torch on packed sequences: zero outputs past each
    length, final states at each sequence's last real step (unsorted lengths, 2 layers)."""
    b, t, d, h, layers = 4, 7, 3, 5, 2
    lengths = [5, 7, 1, 3]
    for name in ("RNN", "GRU", "LSTM"):
        ref, mine = pair(student, name, d, h, layers, device)
        x = randn(rng, b, t, d)
        state = randn(rng, layers, b, h)
        if name == "LSTM":
            state = (state, randn(rng, layers, b, h))
        got = mine(x.to(device), to(state, device), lengths)
        check(got, packed_reference(ref, x, lengths, state), f"{name} with lengths")
        got = mine(x.to(device), None, torch.tensor(lengths))
        check(got, packed_reference(ref, x, lengths, None), f"{name} with tensor lengths")


@part("layers")
@points(2)
def test_state_starts_fresh_on_every_call(student, rng, device):
    """Each forward starts from hx (zeros when None), not from the previous call's state:
    repeated calls, calls with other batch sizes, and lengths that cover every step (or only
    the first) match torch on every call."""
    t, d, h = 5, 3, 4
    for name in ("GRU", "LSTM"):
        ref, mine = pair(student, name, d, h, 2, device)
        xs = [randn(rng, b, t, d) for b in (3, 3, 1, 2)]
        for call, x in enumerate(xs):
            check(mine(x.to(device)), ref(x), f"{name}, call {call + 1} with hx=None")
        x = xs[0]
        check(mine(x.to(device), None, [t] * 3), ref(x), f"{name} with lengths all T")
        check(mine(x.to(device), None, [1, 1, 1]), packed_reference(ref, x, [1, 1, 1], None),
              f"{name} with lengths all 1")


@part("layers")
@points(3)
def test_layer_gradients(student, rng, device):
    """Gradients through a 2-layer GRU with lengths and a 2-layer LSTM match torch's for the
    inputs, h0 and every weight."""
    autograd = student.lib("dnn.autograd")
    b, t, d, h = 3, 6, 2, 4
    lengths = torch.tensor([6, 2, 4])
    ref, mine = pair(student, "GRU", d, h, 2, device)
    x, h0 = randn(rng, b, t, d), randn(rng, 2, b, h)
    up_out, up_h = randn(rng, b, t, h), randn(rng, 2, b, h)
    got = autograd.gradients(mine, [x.to(device), h0.to(device), lengths.to(device)],
                             [up_out.to(device), up_h.to(device)])
    leaves = [x.clone().requires_grad_(True), h0.clone().requires_grad_(True)]
    out, h_n = packed_reference(ref, leaves[0], lengths.tolist(), leaves[1])
    ((out * up_out).sum() + (h_n * up_h).sum()).backward()
    want = {"input0": leaves[0].grad, "input1": leaves[1].grad}
    want.update({n: p.grad for n, p in ref.named_parameters()})
    for key, value in want.items():
        assert key in got, f"GRU: no gradient for {key}"
        assert_close(got[key], value, **TOL, name=f"GRU d/d{key}")
    ref, mine = pair(student, "LSTM", d, h, 2, device)
    got = autograd.gradients(mine, [x.to(device)], up_out.to(device), output_index=0)
    leaf = x.clone().requires_grad_(True)
    (ref(leaf)[0] * up_out).sum().backward()
    assert_close(got["input0"], leaf.grad, **TOL, name="LSTM d/dx")
    for n, p in ref.named_parameters():
        assert_close(got[n], p.grad, **TOL, name=f"LSTM d/d{n}")
