"""Adaptive leaky integrate-and-fire (ALIF) neurons: a threshold that remembers.

The ALIF neuron of Bellec et al. (2018, "LSNN") raises its own threshold by beta at each spike;
the threshold relaxes back with the slow time constant tau_adapt, so the neuron's recent activity
is kept for hundreds of milliseconds, far longer than its membrane remembers. The equations are
norse's ``lsnn_feed_forward_step`` (norse calls the neuron LSNN); note that here the input jumps
into the current *after* the voltage update, unlike ``lif_step``.
"""

import torch
from norse.torch import LICell, LIFCell, LIParameters, LSNNCell, LSNNParameters
from snn_models import lif_parameters
from torch import Tensor, nn


def alif_step(
    x: Tensor,
    v: Tensor,
    i: Tensor,
    b: Tensor,
    *,
    tau_syn_inv: float = 200.0,
    tau_mem_inv: float = 100.0,
    tau_adapt_inv: float = 1.0 / 800,
    v_leak: float = 0.0,
    v_th: float = 1.0,
    v_reset: float = 0.0,
    beta: float = 1.8,
    dt: float = 1e-3,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """One Euler step of the ALIF neuron; b is the adaptive threshold itself (rest value v_th).

        v_d = v + dt tau_mem_inv (v_leak - v + i)
        i_d = i - dt tau_syn_inv i
        b_d = b + dt tau_adapt_inv (v_th - b)
        z   = H(v_d - b_d)
        v'  = (1 - z) v_d + z v_reset
        b'  = b_d + beta z
        i'  = i_d + x

    Returns:
        (z, v', i', b'), each of x's shape.
    """
    raise NotImplementedError('implement alif_step in alif.py')


class TemporalSNN(nn.Module):
    """fc1 -> spiking cell -> fc2 -> LICell readout, feed-forward (no recurrent weights).

    ``adaptive=True``: the cell is norse's ``LSNNCell(LSNNParameters(tau_syn_inv, tau_mem_inv,
    tau_adapt_inv, v_th=v_th, beta=beta, method="super", alpha=alpha), dt=dt)``;
    ``adaptive=False``: ``LIFCell(lif_parameters(tau_syn_inv, tau_mem_inv, v_th, alpha), dt=dt)``,
    the same neuron without adaptation. The readout is ``LICell(LIParameters(tau_syn_inv,
    tau_mem_inv), dt=dt)``. States start from None at every forward call. The defaults (5 ms
    steps, tau_adapt = 500 ms, a low threshold and a wide surrogate) suit ``dnn.spike_tasks``.
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, *, adaptive: bool = True,
                 tau_syn_inv: float = 200.0, tau_mem_inv: float = 100.0,
                 tau_adapt_inv: float = 2.0, v_th: float = 0.2, beta: float = 1.0,
                 alpha: float = 20.0, dt: float = 5e-3) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        if adaptive:
            p = LSNNParameters(tau_syn_inv=torch.as_tensor(tau_syn_inv),
                               tau_mem_inv=torch.as_tensor(tau_mem_inv),
                               tau_adapt_inv=torch.as_tensor(tau_adapt_inv),
                               v_th=torch.as_tensor(v_th), beta=torch.as_tensor(beta),
                               method="super", alpha=alpha)
            self.cell: nn.Module = LSNNCell(p, dt=dt)
        else:
            self.cell = LIFCell(lif_parameters(tau_syn_inv, tau_mem_inv, v_th, alpha), dt=dt)
        self.fc2 = nn.Linear(n_hidden, n_out)
        self.readout = LICell(LIParameters(tau_syn_inv=torch.as_tensor(tau_syn_inv),
                                           tau_mem_inv=torch.as_tensor(tau_mem_inv)), dt=dt)

    def forward(self, spikes: Tensor) -> Tensor:
        """(T, B, n_in) -> (T, B, n_out) readout voltages."""
        raise NotImplementedError('implement TemporalSNN.forward in alif.py')
