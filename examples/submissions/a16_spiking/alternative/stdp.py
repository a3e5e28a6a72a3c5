"""STDP (alternative submission)."""

import torch
from torch import Tensor


def stdp_window(delta_t: Tensor, *, a_plus: float = 1.0, a_minus: float = 1.0,
                tau_plus: float = 0.02, tau_minus: float = 0.02) -> Tensor:
    out = torch.zeros_like(delta_t)
    pos, neg = delta_t > 0, delta_t < 0
    out[pos] = a_plus * torch.exp(-delta_t[pos] / tau_plus)
    out[neg] = -a_minus * torch.exp(delta_t[neg] / tau_minus)
    return out


def stdp_traces(w: Tensor, pre: Tensor, post: Tensor, *, eta_plus: float = 1e-3,
                eta_minus: float = 1e-3, tau_pre_inv: float = 20.0, tau_post_inv: float = 20.0,
                a_pre: float = 1.0, a_post: float = 1.0, w_min: float = 0.0, w_max: float = 1.0,
                dt: float = 1e-3) -> Tensor:
    weights = w.clone()
    trace_pre = torch.zeros(pre.shape[1:], dtype=pre.dtype, device=pre.device)
    trace_post = torch.zeros(post.shape[1:], dtype=post.dtype, device=post.device)
    keep_pre, keep_post = 1 - dt * tau_pre_inv, 1 - dt * tau_post_inv
    for t in range(pre.shape[0]):
        trace_pre = keep_pre * trace_pre + dt * tau_pre_inv * a_pre * pre[t]
        trace_post = keep_post * trace_post + dt * tau_post_inv * a_post * post[t]
        potentiation = torch.einsum("bi,bj->ij", post[t], trace_pre)
        depression = torch.einsum("bi,bj->ij", trace_post, pre[t])
        weights = (weights + eta_plus * potentiation - eta_minus * depression).clamp(w_min, w_max)
    return weights
