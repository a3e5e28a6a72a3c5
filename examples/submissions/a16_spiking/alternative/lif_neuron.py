"""LIF neuron (alternative submission): one generic Euler update shared by all variants."""

import torch
from torch import Tensor


def _fire_and_reset(v: Tensor, v_th: float, v_reset: float, reset: str) -> tuple[Tensor, Tensor]:
    spiked = v > v_th
    if reset == "zero":
        after = torch.where(spiked, torch.full_like(v, v_reset), v)
    elif reset == "subtract":
        after = torch.where(spiked, v - (v_th - v_reset), v)
    else:
        raise ValueError(reset)
    return spiked.to(v.dtype), after


def lif_step(x: Tensor, v: Tensor, i: Tensor, *, tau_syn_inv: float = 200.0,
             tau_mem_inv: float = 100.0, v_leak: float = 0.0, v_th: float = 1.0,
             v_reset: float = 0.0, dt: float = 1e-3, reset: str = "zero"
             ) -> tuple[Tensor, Tensor, Tensor]:
    current = i + x
    membrane = v * (1 - dt * tau_mem_inv) + dt * tau_mem_inv * (v_leak + current)
    z, membrane = _fire_and_reset(membrane, v_th, v_reset, reset)
    return z, membrane, current * (1 - dt * tau_syn_inv)


def lif_box_step(x: Tensor, v: Tensor, *, tau_mem_inv: float = 100.0, v_leak: float = 0.0,
                 v_th: float = 1.0, v_reset: float = 0.0, dt: float = 1e-3, reset: str = "zero"
                 ) -> tuple[Tensor, Tensor]:
    membrane = v * (1 - dt * tau_mem_inv) + dt * tau_mem_inv * (v_leak + x)
    return _fire_and_reset(membrane, v_th, v_reset, reset)


def lif_refrac_step(x: Tensor, v: Tensor, i: Tensor, rho: Tensor, *, rho_reset: float = 5.0,
                    **params: float) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    z, v_next, i_next = lif_step(x, v, i, **params)
    blocked = rho > 0
    z = torch.where(blocked, torch.zeros_like(z), z)
    v_next = torch.where(blocked, v, v_next)
    rho_next = torch.where(z > 0, torch.full_like(rho, rho_reset),
                           torch.clamp(rho - blocked.to(rho.dtype), min=0))
    return z, v_next, i_next, rho_next


def simulate_lif(currents: Tensor, *, refractory_steps: int = 0, **params: float
                 ) -> tuple[Tensor, Tensor]:
    shape = currents.shape[1:]
    v = currents.new_full(shape, params.get("v_leak", 0.0))
    i = currents.new_zeros(shape)
    rho = currents.new_zeros(shape)
    zs = torch.empty_like(currents)
    vs = torch.empty_like(currents)
    for t in range(currents.shape[0]):
        if refractory_steps > 0:
            z, v, i, rho = lif_refrac_step(currents[t], v, i, rho,
                                           rho_reset=float(refractory_steps), **params)
        else:
            z, v, i = lif_step(currents[t], v, i, **params)
        zs[t], vs[t] = z, v
    return zs, vs


def firing_rate(spikes: Tensor, dt: float = 1e-3) -> Tensor:
    return spikes.mean(dim=0) / dt


def lif_rate_theory(current: Tensor, *, tau_mem: float = 1e-2, v_th: float = 1.0,
                    v_reset: float = 0.0, t_ref: float = 0.0) -> Tensor:
    rate = torch.zeros_like(current)
    mask = current > v_th
    c = current[mask]
    rate[mask] = 1.0 / (t_ref + tau_mem * (torch.log(c - v_reset) - torch.log(c - v_th)))
    return rate
