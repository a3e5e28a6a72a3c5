"""Recurrent cells written from their equations, with torch's parameter layout.

One step maps an input x_t of shape (B, D) and the previous state to the next state. The
weights are stacked as in torch.nn.RNNCell / LSTMCell / GRUCell, so their state_dicts load
unchanged: ``weight_ih`` is (G H, D), ``weight_hh`` is (G H, H), ``bias_ih`` and ``bias_hh`` are
(G H,), with G = 1 (RNN), 4 (LSTM, gate order i, f, g, o) or 3 (GRU, gate order r, z, n).

This version fuses the two affine maps of the RNN and the LSTM into one matrix product over the
concatenation [x, h] (one GEMM per step, as cuDNN does), evaluates all four LSTM gates with a
single sigmoid call (tanh(a) = 2 sigmoid(2a) - 1), and computes the GRU's gates as a stack of
(3, B, H) with einsum over the weights viewed as (3, H, D).
"""

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def _summed_bias(bias_ih: Tensor | None, bias_hh: Tensor | None) -> Tensor | None:
    """b_ih + b_hh, or whichever exists, or None."""
    if bias_ih is None:
        return bias_hh
    return bias_ih if bias_hh is None else bias_ih + bias_hh


def _fused_preactivation(x: Tensor, h: Tensor, weight_ih: Tensor, weight_hh: Tensor,
                         bias_ih: Tensor | None, bias_hh: Tensor | None) -> Tensor:
    """[x, h] [W_ih, W_hh]^T + (b_ih + b_hh): (B, D + H) @ (D + H, G H) -> (B, G H)."""
    xh = torch.cat((x, h), dim=1)
    weight = torch.cat((weight_ih, weight_hh), dim=1)  # (G H, D + H)
    bias = _summed_bias(bias_ih, bias_hh)
    if bias is None:
        return torch.mm(xh, weight.t())
    return torch.addmm(bias, xh, weight.t())


_PHI = {"tanh": torch.tanh, "relu": F.relu}


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
    try:
        phi = _PHI[nonlinearity]
    except KeyError:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}") from None
    return phi(_fused_preactivation(x, h, weight_ih, weight_hh, bias_ih, bias_hh))


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
    h, c = state
    batch, hidden = h.shape
    pre = _fused_preactivation(x, h, weight_ih, weight_hh, bias_ih, bias_hh)
    pre = pre.view(batch, 4, hidden)
    # one sigmoid for the four gates: the g block is tanh(a) = 2 sigmoid(2a) - 1
    scale = pre.new_tensor([1.0, 1.0, 2.0, 1.0]).view(1, 4, 1)
    shift = pre.new_tensor([0.0, 0.0, 1.0, 0.0]).view(1, 4, 1)
    gates = torch.sigmoid(pre * scale) * scale - shift
    i, f, g, o = gates.unbind(dim=1)
    c_next = torch.addcmul(f * c, i, g)
    return o * torch.tanh(c_next), c_next


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
    hidden = h.shape[1]

    def gates(inp: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        """(3, B, H): gate k is inp W_k^T + b_k with W viewed as (3, H, D)."""
        out = torch.einsum("bd,khd->kbh", inp, weight.view(3, hidden, -1))
        return out if bias is None else out + bias.view(3, 1, hidden)

    gi, gh = gates(x, weight_ih, bias_ih), gates(h, weight_hh, bias_hh)
    r, z = torch.sigmoid(gi[:2] + gh[:2]).unbind(0)
    n = torch.tanh(torch.addcmul(gi[2], r, gh[2]))
    return torch.addcmul(n, z, h - n)  # (1 - z) n + z h = n + z (h - n)


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
        # the same distribution as torch, drawn in the reverse order (biases first)
        with torch.no_grad():
            for p in reversed(list(self.parameters())):
                p.copy_(torch.rand(p.shape) * (2 * bound) - bound)

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
