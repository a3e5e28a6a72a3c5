"""Pair-based spike-timing-dependent plasticity (STDP), by its window and by synaptic traces.

A synapse pre -> post is strengthened when the presynaptic spike comes first (causal) and
weakened when it comes second (Bi & Poo 1998). With dt_s = t_post - t_pre, the pair-based window
(Song, Miller & Abbott 2000) is

    W(dt_s) =  a_plus  exp(-dt_s / tau_plus)    for dt_s > 0
    W(dt_s) = -a_minus exp( dt_s / tau_minus)   for dt_s < 0,      W(0) = 0.

Online, each side keeps a trace that jumps at its spikes and decays between them; a post spike
reads the pre trace (potentiation) and a pre spike reads the post trace (depression). This is
norse's ``stdp_step_linear`` with the "additive" rule and hard bounds.
"""

import torch
from torch import Tensor


def stdp_window(
    delta_t: Tensor, *, a_plus: float = 1.0, a_minus: float = 1.0, tau_plus: float = 0.02,
    tau_minus: float = 0.02,
) -> Tensor:
    """W(dt_s) above, elementwise, for dt_s = t_post - t_pre in seconds (any shape)."""
    raise NotImplementedError('implement stdp_window in stdp.py')


def stdp_traces(
    w: Tensor,
    pre: Tensor,
    post: Tensor,
    *,
    eta_plus: float = 1e-3,
    eta_minus: float = 1e-3,
    tau_pre_inv: float = 20.0,
    tau_post_inv: float = 20.0,
    a_pre: float = 1.0,
    a_post: float = 1.0,
    w_min: float = 0.0,
    w_max: float = 1.0,
    dt: float = 1e-3,
) -> Tensor:
    """Run trace-based additive STDP over a recording and return the final weights.

    Traces x_pre (B, N_pre) and x_post (B, N_post) start at 0. At each step t, first

        x_pre  <- x_pre  + dt tau_pre_inv  (-x_pre  + a_pre  z_pre_t)
        x_post <- x_post + dt tau_post_inv (-x_post + a_post z_post_t)

    then, summing over the batch b,

        w <- clamp(w + eta_plus sum_b z_post_t[b]^T x_pre[b]
                     - eta_minus sum_b x_post[b]^T z_pre_t[b], w_min, w_max)

    Args:
        w: (N_post, N_pre) weights (not modified). pre: (T, B, N_pre); post: (T, B, N_post) spikes.

    Returns:
        (N_post, N_pre) weights after the T steps (w itself when T = 0).
    """
    raise NotImplementedError('implement stdp_traces in stdp.py')
