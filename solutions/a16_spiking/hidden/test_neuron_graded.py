"""Graded: the LIF neuron against norse's cells, and its f-I curve (part "neuron", 20 points)."""

import numpy as np
import pytest
import torch
from norse.torch.functional.lif import LIFFeedForwardState, LIFParameters, lif_feed_forward_step
from norse.torch.functional.lif_box import (
    LIFBoxFeedForwardState,
    LIFBoxParameters,
    lif_box_feed_forward_step,
)
from norse.torch.functional.lif_refrac import (
    LIFRefracFeedForwardState,
    LIFRefracParameters,
    lif_refrac_feed_forward_step,
)
from norse.torch.functional.reset import reset_subtract, reset_value

from autograder.testing import StudentError, assert_close, part, points

TOL = {"rtol": 1e-10, "atol": 1e-12}
PARAMS = ({"tau_syn_inv": 200.0, "tau_mem_inv": 100.0, "v_leak": 0.0, "v_th": 1.0, "v_reset": 0.0},
          {"tau_syn_inv": 150.0, "tau_mem_inv": 70.0, "v_leak": 0.1, "v_th": 0.8, "v_reset": -0.3})


def t64(values, device: str) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values), dtype=torch.float64, device=device)


def norse_lif(kw: dict, device: str) -> LIFParameters:
    return LIFParameters(**{k: t64(v, device) for k, v in kw.items()}, method="heaviside")


def currents(rng: np.random.Generator, device: str, *shape: int) -> torch.Tensor:
    return t64(rng.normal(1.0, 3.0, shape), device)


@part("neuron")
@points(4)
def test_lif_step(student, rng, device):
    """lif_step matches norse's lif_feed_forward_step (z, v, i) for two parameter sets."""
    for kw in PARAMS:
        x, v, i = (currents(rng, device, 6, 5) for _ in range(3))
        z_ref, s_ref = lif_feed_forward_step(x, LIFFeedForwardState(v, i), norse_lif(kw, device))
        got = student.lif_neuron.lif_step(x, v, i, **kw)
        assert isinstance(got, tuple | list) and len(got) == 3, "lif_step returns (z, v', i')"
        assert_close(got[0], z_ref, **TOL, name="z")
        assert_close(got[1], s_ref.v, **TOL, name="v'")
        assert_close(got[2], s_ref.i, **TOL, name="i'")
        assert 0 < float(z_ref.mean()) < 1, "the test should see spikes and silence"


@part("neuron")
@points(3)
def test_lif_box_step_resets(student, rng, device):
    """lif_box_step matches norse's LIF box neuron with reset to v_reset and by subtraction; the
    subtraction removes v_th - v_reset; an unknown reset raises ValueError."""
    for name, method in (("zero", reset_value), ("subtract", reset_subtract)):
        x, v = currents(rng, device, 7, 3) * 2, currents(rng, device, 7, 3)
        p = LIFBoxParameters(tau_mem_inv=t64(80.0, device), v_leak=t64(0.1, device),
                             v_th=t64(0.9, device), v_reset=t64(0.0, device), method="heaviside",
                             reset_method=method)
        z_ref, s_ref = lif_box_feed_forward_step(x, LIFBoxFeedForwardState(v), p)
        z, v_new = student.lif_neuron.lif_box_step(x, v, tau_mem_inv=80.0, v_leak=0.1, v_th=0.9,
                                                   reset=name)
        assert_close(z, z_ref, **TOL, name=f"z (reset {name})")
        assert_close(v_new, s_ref.v, **TOL, name=f"v' (reset {name})")
    x, v = currents(rng, device, 20) * 3, currents(rng, device, 20)
    z, v_new = student.lif_neuron.lif_box_step(x, v, v_th=0.5, v_reset=-0.5, reset="subtract")
    v_d = v + 0.1 * (-v + x)
    assert_close(v_new, v_d - (v_d > 0.5).double() * 1.0, **TOL, name="v' (subtract, v_reset<0)")
    # x = v with v_leak = 0 leaves v_d = v: on the threshold, no spike (H(0) = 0). Binary
    # fractions (dt tau_mem_inv = 1/8) keep every arrangement of the update exact.
    at = t64([0.5, 0.5 + 2.0 ** -20, 0.25], device)
    p = LIFBoxParameters(tau_mem_inv=t64(16.0, device), v_leak=t64(0.0, device),
                         v_th=t64(0.5, device), v_reset=t64(0.0, device), method="heaviside")
    z_ref, _ = lif_box_feed_forward_step(at, LIFBoxFeedForwardState(at), p, dt=2.0 ** -7)
    z, _ = student.lif_neuron.lif_box_step(at, at, tau_mem_inv=16.0, v_leak=0.0, v_th=0.5,
                                           dt=2.0 ** -7)
    assert_close(z, z_ref, **TOL, name="z at exactly the threshold (no spike) and just above")
    with pytest.raises(StudentError) as raised:
        student.lif_neuron.lif_box_step(x, v, reset="hold")
    assert raised.value.type_name == "ValueError", "an unknown reset should raise ValueError"


