"""The LIF neuron against norse's cells (float64) and the analytic f-I curve."""

import torch
from lif_neuron import firing_rate, lif_box_step, lif_rate_theory, lif_step, simulate_lif
from norse.torch.functional.lif import LIFFeedForwardState, LIFParameters, lif_feed_forward_step
from norse.torch.functional.lif_refrac import (
    LIFRefracFeedForwardState,
    LIFRefracParameters,
    lif_refrac_feed_forward_step,
)

torch.set_num_threads(1)  # these small ops only lose time to threads on a busy CPU
KW = {"tau_syn_inv": 150.0, "tau_mem_inv": 70.0, "v_leak": 0.1, "v_th": 0.8, "v_reset": -0.3}
P = LIFParameters(**{k: torch.tensor(v, dtype=torch.float64) for k, v in KW.items()})


def test_lif_step_matches_norse() -> None:
    torch.manual_seed(0)
    x, v, i = (torch.randn(5, 4, dtype=torch.float64) * 3 + 1 for _ in range(3))
    z_ref, state = lif_feed_forward_step(x, LIFFeedForwardState(v, i), P)
    z, v_new, i_new = lif_step(x, v, i, **KW)
    torch.testing.assert_close(z, z_ref)
    torch.testing.assert_close(v_new, state.v)
    torch.testing.assert_close(i_new, state.i)


def test_box_reset_by_subtraction() -> None:
    v = torch.tensor([0.0, 0.5], dtype=torch.float64)
    x = torch.tensor([30.0, 0.0], dtype=torch.float64)
    z, v_new = lif_box_step(x, v, reset="subtract")   # v_d = [3.0, 0.45]
    torch.testing.assert_close(z, torch.tensor([1.0, 0.0], dtype=torch.float64))
    torch.testing.assert_close(v_new, torch.tensor([2.0, 0.45], dtype=torch.float64))


def test_refractory_simulation_matches_norse() -> None:
    torch.manual_seed(1)
    seq = torch.randn(40, 3, dtype=torch.float64) * 3 + 3
    spikes, voltages = simulate_lif(seq, refractory_steps=3, **KW)
    state = LIFRefracFeedForwardState(
        LIFFeedForwardState(torch.full((3,), 0.1, dtype=torch.float64),
                            torch.zeros(3, dtype=torch.float64)),
        torch.zeros(3, dtype=torch.float64))
    p = LIFRefracParameters(P, torch.tensor(3.0, dtype=torch.float64))
    for t in range(40):
        z, state = lif_refrac_feed_forward_step(seq[t], state, p)
        torch.testing.assert_close(spikes[t], z)
        torch.testing.assert_close(voltages[t], state.lif.v)


def test_fi_curve() -> None:
    current = torch.tensor([0.5, 1.0, 2.0, 4.0], dtype=torch.float64)
    rate = lif_rate_theory(current, tau_mem=0.01)
    assert rate[0] == 0 and rate[1] == 0
    log2 = torch.log(torch.tensor(2.0, dtype=torch.float64))
    torch.testing.assert_close(rate[2], 1 / (0.01 * log2))
    dt = 1e-4
    spikes, _ = simulate_lif(current.expand(5000, 4), dt=dt, tau_syn_inv=1 / dt)
    simulated = firing_rate(spikes, dt=dt)
    assert torch.all((simulated - rate).abs() <= 0.05 * rate + 2.5)
