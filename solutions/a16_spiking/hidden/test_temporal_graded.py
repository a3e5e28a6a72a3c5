"""Graded: ALIF neurons against norse's LSNN and on a memory task; STDP against its formula and
norse (part "temporal", 20 points)."""

import numpy as np
import torch
from norse.torch import LICell, LIFCell, LIFParameters, LIParameters, LSNNCell, LSNNParameters
from norse.torch.functional.lsnn import LSNNFeedForwardState, lsnn_feed_forward_step
from norse.torch.functional.stdp import STDPParameters, STDPState, stdp_step_linear

from autograder.testing import assert_close, part, points
from dnn.spike_tasks import delayed_cue

TOL = {"rtol": 1e-10, "atol": 1e-12}
ALIF = {"tau_syn_inv": 150.0, "tau_mem_inv": 90.0, "tau_adapt_inv": 3.0, "v_leak": 0.05,
        "v_th": 0.8, "v_reset": -0.1, "beta": 0.7}


def t64(values, device: str) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values), dtype=torch.float64, device=device)


@part("temporal")
@points(5)
def test_alif_step_matches_norse(student, rng, device):
    """alif_step matches norse's lsnn_feed_forward_step (z, v, i, b) over 30 chained steps
    (dt = 5 ms), so the threshold rises at spikes and relaxes to v_th between them."""
    p = LSNNParameters(**{k: t64(v, device) for k, v in ALIF.items()}, method="heaviside")
    shape = (4, 6)
    v = t64(rng.normal(0, 0.5, shape), device)
    i = t64(rng.normal(0, 0.5, shape), device)
    b = t64(rng.uniform(0.8, 2.0, shape), device)
    ref = LSNNFeedForwardState(v, i, b)
    state = (v, i, b)
    fired = 0.0
    for t in range(30):
        x = t64(rng.normal(1.0, 2.0, shape), device)
        z_ref, ref = lsnn_feed_forward_step(x, ref, p, dt=5e-3)
        got = student.alif.alif_step(x, *state, dt=5e-3, **ALIF)
        assert isinstance(got, tuple | list) and len(got) == 4, "alif_step returns (z, v, i, b)"
        for g, w, name in zip(got, (z_ref, ref.v, ref.i, ref.b), ("z", "v'", "i'", "b'"),
                              strict=True):
            assert_close(g, w, **TOL, name=f"{name} at step {t}")
        state = tuple(got[1:])
        fired += float(z_ref.sum())
    assert fired > 0, "the test should see spikes"
    # v = b = v_leak = v_th and i = 0 stay put: the voltage sits exactly on the threshold, and
    # H(0) = 0 (no spike), as norse's heaviside; dt = 2^-7 keeps the updates exact in binary
    tie = dict(ALIF, tau_mem_inv=96.0, tau_adapt_inv=4.0, v_leak=1.0, v_th=1.0)
    one, zero = t64(np.ones(3), device), t64(np.zeros(3), device)
    z_ref, _ = lsnn_feed_forward_step(zero, LSNNFeedForwardState(one, zero, one),
                                      LSNNParameters(**{k: t64(v, device) for k, v in tie.items()},
                                                     method="heaviside"), dt=2.0 ** -7)
    got = student.alif.alif_step(zero, one, zero, one, dt=2.0 ** -7, **tie)
    assert_close(got[0], z_ref, **TOL, name="z with the voltage exactly on the threshold")


def reference_forward(layers, adaptive: bool, x: torch.Tensor, dt: float = 5e-3):
    kw = {"tau_syn_inv": torch.as_tensor(200.0), "tau_mem_inv": torch.as_tensor(100.0)}
    if adaptive:
        cell = LSNNCell(LSNNParameters(**kw, tau_adapt_inv=torch.as_tensor(2.0),
                                       v_th=torch.as_tensor(0.2), beta=torch.as_tensor(1.0),
                                       method="super", alpha=20.0), dt=dt)
    else:
        cell = LIFCell(LIFParameters(**kw, v_th=torch.as_tensor(0.2), alpha=torch.as_tensor(20.0)),
                       dt=dt)
    readout = LICell(LIParameters(**kw), dt=dt)
    s1 = s2 = None
    out = []
    for xt in x:
        z, s1 = cell(layers["fc1"](xt), s1)
        v, s2 = readout(layers["fc2"](z), s2)
        out.append(v)
    return torch.stack(out).detach()


@part("temporal")
@points(3)
def test_temporal_snn_matches_norse(student, rng, device):
    """TemporalSNN with its default parameters matches norse's LSNNCell (adaptive) and LIFCell
    (not adaptive) networks with copied weights."""
    torch.manual_seed(3)
    layers = {"fc1": torch.nn.Linear(6, 12).to(device), "fc2": torch.nn.Linear(12, 2).to(device)}
    sd = {f"{n}.{k}": v for n, m in layers.items() for k, v in m.state_dict().items()}
    x = torch.as_tensor(rng.random((30, 3, 6)) < 0.4, dtype=torch.float32, device=device)
    for adaptive in (True, False):
        model = student.alif.TemporalSNN(6, 12, 2, adaptive=adaptive)
        model.load_state_dict(sd)
        model.to(device)
        assert_close(model(x), reference_forward(layers, adaptive, x), rtol=1e-5, atol=1e-6,
                     name=f"readout voltages (adaptive={adaptive})")


