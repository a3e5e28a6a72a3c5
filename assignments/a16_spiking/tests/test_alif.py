"""The ALIF step against norse's LSNN; STDP against norse and its window."""

import torch
from alif import alif_step
from norse.torch.functional.lsnn import LSNNFeedForwardState, LSNNParameters, lsnn_feed_forward_step
from norse.torch.functional.stdp import STDPParameters, STDPState, stdp_step_linear
from stdp import stdp_traces, stdp_window

torch.set_num_threads(1)


def test_alif_step_matches_norse() -> None:
    torch.manual_seed(0)
    p = LSNNParameters(tau_adapt_inv=torch.tensor(3.0, dtype=torch.float64),
                       v_th=torch.tensor(0.8, dtype=torch.float64),
                       beta=torch.tensor(0.7, dtype=torch.float64))
    v, i = torch.zeros(3, 4, dtype=torch.float64), torch.zeros(3, 4, dtype=torch.float64)
    b = torch.full((3, 4), 0.8, dtype=torch.float64)
    ref = LSNNFeedForwardState(v, i, b)
    for _ in range(20):
        x = torch.randn(3, 4, dtype=torch.float64) * 2 + 1
        z_ref, ref = lsnn_feed_forward_step(x, ref, p, dt=5e-3)
        z, v, i, b = alif_step(x, v, i, b, tau_adapt_inv=3.0, v_th=0.8, beta=0.7, dt=5e-3)
        torch.testing.assert_close(z, z_ref)
        torch.testing.assert_close(b, ref.b)


def test_stdp_window_signs() -> None:
    w = stdp_window(torch.tensor([-0.02, 0.0, 0.02]), tau_plus=0.02, tau_minus=0.02)
    torch.testing.assert_close(w, torch.tensor([-torch.e ** -1, 0.0, torch.e ** -1]))


def test_stdp_traces_match_norse() -> None:
    torch.manual_seed(1)
    pre = (torch.rand(30, 2, 4) < 0.3).double()
    post = (torch.rand(30, 2, 3) < 0.3).double()
    w = torch.full((3, 4), 0.5, dtype=torch.float64)
    p = STDPParameters(eta_plus=0.05, eta_minus=0.05,
                       tau_pre_inv=torch.tensor(20.0, dtype=torch.float64),
                       tau_post_inv=torch.tensor(20.0, dtype=torch.float64))
    state, want = STDPState(torch.zeros(2, 4, dtype=torch.float64),
                            torch.zeros(2, 3, dtype=torch.float64)), w
    for t in range(30):
        want, state = stdp_step_linear(pre[t], post[t], want, state, p)
    torch.testing.assert_close(stdp_traces(w, pre, post, eta_plus=0.05, eta_minus=0.05), want)
