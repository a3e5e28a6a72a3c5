"""ALIF neurons (alternative submission)."""

import torch
from norse.torch import LICell, LIFCell, LIFParameters, LIParameters, LSNNCell, LSNNParameters
from torch import Tensor, nn


def alif_step(x: Tensor, v: Tensor, i: Tensor, b: Tensor, *, tau_syn_inv: float = 200.0,
              tau_mem_inv: float = 100.0, tau_adapt_inv: float = 1.0 / 800, v_leak: float = 0.0,
              v_th: float = 1.0, v_reset: float = 0.0, beta: float = 1.8, dt: float = 1e-3
              ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    membrane = v + dt * tau_mem_inv * (v_leak - v + i)
    threshold = b + dt * tau_adapt_inv * (v_th - b)
    fired = membrane > threshold
    z = fired.to(v.dtype)
    membrane = torch.where(fired, torch.full_like(membrane, v_reset), membrane)
    return z, membrane, i * (1 - dt * tau_syn_inv) + x, threshold + beta * z


class TemporalSNN(nn.Module):
    def __init__(self, n_in: int, n_hidden: int, n_out: int, *, adaptive: bool = True,
                 tau_syn_inv: float = 200.0, tau_mem_inv: float = 100.0,
                 tau_adapt_inv: float = 2.0, v_th: float = 0.2, beta: float = 1.0,
                 alpha: float = 20.0, dt: float = 5e-3) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_out)
        syn, mem = torch.tensor(tau_syn_inv), torch.tensor(tau_mem_inv)
        if adaptive:
            self.cell: nn.Module = LSNNCell(LSNNParameters(
                tau_syn_inv=syn, tau_mem_inv=mem, tau_adapt_inv=torch.tensor(tau_adapt_inv),
                v_th=torch.tensor(v_th), beta=torch.tensor(beta), method="super", alpha=alpha),
                dt=dt)
        else:
            self.cell = LIFCell(LIFParameters(tau_syn_inv=syn, tau_mem_inv=mem,
                                              v_th=torch.tensor(v_th), method="super",
                                              alpha=torch.tensor(alpha)), dt=dt)
        self.readout = LICell(LIParameters(tau_syn_inv=syn, tau_mem_inv=mem), dt=dt)

    def forward(self, spikes: Tensor) -> Tensor:
        states = [None, None]
        out = []
        for t in range(len(spikes)):
            z, states[0] = self.cell(self.fc1(spikes[t]), states[0])
            v, states[1] = self.readout(self.fc2(z), states[1])
            out.append(v)
        return torch.stack(out)