@part("neuron")
@points(2)
def test_threshold_is_strict(student, device):
    """A voltage exactly at threshold does not spike (z = H(v - v_th) with H(0) = 0); one just
    above it does."""
    v = t64([1.0, 1.0, 1.0 + 1e-9], device)
    zero = torch.zeros_like(v)
    z, v_new, _ = student.lif_neuron.lif_step(zero, v, zero, v_leak=1.0)   # v stays where it is
    assert_close(z, t64([0.0, 0.0, 1.0], device), name="z at and above v = v_th")
    assert_close(v_new[:2], v[:2], **TOL, name="v' at v = v_th")


@part("neuron")
@points(4)
def test_refractory(student, rng, device):
    """lif_refrac_step matches norse's lif_refrac_feed_forward_step, refractory or not; a simulated
    refractory neuron matches norse step by step and never spikes twice within rho_reset steps."""
    kw = PARAMS[1]
    x, v, i = (currents(rng, device, 8, 4) for _ in range(3))
    rho = t64(rng.integers(0, 3, (8, 4)), device)
    p = LIFRefracParameters(norse_lif(kw, device), t64(4.0, device))
    z_ref, s_ref = lif_refrac_feed_forward_step(
        x, LIFRefracFeedForwardState(LIFFeedForwardState(v, i), rho), p)
    z, v_new, i_new, rho_new = student.lif_neuron.lif_refrac_step(x, v, i, rho, rho_reset=4.0,
                                                                  **kw)
    for got, want, name in ((z, z_ref, "z"), (v_new, s_ref.lif.v, "v'"),
                            (i_new, s_ref.lif.i, "i'"), (rho_new, s_ref.rho, "rho'")):
        assert_close(got, want, **TOL, name=name)
    seq = currents(rng, device, 60, 5) + 2.0
    spikes, voltages = student.lif_neuron.simulate_lif(seq, refractory_steps=3, **kw)
    state = LIFRefracFeedForwardState(
        LIFFeedForwardState(torch.full_like(seq[0], kw["v_leak"]), torch.zeros_like(seq[0])),
        torch.zeros_like(seq[0]))
    p = LIFRefracParameters(norse_lif(kw, device), t64(3.0, device))
    for t in range(60):
        z_ref, state = lif_refrac_feed_forward_step(seq[t], state, p)
        assert_close(spikes[t], z_ref, **TOL, name=f"spikes[{t}]")
        assert_close(voltages[t], state.lif.v, **TOL, name=f"voltages[{t}]")
    times = [np.flatnonzero(spikes[:, k].cpu().numpy()) for k in range(5)]
    assert all(np.all(np.diff(ts) > 3) for ts in times), "spikes closer than the refractory time"


