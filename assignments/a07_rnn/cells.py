"""Recurrent cells written from their equations, with torch's parameter layout.

One step maps an input x_t of shape (B, D) and the previous state to the next state. The
weights are stacked as in torch.nn.RNNCell / LSTMCell / GRUCell, so their state_dicts load
unchanged: ``weight_ih`` is (G H, D), ``weight_hh`` is (G H, H), ``bias_ih`` and ``bias_hh`` are
(G H,), with G = 1 (RNN), 4 (LSTM, gate order i, f, g, o) or 3 (GRU, gate order r, z, n).
"""

import math

import torch
from torch import Tensor, nn


def _affine(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """x W^T (+ b): (B, D) @ (D, K) -> (B, K)."""
    out = x @ weight.T
    return out if bias is None else out + bias


def rnn_cell(
    x: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> Tensor:
    """One step of the Elman RNN: h' = phi(x W_ih^T + b_ih + h W_hh^T + b_hh).

    Args:
        x: (B, D) input at this step. h: (B, H) previous hidden state.
        weight_ih: (H, D). weight_hh: (H, H). bias_ih, bias_hh: (H,) or None (no bias).
        nonlinearity: "tanh" or "relu" (phi).

    Returns:
        h': (B, H).
    """
    raise NotImplementedError('implement rnn_cell in cells.py')


def lstm_cell(
    x: Tensor,
    state: tuple[Tensor, Tensor],
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One LSTM step (Hochreiter & Schmidhuber 1997, with forget gate; torch's gate order).

        [a_i, a_f, a_g, a_o] = x W_ih^T + b_ih + h W_hh^T + b_hh      (each (B, H))
        i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
        c' = f * c + i * g
        h' = o * tanh(c')

    Args:
        x: (B, D). state: (h, c), each (B, H).
        weight_ih: (4H, D). weight_hh: (4H, H). bias_ih, bias_hh: (4H,) or None.

    Returns:
        (h', c'), each (B, H).
    """
    raise NotImplementedError('implement lstm_cell in cells.py')


def gru_cell(
    x: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
) -> Tensor:
    """One GRU step (Cho et al. 2014, torch's variant and gate order r, z, n).

        [x_r, x_z, x_n] = x W_ih^T + b_ih      [h_r, h_z, h_n] = h W_hh^T + b_hh
        r = sigmoid(x_r + h_r)   z = sigmoid(x_z + h_z)
        n = tanh(x_n + r * h_n)            (the reset gate multiplies W_hn h + b_hn)
        h' = (1 - z) * n + z * h

    Args:
        x: (B, D). h: (B, H).
        weight_ih: (3H, D). weight_hh: (3H, H). bias_ih, bias_hh: (3H,) or None.

    Returns:
        h': (B, H).
    """
    raise NotImplementedError('implement gru_cell in cells.py')


class _Cell(nn.Module):
    """Parameters shaped like torch's cells, initialised U(-1/sqrt(H), 1/sqrt(H)) as torch does."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        rows = self.gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size))
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(rows)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(rows)) if bias else None
        bound = 1.0 / math.sqrt(hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _zeros(self, x: Tensor) -> Tensor:
        return x.new_zeros(x.shape[0], self.hidden_size)

    def _params(self) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh


class RNNCell(_Cell):
    """torch.nn.RNNCell's interface: ``cell(x, h=None) -> h'`` (zeros when h is None)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh") -> None:
        super().__init__(input_size, hidden_size, bias)
        self.nonlinearity = nonlinearity

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        return rnn_cell(x, self._zeros(x) if h is None else h, *self._params(),
                        nonlinearity=self.nonlinearity)


class LSTMCell(_Cell):
    """torch.nn.LSTMCell's interface: ``cell(x, (h, c)=None) -> (h', c')``."""

    gates = 4

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        if state is None:
            state = (self._zeros(x), self._zeros(x))
        return lstm_cell(x, state, *self._params())


class GRUCell(_Cell):
    """torch.nn.GRUCell's interface: ``cell(x, h=None) -> h'``."""

    gates = 3

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        return gru_cell(x, self._zeros(x) if h is None else h, *self._params())
