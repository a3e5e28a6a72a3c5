"""Vanishing and exploding gradients, measured on the adding problem (dnn.sequences).

A model reads x (B, T, 2) and predicts the sum of the two marked values from its last output:
``y_hat = model(x)[0][:, -1, 0]`` and ``L = mean((y_hat - y)^2)``.

This version computes dL/dh_t by backpropagation through time written out: a forward pass
without a graph stores every state, then the gradient is carried backwards one step at a time
as a vector-Jacobian product of that step alone (for an LSTM the pair (dL/dh_t, dL/dc_t)).
"""

import torch
import torch.nn.functional as F
from bptt import clip_grad_norm_
from recurrent import SequenceModel, State
from torch import Tensor

from dnn.sequences import adding_problem


def hidden_gradient_norms(model: SequenceModel, x: Tensor, y: Tensor) -> Tensor:
    """||dL/dh_t|| for t = 1 .. T, for a one-layer model on the adding problem.

    Unroll layer 0 step by step with ``model.rnn.step(0, x[:, t], state)`` from a zero state;
    h_t is the hidden state after step t (for an LSTM, h_t of the pair (h_t, c_t)). The loss is
    L = mean_b (head(h_T)[b, 0] - y[b])^2. dL/dh_t is the *total* derivative, through every
    later step: dL/dh_t = dL/dh_T (dh_T/dh_{T-1}) ... (dh_{t+1}/dh_t) (plus, for an LSTM, the
    path through the cell states). Use ``retain_grad`` on each h_t and one backward pass.

    Args:
        x: (B, T, 2). y: (B,).

    Returns:
        (T,) tensor: entry t - 1 is the Frobenius norm of dL/dh_t over the batch, i.e.
        sqrt(sum_{b, j} (dL/dh_t[b, j])^2), detached.
    """
    batch, steps, _ = x.shape
    rnn = model.rnn
    lstm = model.kind == "lstm"
    zeros = x.new_zeros(batch, rnn.hidden_size)
    # forward: states[t] is the state after step t (states[0] the zero state), no graph kept
    states: list[State] = [(zeros, zeros.clone()) if lstm else zeros]
    with torch.no_grad():
        for t in range(steps):
            states.append(rnn.step(0, x[:, t], states[-1]))

    def hidden(state: State) -> Tensor:
        return state[0] if isinstance(state, tuple) else state

    # dL/dh_T from the read-out; the loss does not depend on c_T
    h_last = hidden(states[-1]).detach().requires_grad_(True)
    loss = torch.mean((model.head(h_last)[:, 0] - y) ** 2)
    (g_h,) = torch.autograd.grad(loss, h_last)
    g_c = torch.zeros_like(g_h)
    norms = [torch.linalg.vector_norm(g_h)]
    # backward: dL/dh_t = (dL/dh_{t+1}, dL/dc_{t+1}) d(h_{t+1}, c_{t+1}) / dh_t, step by step
    for t in range(steps - 1, 0, -1):
        prev = states[t]
        if isinstance(prev, tuple):
            h_prev, c_prev = (s.detach().requires_grad_(True) for s in prev)
            h_next, c_next = rnn.step(0, x[:, t], (h_prev, c_prev))
            g_h, g_c = torch.autograd.grad((h_next, c_next), (h_prev, c_prev), (g_h, g_c))
        else:
            h_prev = prev.detach().requires_grad_(True)
            (g_h,) = torch.autograd.grad(rnn.step(0, x[:, t], h_prev), h_prev, g_h)
        norms.append(torch.linalg.vector_norm(g_h))
    return torch.stack(norms[::-1]).detach()


def adding_mse(model: SequenceModel, x: Tensor, y: Tensor) -> float:
    """Mean squared error of the last-step prediction, without gradients.

    Args:
        x: (B, T, 2). y: (B,).
    """
    with torch.inference_mode():
        return F.mse_loss(model(x)[0][:, -1, 0], y).item()


def train_adding(kind: str, length: int, *, hidden_size: int = 32, steps: int = 500,
                 batch_size: int = 64, lr: float = 1e-2, max_norm: float = 1.0,
                 seed: int = 0) -> tuple[SequenceModel, list[float]]:
    """Train ``SequenceModel(kind, 2, hidden_size, 1)`` (float32) on the adding problem.

    ``torch.manual_seed(seed)`` before building the model; for an LSTM, then set the forget-gate
    part of ``rnn.bias_hh_l0`` (entries H .. 2H - 1) to 1, so that memory is kept by default.
    Step s (0-based) draws a fresh batch ``adding_problem(batch_size, length,
    seed=seed * 100_003 + s)``, computes the last-step MSE, clips the gradients to total norm
    ``max_norm`` and takes one Adam step (learning rate lr).

    Returns:
        (the trained model, the loss of every step).
    """
    torch.manual_seed(seed)
    model = SequenceModel(kind, 2, hidden_size, 1)
    if kind == "lstm":
        with torch.no_grad():  # open forget gates: entries H .. 2H - 1 of bias_hh_l0
            model.rnn.get_parameter("bias_hh_l0").narrow(0, hidden_size, hidden_size).fill_(1.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses: list[float] = []
    for s in range(steps):
        xa, ya = adding_problem(batch_size, length, seed=seed * 100_003 + s)
        xb = torch.tensor(xa, dtype=torch.float32)
        yb = torch.tensor(ya, dtype=torch.float32)
        loss = F.mse_loss(model(xb)[0][:, -1, 0], yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        losses.append(loss.item())
    return model, losses