@part("neuron")
@points(3)
def test_simulate_lif(student, rng, device):
    """simulate_lif from rest (v = v_leak, i = 0) matches norse's LIF step by step, for (T, B, N)
    and (T,) inputs, a single step (T = 1), the default parameters (v_leak = 0), and starts
    afresh at every call."""
    defaults = {"tau_syn_inv": 200.0, "tau_mem_inv": 100.0, "v_leak": 0.0, "v_th": 1.0,
                "v_reset": 0.0}  # lif_step's and norse's defaults
    seq = currents(rng, device, 25, 6) * 4
    state = LIFFeedForwardState(torch.zeros_like(seq[0]), torch.zeros_like(seq[0]))
    want_v = []
    for t in range(len(seq)):
        _, state = lif_feed_forward_step(seq[t], state, norse_lif(defaults, device))
        want_v.append(state.v)
    _, voltages = student.lif_neuron.simulate_lif(seq)
    assert_close(voltages, torch.stack(want_v), **TOL, name="voltages with the default parameters")
    for kw, shape in ((PARAMS[0], (40, 3, 4)), (PARAMS[1], (30,)), (PARAMS[1], (1, 5))):
        seq = currents(rng, device, *shape)
        for _ in range(2):
            spikes, voltages = student.lif_neuron.simulate_lif(seq, **kw)
        state = LIFFeedForwardState(torch.full_like(seq[0], kw["v_leak"]), torch.zeros_like(seq[0]))
        want_z, want_v = [], []
        for t in range(shape[0]):
            z, state = lif_feed_forward_step(seq[t], state, norse_lif(kw, device))
            want_z.append(z)
            want_v.append(state.v)
        assert_close(spikes, torch.stack(want_z), **TOL, name="spikes")
        assert_close(voltages, torch.stack(want_v), **TOL, name="voltages")


def theory(current: np.ndarray, tau: float, v_th: float, v_reset: float, t_ref: float):
    out = np.zeros_like(current)
    above = current > v_th
    out[above] = 1 / (t_ref + tau * np.log((current[above] - v_reset) / (current[above] - v_th)))
    return out


@part("neuron")
@points(2)
def test_rate_theory(student, rng, device):
    """lif_rate_theory is the analytic f-I curve, with refractoriness, and exactly 0 at and
    below the rheobase I = v_th."""
    for tau, v_th, v_reset, t_ref in ((1e-2, 1.0, 0.0, 0.0), (2e-2, 0.7, -0.2, 2e-3)):
        current = np.concatenate([rng.uniform(-1, 6, 30), [v_th, v_th - 1e-9, v_th + 1e-3]])
        got = student.lif_neuron.lif_rate_theory(t64(current, device), tau_mem=tau, v_th=v_th,
                                                 v_reset=v_reset, t_ref=t_ref)
        assert_close(got, theory(current, tau, v_th, v_reset, t_ref), rtol=1e-9, name="f(I)")


@part("neuron")
@points(2)
def test_simulated_fi_curve(student, device):
    """firing_rate of the simulated neuron (box LIF: tau_syn_inv = 1/dt, dt = 0.1 ms), with and
    without a refractory period, follows the analytic f-I curve within Euler's error."""
    dt, levels = 1e-4, np.linspace(0.5, 4.0, 8)
    seq = t64(levels, device).expand(5000, 8).contiguous()
    for steps in (0, 20):
        spikes, _ = student.lif_neuron.simulate_lif(seq, refractory_steps=steps, dt=dt,
                                                    tau_syn_inv=1 / dt, tau_mem_inv=100.0)
        rate = student.lif_neuron.firing_rate(spikes, dt=dt)
        assert_close(rate, spikes.sum(0) / 0.5, rtol=1e-12, name="firing_rate")
        assert_close(rate, theory(levels, 1e-2, 1.0, 0.0, steps * dt), rtol=0.05, atol=2.5,
                     name=f"simulated rate (refractory {steps} steps)")
