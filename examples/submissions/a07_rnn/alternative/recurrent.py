"""Multi-layer, batch-first recurrent layers (RNN, LSTM, GRU) that load torch's state_dicts.

Layer k has parameters ``weight_ih_l{k}`` ((G H, D) for k = 0, (G H, H) above), ``weight_hh_l{k}``
(G H, H), ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (G H,), exactly as torch.nn.RNN / LSTM / GRU with
``batch_first=True`` name and shape them. Layer k + 1 reads the hidden states of layer k.

Variable lengths: ``lengths[b]`` says how many leading steps of sequence b are real; the rest is
padding. As with ``torch.nn.utils.rnn.pack_padded_sequence``, outputs past each length are zero
and the final states are those after each sequence's last real step.

This version does what a packed sequence does instead of masking: the batch is sorted by
decreasing length, step t only computes the rows of the sequences still running (a shrinking
prefix), and the rows of finished sequences keep their last state. Time is the outer loop and
the layers the inner one (a wavefront), and the result is put back in the caller's order.
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
        # the same distribution as torch, drawn in the reverse order (top layer, biases first)
        with torch.no_grad():
            for p in reversed(list(self.parameters())):
                p.copy_(torch.rand(p.shape) * (2 * bound) - bound)

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
        batch, steps, _ = x.shape
        layers, hidden = self.num_layers, self.hidden_size
        lstm = self.mode == "lstm"
        if lengths is None:
            lens = [steps] * batch
        else:
            lens = [int(n) for n in torch.as_tensor(lengths).reshape(-1).tolist()]
            if len(lens) != batch or min(lens) < 1 or max(lens) > steps:
                raise ValueError(f"lengths must be {batch} integers in [1, {steps}], got {lens}")
        # Pack as pack_padded_sequence does: sort the sequences by decreasing length (stable), so
        # that the sequences still running at step t are the first batch_sizes[t] rows.
        order = sorted(range(batch), key=lambda b: -lens[b])
        perm = torch.tensor(order, dtype=torch.long, device=x.device)
        unperm = torch.argsort(perm)
        batch_sizes = [sum(n > t for n in lens) for t in range(steps)]
        xs = x.index_select(0, perm)
        if hx is None:
            hs = [x.new_zeros(batch, hidden) for _ in range(layers)]
            cs = [x.new_zeros(batch, hidden) for _ in range(layers)] if lstm else []
        elif lstm:
            assert isinstance(hx, tuple | list)
            hs = list(hx[0].index_select(1, perm).unbind(0))
            cs = list(hx[1].index_select(1, perm).unbind(0))
        else:
            assert isinstance(hx, Tensor)
            hs, cs = list(hx.index_select(1, perm).unbind(0)), []

        def keep_tail(new: Tensor, old: Tensor, n: int) -> Tensor:
            """The n running rows updated, the finished rows kept as they were."""
            return new if n == batch else torch.cat((new, old[n:]))

        outputs = []
        # time-major wavefront: every layer advances one step before the next step starts
        for t, n in enumerate(batch_sizes):
            if n == 0:  # every sequence has ended: padding only
                outputs.append(x.new_zeros(batch, hidden))
                continue
            inp = xs[:n, t]
            for k in range(layers):
                if lstm:
                    new = self.step(k, inp, (hs[k][:n], cs[k][:n]))
                    assert isinstance(new, tuple)
                    h_new, c_new = new
                    cs[k] = keep_tail(c_new, cs[k], n)
                else:
                    h_new = self.step(k, inp, hs[k][:n])
                    assert isinstance(h_new, Tensor)
                hs[k] = keep_tail(h_new, hs[k], n)
                inp = h_new
            pad = inp.new_zeros(batch - n, hidden)
            outputs.append(inp if n == batch else torch.cat((inp, pad)))
        output = torch.stack(outputs, dim=1).index_select(0, unperm)
        h_n = torch.stack(hs).index_select(1, unperm)
        if lstm:
            return output, (h_n, torch.stack(cs).index_select(1, unperm))
        return output, h_n


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
