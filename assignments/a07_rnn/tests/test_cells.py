"""The cells against torch.nn.RNNCell, LSTMCell and GRUCell with the same weights (float64)."""

import torch
from cells import GRUCell, LSTMCell, RNNCell


def randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64)


def _copy(ours: torch.nn.Module, theirs: torch.nn.Module) -> None:
    ours.load_state_dict(theirs.state_dict())


def test_rnn_cell_matches_torch() -> None:
    torch.manual_seed(0)
    for nonlinearity in ("tanh", "relu"):
        ref = torch.nn.RNNCell(3, 4, nonlinearity=nonlinearity).double()
        cell = RNNCell(3, 4, nonlinearity=nonlinearity).double()
        _copy(cell, ref)
        x, h = randn(5, 3), randn(5, 4)
        torch.testing.assert_close(cell(x, h), ref(x, h))
        torch.testing.assert_close(cell(x), ref(x))


def test_lstm_cell_matches_torch() -> None:
    torch.manual_seed(1)
    ref, cell = torch.nn.LSTMCell(3, 4).double(), LSTMCell(3, 4).double()
    _copy(cell, ref)
    x, h, c = randn(5, 3), randn(5, 4), randn(5, 4)
    for got, want in zip(cell(x, (h, c)), ref(x, (h, c)), strict=True):
        torch.testing.assert_close(got, want)


def test_gru_cell_matches_torch() -> None:
    torch.manual_seed(2)
    ref, cell = torch.nn.GRUCell(3, 4).double(), GRUCell(3, 4).double()
    _copy(cell, ref)
    x, h = randn(5, 3), randn(5, 4)
    torch.testing.assert_close(cell(x, h), ref(x, h))
