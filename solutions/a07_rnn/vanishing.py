"""Vanishing and exploding gradients, measured on the adding problem (dnn.sequences).

A model reads x (B, T, 2) and predicts the sum of the two marked values from its last output:
``y_hat = model(x)[0][:, -1, 0]`` and ``L = mean((y_hat - y)^2)``.
"""

import numpy as np
import torch
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
    ### BEGIN SOLUTION
    B, T, _ = x.shape
    h0 = x.new_zeros(B, model.rnn.hidden_size)
    state: State = (h0, h0.clone()) if model.kind == "lstm" else h0
    hs = []
    for t in range(T):
        state = model.rnn.step(0, x[:, t], state)
        h = state[0] if isinstance(state, tuple) else state
        h.retain_grad()
        hs.append(h)
    loss = torch.mean((model.head(hs[-1])[:, 0] - y) ** 2)
    loss.backward()
    return torch.stack([torch.linalg.vector_norm(h.grad) for h in hs if h.grad is not None])
    ### END SOLUTION


def adding_mse(model: SequenceModel, x: Tensor, y: Tensor) -> float:
    """Mean squared error of the last-step prediction, without gradients.

    Args:
        x: (B, T, 2). y: (B,).
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        y_hat = model(x)[0][:, -1, 0]
        return float(torch.mean((y_hat - y) ** 2))
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    model = SequenceModel(kind, 2, hidden_size, 1)
    if kind == "lstm":
        bias_hh = model.rnn.layer_params(0)[3]
        assert bias_hh is not None
        with torch.no_grad():  # forget gates start open: remember by default
            bias_hh[hidden_size:2 * hidden_size] = 1.0
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for s in range(steps):
        xb, yb = adding_problem(batch_size, length, seed=seed * 100_003 + s)
        x, y = torch.from_numpy(xb.astype(np.float32)), torch.from_numpy(yb.astype(np.float32))
        loss = torch.mean((model(x)[0][:, -1, 0] - y) ** 2)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        opt.step()
        losses.append(loss.item())
    return model, losses
    ### END SOLUTION
