"""Multi-layer, batch-first recurrent layers (RNN, LSTM, GRU) that load torch's state_dicts.

Layer k has parameters ``weight_ih_l{k}`` ((G H, D) for k = 0, (G H, H) above), ``weight_hh_l{k}``
(G H, H), ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (G H,), exactly as torch.nn.RNN / LSTM / GRU with
``batch_first=True`` name and shape them. Layer k + 1 reads the hidden states of layer k.

Variable lengths: ``lengths[b]`` says how many leading steps of sequence b are real; the rest is
padding. As with ``torch.nn.utils.rnn.pack_padded_sequence``, outputs past each length are zero
and the final states are those after each sequence's last real step.
"""

import math
from collections.abc import Callable

import torch
from cells import gru_cell, lstm_cell, rnn_cell
from torch import Tensor, nn

State = Tensor | tuple[Tensor, Tensor]


class Recurrent(nn.Module):
    """A stack of ``num_layers`` recurrent layers of one kind ("rnn_tanh", "rnn_relu", "lstm",
    "gru"), batch first. Subclasses fix the kind; use RNN, LSTM or GRU."""

    GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True) -> None:
        super().__init__()
        if mode not in self.GATES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {sorted(self.GATES)}")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias = num_layers, bias
        rows, bound = self.GATES[mode] * hidden_size, 1.0 / math.sqrt(hidden_size)
        for k in range(num_layers):
            cols = input_size if k == 0 else hidden_size
            shapes: dict[str, tuple[int, ...]] = {f"weight_ih_l{k}": (rows, cols),
                                                  f"weight_hh_l{k}": (rows, hidden_size)}
            if bias:
                shapes.update({f"bias_ih_l{k}": (rows,), f"bias_hh_l{k}": (rows,)})
            for name, shape in shapes.items():
                self.register_parameter(name, nn.Parameter(torch.empty(shape)))
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def layer_params(self, k: int) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        """(weight_ih, weight_hh, bias_ih, bias_hh) of layer k (biases None without bias)."""
        get = self._parameters.get
        return (getattr(self, f"weight_ih_l{k}"), getattr(self, f"weight_hh_l{k}"),
                get(f"bias_ih_l{k}"), get(f"bias_hh_l{k}"))

    def step(self, k: int, x_t: Tensor, state: State) -> State:
        """One time step of layer k: x_t (B, D_k) and the layer's state -> its next state
        (h for RNN and GRU, (h, c) for LSTM)."""
        params = self.layer_params(k)
        if self.mode == "lstm":
            assert isinstance(state, tuple)
            return lstm_cell(x_t, state, *params)
        assert isinstance(state, Tensor)
        if self.mode == "gru":
            return gru_cell(x_t, state, *params)
        return rnn_cell(x_t, state, *params, nonlinearity=self.mode.removeprefix("rnn_"))

    def forward(self, x: Tensor, hx: State | None = None,
                lengths: Tensor | list[int] | None = None) -> tuple[Tensor, State]:
        """Run every layer over the whole sequence, like torch's layer with batch_first=True.

        Args:
            x: (B, T, D) inputs.
            hx: initial state, zeros when None: h0 of shape (L, B, H) for RNN and GRU, the pair
                (h0, c0), each (L, B, H), for LSTM.
            lengths: None (every sequence has T steps) or B integers in [1, T]. Sequence b
                then only has steps 0 .. lengths[b] - 1: for t >= lengths[b] its state is left
                unchanged and its outputs are zero.

        Returns:
            output: (B, T, H), the top layer's h_t at every step (zero past each length);
            the final state h_n (L, B, H), or (h_n, c_n) for LSTM: the state of every layer
            after each sequence's last real step.
        """
        B, T, _ = x.shape
        L, H = self.num_layers, self.hidden_size
        if hx is None:
            zeros = x.new_zeros(L, B, H)
            hx = (zeros, zeros.clone()) if self.mode == "lstm" else zeros
        if lengths is None:
            mask = x.new_ones(B, T, 1, dtype=torch.bool)
        else:
            lens = torch.as_tensor(lengths, device=x.device).reshape(B, 1)
            mask = (torch.arange(T, device=x.device).reshape(1, T) < lens).unsqueeze(-1)
        finals: list[State] = []
        layer_in = x
        for k in range(L):
            state: State = (hx[0][k], hx[1][k]) if isinstance(hx, tuple) else hx[k]
            outputs = []
            for t in range(T):
                new = self.step(k, layer_in[:, t], state)
                m = mask[:, t]  # (B, 1): real step or padding
                if isinstance(new, tuple) and isinstance(state, tuple):
                    state = (torch.where(m, new[0], state[0]), torch.where(m, new[1], state[1]))
                    h = state[0]
                else:
                    assert isinstance(new, Tensor) and isinstance(state, Tensor)
                    state = h = torch.where(m, new, state)
                outputs.append(torch.where(m, h, torch.zeros_like(h)))
            layer_in = torch.stack(outputs, dim=1)  # (B, T, H)
            finals.append(state)
        if self.mode == "lstm":
            pairs = [f for f in finals if isinstance(f, tuple)]
            h_n, c_n = (torch.stack([p[i] for p in pairs]) for i in (0, 1))
            return layer_in, (h_n, c_n)
        return layer_in, torch.stack([f for f in finals if isinstance(f, Tensor)])


class RNN(Recurrent):
    """Elman RNN layers (torch.nn.RNN with batch_first=True); nonlinearity "tanh" or "relu"."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True) -> None:
        super().__init__(f"rnn_{nonlinearity}", input_size, hidden_size, num_layers, bias)


class LSTM(Recurrent):
    """LSTM layers (torch.nn.LSTM with batch_first=True)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True) -> None:
        super().__init__("lstm", input_size, hidden_size, num_layers, bias)


class GRU(Recurrent):
    """GRU layers (torch.nn.GRU with batch_first=True)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True) -> None:
        super().__init__("gru", input_size, hidden_size, num_layers, bias)


LAYERS: dict[str, Callable[..., Recurrent]] = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


class SequenceModel(nn.Module):
    """A recurrent stack and a linear read-out at every step: y_t = head(h_t).

    ``kind`` is "rnn" (tanh), "lstm" or "gru"; the parameters are ``rnn.*`` (as in the layer)
    and ``head.weight`` (O, H), ``head.bias`` (O,).
    """

    def __init__(self, kind: str, input_size: int, hidden_size: int, output_size: int,
                 num_layers: int = 1) -> None:
        super().__init__()
        if kind not in LAYERS:
            raise ValueError(f"unknown kind {kind!r}; choose one of {sorted(LAYERS)}")
        self.kind = kind
        self.rnn = LAYERS[kind](input_size, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, output_size)

    def forward(self, x: Tensor, hx: State | None = None,
                lengths: Tensor | list[int] | None = None) -> tuple[Tensor, State]:
        """x (B, T, D) -> (y (B, T, O), final state)."""
        output, state = self.rnn(x, hx, lengths)
        return self.head(output), state
