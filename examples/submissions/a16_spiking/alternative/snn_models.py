"""Spiking networks from norse cells (alternative submission)."""

import math

import torch
import torch.nn.functional as F
from norse.torch import LICell, LIFCell, LIFParameters, LIParameters
from torch import Tensor, nn


def lif_parameters(tau_syn_inv: float, tau_mem_inv: float, v_th: float, alpha: float
                   ) -> LIFParameters:
    return LIFParameters(tau_syn_inv=torch.tensor(tau_syn_inv), tau_mem_inv=torch.tensor(tau_mem_inv),
                         v_th=torch.tensor(v_th), method="super", alpha=torch.tensor(alpha))


def _readout(tau_syn_inv: float, tau_mem_inv: float) -> LICell:
    return LICell(LIParameters(tau_syn_inv=torch.tensor(tau_syn_inv),
                               tau_mem_inv=torch.tensor(tau_mem_inv)))


def _unroll(inputs: Tensor, encode, lif: nn.Module, decode, readout: nn.Module) -> Tensor:
    hidden_state, out_state, trace = None, None, []
    for step in range(inputs.shape[0]):
        spikes, hidden_state = lif(encode(inputs[step]), hidden_state)
        voltage, out_state = readout(decode(spikes), out_state)
        trace.append(voltage)
    return torch.stack(trace, dim=0)


class SpikingMLP(nn.Module):
    def __init__(self, n_in: int, n_hidden: int, n_out: int, *, tau_syn_inv: float = 200.0,
                 tau_mem_inv: float = 100.0, v_th: float = 1.0, alpha: float = 100.0) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.lif = LIFCell(lif_parameters(tau_syn_inv, tau_mem_inv, v_th, alpha))
        self.fc2 = nn.Linear(n_hidden, n_out)
        self.readout = _readout(tau_syn_inv, tau_mem_inv)

    def forward(self, spikes: Tensor) -> Tensor:
        return _unroll(spikes, self.fc1, self.lif, self.fc2, self.readout)


class ConvSNN(nn.Module):
    def __init__(self, n_out: int = 10, channels: int = 8, *, tau_syn_inv: float = 200.0,
                 tau_mem_inv: float = 100.0, v_th: float = 1.0, alpha: float = 100.0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, channels, 3, padding=1)
        self.lif = LIFCell(lif_parameters(tau_syn_inv, tau_mem_inv, v_th, alpha))
        self.fc = nn.Linear(channels * 16, n_out)
        self.readout = _readout(tau_syn_inv, tau_mem_inv)

    def forward(self, spikes: Tensor) -> Tensor:
        return _unroll(spikes, self.conv, self.lif,
                       lambda z: self.fc(torch.flatten(F.max_pool2d(z, 2), 1)), self.readout)


def max_over_time(voltages: Tensor, window: int | None = None) -> Tensor:
    start = 0 if window is None else voltages.shape[0] - window
    return torch.amax(voltages[start:], dim=0)


def train_snn(model: nn.Module, spikes: Tensor, labels: Tensor, *, epochs: int = 5,
              lr: float = 2e-3, batch_size: int = 64, seed: int = 0,
              window: int | None = None) -> list[float]:
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    count = spikes.shape[1]
    history: list[float] = []
    model.train()
    for epoch in range(epochs):
        perm = torch.randperm(count, generator=torch.Generator().manual_seed(seed + epoch))
        for b in range(math.ceil(count / batch_size)):
            batch = perm[b * batch_size:(b + 1) * batch_size].to(spikes.device)
            scores = max_over_time(model(spikes.index_select(1, batch)), window)
            loss = F.cross_entropy(scores, labels[batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            history.append(float(loss.detach()))
    model.train(False)
    return history


@torch.no_grad()
def predict(model: nn.Module, spikes: Tensor, window: int | None = None) -> Tensor:
    model.eval()
    return torch.argmax(max_over_time(model(spikes), window), dim=1)