@part("temporal")
@points(4)
def test_alif_remembers_the_cue(student, device):
    """On the delayed-cue task (dnn.spike_tasks, 100 ms delay), an ALIF TemporalSNN(24, 32, 2)
    trained with train_snn (6 epochs, lr 0.02, batch 32, readout over the last 5 steps) reaches
    85% held-out accuracy; the LIF network of the same size stays below 65%."""
    x_train, y_train = delayed_cue(256, seed=0)
    x_test, y_test = delayed_cue(256, seed=1)
    torch.manual_seed(0)
    layers = {"fc1": torch.nn.Linear(24, 32), "fc2": torch.nn.Linear(32, 2)}
    sd = {f"{n}.{k}": v for n, m in layers.items() for k, v in m.state_dict().items()}
    accuracy = {}
    for adaptive in (True, False):
        model = student.alif.TemporalSNN(24, 32, 2, adaptive=adaptive)
        model.load_state_dict(sd)
        model.to(device)
        student.snn_models.train_snn(model, x_train.to(device), y_train.to(device), epochs=6,
                                     lr=0.02, batch_size=32, window=5)
        pred = student.snn_models.predict(model, x_test.to(device), 5).cpu()
        accuracy[adaptive] = float((pred == y_test).double().mean())
    assert accuracy[True] >= 0.85, f"the ALIF network's accuracy {accuracy[True]:.2f} is below 0.85"
    assert accuracy[False] < 0.65, (
        f"the LIF network reached {accuracy[False]:.2f}: it should not remember across the delay")


@part("temporal")
@points(3)
def test_stdp_window(student, rng, device):
    """stdp_window is a_plus exp(-dt/tau_plus) for post after pre, -a_minus exp(dt/tau_minus) for
    post before pre, and 0 for simultaneous spikes."""
    dt_s = np.concatenate([rng.uniform(-0.1, 0.1, 40), [0.0, 1e-6, -1e-6]])
    for a_plus, a_minus, tau_plus, tau_minus in ((1.0, 1.0, 0.02, 0.02), (0.5, 0.8, 0.017, 0.034)):
        want = np.where(dt_s > 0, a_plus * np.exp(-dt_s / tau_plus),
                        np.where(dt_s < 0, -a_minus * np.exp(dt_s / tau_minus), 0.0))
        got = student.stdp.stdp_window(t64(dt_s, device), a_plus=a_plus, a_minus=a_minus,
                                       tau_plus=tau_plus, tau_minus=tau_minus)
        assert_close(got, want, rtol=1e-10, atol=1e-14, name="W(dt)")


@part("temporal")
@points(5)
def test_stdp_traces_match_norse(student, rng, device):
    """stdp_traces matches norse's stdp_step_linear (additive, hard bounds) run over the recording
    with traces from zero, including weights clipped at w_min and w_max; no steps, no change."""
    steps, batch, n_pre, n_post = 40, 3, 5, 4
    pre = t64(rng.random((steps, batch, n_pre)) < 0.2, device)
    post = t64(rng.random((steps, batch, n_post)) < 0.2, device)
    w = t64(rng.uniform(0.4, 0.6, (n_post, n_pre)), device)
    kw = {"eta_plus": 0.5, "eta_minus": 0.5, "tau_pre_inv": 30.0, "tau_post_inv": 25.0,
          "a_pre": 1.0, "a_post": 0.8}
    p = STDPParameters(**{k: t64(v, device) for k, v in kw.items()}, w_min=0.4, w_max=0.6)
    state = STDPState(torch.zeros_like(pre[0]), torch.zeros_like(post[0]))
    want = w.clone()
    for t in range(steps):
        want, state = stdp_step_linear(pre[t], post[t], want, state, p)
    got = student.stdp.stdp_traces(w, pre, post, w_min=0.4, w_max=0.6, **kw)
    assert_close(got, want, **TOL, name="weights after STDP")
    # causal pairs on synapse (0, 0) and anti-causal pairs on (1, 1) drive both to their bounds
    pre, post = torch.zeros_like(pre[:24, :1, :2]), torch.zeros_like(post[:24, :1, :2])
    pre[0::4, 0, 0], post[1::4, 0, 0] = 1.0, 1.0
    post[2::4, 0, 1], pre[3::4, 0, 1] = 1.0, 1.0
    w = t64([[0.5, 0.5], [0.5, 0.5]], device)
    kw = {"eta_plus": 1.0, "eta_minus": 1.0, "tau_pre_inv": 30.0, "tau_post_inv": 30.0,
          "a_pre": 1.0, "a_post": 1.0}   # symmetric: the shorter lag of each synapse wins
    p = STDPParameters(**{k: t64(v, device) for k, v in kw.items()}, w_min=0.4, w_max=0.6)
    state = STDPState(torch.zeros_like(pre[0]), torch.zeros_like(post[0]))
    want = w.clone()
    for t in range(24):
        want, state = stdp_step_linear(pre[t], post[t], want, state, p)
    got = student.stdp.stdp_traces(w, pre, post, w_min=0.4, w_max=0.6, **kw)
    assert_close(got, want, **TOL, name="weights driven to their bounds")
    assert float(want[0, 0]) == 0.6 and float(want[1, 1]) == 0.4, "the test should reach the bounds"
    none = student.stdp.stdp_traces(w, pre[:0], post[:0], **kw)
    assert_close(none, w, name="weights after zero steps")
