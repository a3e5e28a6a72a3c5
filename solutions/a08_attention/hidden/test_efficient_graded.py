"""Graded: the cost of attention (FlopCounterMode) and a tiled attention with an online softmax
against scaled_dot_product_attention (part "scale", 15 points)."""

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from autograder.testing import assert_close, part, points, watch_call

TOL = {"rtol": 1e-10, "atol": 1e-12}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def measured(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> int:
    """FLOPs of SDPA's math path (FlopCounterMode counts its matrix products; the fused CPU
    kernels are not counted)."""
    counter = FlopCounterMode(display=False)
    with counter, sdpa_kernel(SDPBackend.MATH):
        F.scaled_dot_product_attention(q, k, v)
    return counter.get_total_flops()


@part("scale")
@points(2)
def test_attention_flops(student, rng):
    """attention_flops equals the FLOPs FlopCounterMode measures for scaled_dot_product_attention
    at several batch sizes, heads, lengths and widths (v_dim given or not)."""
    for _ in range(4):
        b, h, lq, ls, e, ev = (int(rng.integers(1, n)) for n in (4, 5, 40, 40, 17, 17))
        q, k, v = torch.zeros(b, h, lq, e), torch.zeros(b, h, ls, e), torch.zeros(b, h, ls, ev)
        assert student.efficient.attention_flops(b, h, lq, ls, e, ev) == measured(q, k, v), (
            f"FLOPs for {(b, h, lq, ls, e, ev)} differ")
    assert isinstance(student.efficient.attention_flops(1, 1, 2, 2, 2), int), "an int"
    v = torch.zeros(2, 3, 9, 4)
    assert student.efficient.attention_flops(2, 3, 7, 9, 4) == measured(
        torch.zeros(2, 3, 7, 4), v, v), "v_dim=None means v_dim = head_dim"


@part("scale")
@points(1)
def test_score_matrix_bytes(student, rng):
    """score_matrix_bytes is the size in bytes of a (B, H, L, S) tensor, float32 and float64."""
    for dtype in (torch.float32, torch.float64, torch.float16):
        b, h, lq, ls = (int(rng.integers(1, 50)) for _ in range(4))
        want = torch.empty(b, h, lq, ls, dtype=dtype).untyped_storage().nbytes()
        size = torch.empty((), dtype=dtype).element_size()
        assert student.efficient.score_matrix_bytes(b, h, lq, ls, size) == want, (
            f"bytes of a {dtype} score matrix differ")
    assert student.efficient.score_matrix_bytes(1, 2, 3, 4) == 96, "the default is float32"


@part("scale")
@points(3)
def test_online_softmax_update(student, rng, device):
    """Folding key blocks in with online_softmax_update and dividing acc by ell gives softmax(s) V;
    blocks whose scores are all -inf for some rows (so far) are handled; arguments unchanged."""
    scores, values = randn(rng, 2, 5, 12), randn(rng, 2, 12, 3)
    scores[:, 1, :8] = float("-inf")  # row 1 sees its first unmasked key in the last block
    scores[:, 3, 4:8] = float("-inf")  # row 3 has a fully masked middle block
    m = torch.full((2, 5, 1), float("-inf"), dtype=torch.float64).to(device)
    ell = torch.zeros(2, 5, 1, dtype=torch.float64).to(device)
    acc = torch.zeros(2, 5, 3, dtype=torch.float64).to(device)
    for start in (0, 4, 8):
        call = watch_call(student.efficient.online_softmax_update, m, ell, acc,
                          scores[..., start:start + 4].to(device),
                          values[:, start:start + 4].to(device))
        assert not call.changed, f"online_softmax_update modified {call.changed}"
        m, ell, acc = call.result
        for name, t in (("m", m), ("l", ell), ("acc", acc)):
            assert not bool(torch.isnan(t.cpu()).any()), f"{name} became NaN after a block"
    want_m = scores.amax(-1, keepdim=True)
    assert_close(m, want_m, **TOL, name="running max")
    assert_close(ell, torch.exp(scores - want_m).sum(-1, keepdim=True), **TOL, name="normaliser")
    assert_close(acc.cpu() / ell.cpu(), torch.softmax(scores, -1) @ values, **TOL, name="acc / l")


CASES = (((2, 3, 50, 8), (2, 3, 50, 8), (2, 3, 50, 5), 16, False),
         ((2, 3, 50, 8), (2, 3, 50, 8), (2, 3, 50, 5), 7, True),
         ((4, 9, 6), (4, 20, 6), (4, 20, 4), 64, False),
         ((1, 33, 4), (1, 20, 4), (1, 20, 4), 1, True),
         ((2, 11, 4), (2, 30, 4), (2, 30, 2), 8, True))


@part("scale")
@points(4)
def test_tiled_attention_forward(student, rng, device):
    """tiled_attention equals SDPA with and without a causal mask, for block sizes 1, 7, 8, 16
    and larger than S, L != S, a given scale, and leading dimensions of any rank."""
    for qs, ks, vs, block, causal in CASES:
        q, k, v = randn(rng, *qs), randn(rng, *ks), randn(rng, *vs)
        got = student.efficient.tiled_attention(q.to(device), k.to(device), v.to(device), block,
                                                causal)
        want = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        assert_close(got, want, **TOL, name=f"q {qs}, block {block}, causal={causal}")
    q, k, v = randn(rng, 2, 6, 4), randn(rng, 2, 6, 4), randn(rng, 2, 6, 4)
    got = student.efficient.tiled_attention(q.to(device), k.to(device), v.to(device), 4,
                                            scale=0.2)
    assert_close(got, F.scaled_dot_product_attention(q, k, v, scale=0.2), **TOL, name="scale")


@part("scale")
@points(3)
def test_tiled_attention_backward(student, rng, device):
    """Gradients through tiled_attention equal SDPA's for q, k and v (causal or not)."""
    calls = student.lib("dnn.calls")
    for qs, ks, vs, block, causal in CASES[1:4]:
        q, k, v = randn(rng, *qs), randn(rng, *ks), randn(rng, *vs)
        up = randn(rng, *qs[:-1], vs[-1])
        got = calls.gradients_of_call(student.efficient.tiled_attention,
                                      {"q": q.to(device), "k": k.to(device), "v": v.to(device)},
                                      up.to(device), block_size=block, is_causal=causal)
        leaves = [t.clone().requires_grad_(True) for t in (q, k, v)]
        (F.scaled_dot_product_attention(*leaves, is_causal=causal) * up).sum().backward()
        for name, leaf in zip("qkv", leaves, strict=True):
            assert_close(got[name], leaf.grad, **TOL, name=f"d/d{name}, q {qs}, block {block}")


@part("scale")
@points(2)
def test_tiled_attention_memory(student, rng, device):
    """tiled_attention never forms the (..., L, S) score matrix: with L = S = 256 and blocks of
    32, no tensor it creates holds as many as half of B H L S numbers."""
    calls = student.lib("dnn.calls")
    q, k, v = (randn(rng, 1, 2, 256, 8).to(device) for _ in range(3))
    for causal in (False, True):
        got, largest = calls.largest_intermediate(student.efficient.tiled_attention, q, k, v,
                                                  32, causal)
        assert_close(got, F.scaled_dot_product_attention(q.cpu(), k.cpu(), v.cpu(),
                                                         is_causal=causal), **TOL,
                     name=f"output (causal={causal})")
        assert largest < 2 * 256 * 256 // 2, (
            f"a tensor of {largest} numbers was formed (the full score matrix has {2 * 256**2})")
