"""Spiking networks built from norse's cells, trained by backpropagation through time.

Inputs are spike trains (T, B, ...) with time first. Hidden neurons are norse LIF cells with a
surrogate gradient; the readout is norse's leaky integrator (``LICell``: a LIF neuron that never
spikes), whose voltage (T, B, C) is decoded into class scores by its maximum over time.
"""

import torch
import torch.nn.functional as F  # noqa: F401 (used by the code you write; the stub has none)
from norse.torch import LICell, LIFCell, LIFParameters, LIParameters
from torch import Tensor, nn


def lif_parameters(tau_syn_inv: float, tau_mem_inv: float, v_th: float, alpha: float
                   ) -> LIFParameters:
    """norse LIFParameters with the SuperSpike surrogate (v_leak = v_reset = 0)."""
    return LIFParameters(tau_syn_inv=torch.as_tensor(tau_syn_inv),
                         tau_mem_inv=torch.as_tensor(tau_mem_inv), v_th=torch.as_tensor(v_th),
                         method="super", alpha=torch.as_tensor(alpha))


class SpikingMLP(nn.Module):
    """fc1 -> LIFCell -> fc2 -> LICell, unrolled over time.

    Attributes: ``fc1 = nn.Linear(n_in, n_hidden)``, ``lif = LIFCell(p)`` with
    ``p = lif_parameters(tau_syn_inv, tau_mem_inv, v_th, alpha)``, ``fc2 = nn.Linear(n_hidden,
    n_out)``, ``readout = LICell(LIParameters(tau_syn_inv=..., tau_mem_inv=...))`` with the same
    time constants; dt = 1 ms. Both cells start from their own default state (state None) at
    every call of forward.
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, *, tau_syn_inv: float = 200.0,
                 tau_mem_inv: float = 100.0, v_th: float = 1.0, alpha: float = 100.0) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.lif = LIFCell(lif_parameters(tau_syn_inv, tau_mem_inv, v_th, alpha))
        self.fc2 = nn.Linear(n_hidden, n_out)
        self.readout = LICell(LIParameters(tau_syn_inv=torch.as_tensor(tau_syn_inv),
                                           tau_mem_inv=torch.as_tensor(tau_mem_inv)))

    def forward(self, spikes: Tensor) -> Tensor:
        """(T, B, n_in) -> (T, B, n_out) readout voltages:

            z_t, s1 = lif(fc1(x_t), s1);   v_t, s2 = readout(fc2(z_t), s2)
        """
        raise NotImplementedError('implement SpikingMLP.forward in snn_models.py')


class ConvSNN(nn.Module):
    """A convolutional SNN for (T, B, 1, 8, 8) spike images.

    ``conv = nn.Conv2d(1, channels, 3, padding=1)`` -> ``lif = LIFCell(p)`` -> 2x2 max pooling
    (``F.max_pool2d(z, 2)``) -> flatten -> ``fc = nn.Linear(channels * 16, n_out)`` ->
    ``readout = LICell(...)``, with p and the readout as in ``SpikingMLP``.
    """

    def __init__(self, n_out: int = 10, channels: int = 8, *, tau_syn_inv: float = 200.0,
                 tau_mem_inv: float = 100.0, v_th: float = 1.0, alpha: float = 100.0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, channels, 3, padding=1)
        self.lif = LIFCell(lif_parameters(tau_syn_inv, tau_mem_inv, v_th, alpha))
        self.fc = nn.Linear(channels * 16, n_out)
        self.readout = LICell(LIParameters(tau_syn_inv=torch.as_tensor(tau_syn_inv),
                                           tau_mem_inv=torch.as_tensor(tau_mem_inv)))

    def forward(self, spikes: Tensor) -> Tensor:
        """(T, B, 1, 8, 8) -> (T, B, n_out) readout voltages."""
        raise NotImplementedError('implement ConvSNN.forward in snn_models.py')


def max_over_time(voltages: Tensor, window: int | None = None) -> Tensor:
    """Class scores: max_t of the readout voltage over the last ``window`` steps (all if None).

    Args:
        voltages: (T, B, C); window: 1 <= window <= T, or None.

    Returns:
        (B, C).
    """
    raise NotImplementedError('implement max_over_time in snn_models.py')


def train_snn(
    model: nn.Module,
    spikes: Tensor,
    labels: Tensor,
    *,
    epochs: int = 5,
    lr: float = 2e-3,
    batch_size: int = 64,
    seed: int = 0,
    window: int | None = None,
) -> list[float]:
    """Train ``model`` by BPTT with Adam(lr) on the cross-entropy of ``max_over_time(model(x),
    window)``.

    Each epoch visits every example exactly once, in the order of
    ``torch.randperm(N, generator=torch.Generator().manual_seed(seed + epoch))``, in batches of
    ``batch_size`` (the last one smaller when N is not a multiple). The model is in train mode
    while it trains and in eval mode when this returns.

    Args:
        spikes: (T, N, ...) inputs, time first; labels: (N,) int64.

    Returns:
        the loss of every batch, in order (epochs * ceil(N / batch_size) floats).
    """
    raise NotImplementedError('implement train_snn in snn_models.py')


def predict(model: nn.Module, spikes: Tensor, window: int | None = None) -> Tensor:
    """(N,) int64: argmax of ``max_over_time(model(spikes), window)``, in eval mode, no grad."""
    raise NotImplementedError('implement predict in snn_models.py')
