"""The leaky integrate-and-fire neuron, by explicit Euler steps, in norse's conventions.

Shapes: every state tensor has the shape of the input current at one step, e.g. (B, N); a
sequence of currents is (T, ...) with time first. Time is in seconds, rates in Hz. Defaults are
norse's ``LIFParameters()``: tau_syn = 5 ms, tau_mem = 10 ms, v_leak = v_reset = 0, v_th = 1,
dt = 1 ms. A spike is z = H(v - v_th) with H(0) = 0 (strictly above threshold).
"""

import torch
from torch import Tensor


def _reset(z: Tensor, v: Tensor, v_th: float, v_reset: float, reset: str) -> Tensor:
    """v after a spike: "zero" sets v = v_reset; "subtract" removes (v_th - v_reset)."""
    if reset == "zero":
        return (1 - z) * v + z * v_reset
    if reset == "subtract":
        return v - z * (v_th - v_reset)
    raise ValueError(f"unknown reset {reset!r}: use 'zero' or 'subtract'")


def lif_step(
    x: Tensor,
    v: Tensor,
    i: Tensor,
    *,
    tau_syn_inv: float = 200.0,
    tau_mem_inv: float = 100.0,
    v_leak: float = 0.0,
    v_th: float = 1.0,
    v_reset: float = 0.0,
    dt: float = 1e-3,
    reset: str = "zero",
) -> tuple[Tensor, Tensor, Tensor]:
    """One Euler step of the current-based LIF neuron (norse's ``lif_feed_forward_step``).

        i_j = i + x                                      (the input jumps into the current)
        v_d = v + dt tau_mem_inv (v_leak - v + i_j)
        i'  = i_j - dt tau_syn_inv i_j
        z   = H(v_d - v_th)
        v'  = (1 - z) v_d + z v_reset                (reset "zero")
        v'  = v_d - z (v_th - v_reset)               (reset "subtract")

    Args:
        x: input current at this step, any shape S. v, i: membrane and synaptic state, shape S.
        reset: "zero" or "subtract"; anything else raises ValueError.

    Returns:
        (z, v', i'), each of shape S and x's dtype; z in {0, 1}. The arguments are not modified.
    """
    raise NotImplementedError('implement lif_step in lif_neuron.py')


def lif_box_step(
    x: Tensor,
    v: Tensor,
    *,
    tau_mem_inv: float = 100.0,
    v_leak: float = 0.0,
    v_th: float = 1.0,
    v_reset: float = 0.0,
    dt: float = 1e-3,
    reset: str = "zero",
) -> tuple[Tensor, Tensor]:
    """One Euler step of the LIF neuron without synaptic current (norse's ``LIFBoxCell``).

        v_d = v + dt tau_mem_inv (v_leak - v + x)
        z   = H(v_d - v_th);   v' = reset of v_d as in ``lif_step``

    Returns:
        (z, v'), each of x's shape.
    """
    raise NotImplementedError('implement lif_box_step in lif_neuron.py')


def lif_refrac_step(
    x: Tensor,
    v: Tensor,
    i: Tensor,
    rho: Tensor,
    *,
    rho_reset: float = 5.0,
    **params: float,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """One step of the LIF neuron with an absolute refractory period (norse's ``LIFRefracCell``).

    ``rho`` counts the refractory steps left. First a plain ``lif_step(x, v, i, **params)`` gives
    (z, v_n, i_n); then, with r = H(rho) (1 while refractory):

        v'   = (1 - r) v_n + r v          (a refractory neuron keeps its voltage ...)
        z'   = (1 - r) z                  (... and cannot spike; its current still integrates)
        rho' = (1 - z') max(rho - r, 0) + z' rho_reset

    So after a spike the neuron is silent for ``rho_reset`` steps.

    Returns:
        (z', v', i_n, rho').
    """
    raise NotImplementedError('implement lif_refrac_step in lif_neuron.py')


def simulate_lif(
    currents: Tensor, *, refractory_steps: int = 0, **params: float
) -> tuple[Tensor, Tensor]:
    """Run the LIF neuron over a sequence of input currents from rest.

    The state starts at v = v_leak (``params.get("v_leak", 0.0)``), i = 0, rho = 0. With
    ``refractory_steps == 0`` each step is ``lif_step``; otherwise ``lif_refrac_step`` with
    ``rho_reset=refractory_steps``. ``params`` are ``lif_step``'s keywords.

    Args:
        currents: (T, ...) input current at each step.

    Returns:
        (spikes, voltages), each (T, ...): z_t and v'_t (after the reset) of every step.
    """
    raise NotImplementedError('implement simulate_lif in lif_neuron.py')


def firing_rate(spikes: Tensor, dt: float = 1e-3) -> Tensor:
    """Mean firing rate in Hz of each neuron: the number of spikes over T steps / (T dt).

    Args:
        spikes: (T, ...) in {0, 1}.

    Returns:
        (...) rates.
    """
    raise NotImplementedError('implement firing_rate in lif_neuron.py')


def lif_rate_theory(
    current: Tensor,
    *,
    tau_mem: float = 1e-2,
    v_th: float = 1.0,
    v_reset: float = 0.0,
    t_ref: float = 0.0,
) -> Tensor:
    """The analytic f-I curve of the LIF neuron (tau dv/dt = -v + I, v_leak = 0) in Hz.

    From v_reset under a constant current I > v_th the voltage v(t) = I + (v_reset - I) e^(-t/tau)
    reaches v_th after T(I) = tau ln((I - v_reset) / (I - v_th)); with an absolute refractory
    time t_ref the neuron fires at

        f(I) = 1 / (t_ref + T(I))   for I > v_th,        f(I) = 0   for I <= v_th.

    Args:
        current: (...) constant input currents.

    Returns:
        (...) firing rates, current's dtype; exactly 0 at and below the rheobase I = v_th.
    """
    raise NotImplementedError('implement lif_rate_theory in lif_neuron.py')

