"""Graded: multi-head attention against torch.nn.MultiheadAttention with copied weights, float64
(part "multihead", 15 points)."""

import numpy as np
import torch

from autograder.testing import assert_close, part, points

TOL = {"rtol": 1e-9, "atol": 1e-11}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def pair(student, device: str, *args, **kw):
    """(torch's MultiheadAttention, the student's with the same weights), float64, eval mode."""
    ref = torch.nn.MultiheadAttention(*args, **kw).double().eval()
    with torch.no_grad():
        for p in ref.parameters():
            p.normal_(0, 0.5)  # nonzero biases, so a bias in the wrong place shows
    mine = student.multihead.MultiheadAttention(*args, **kw).double().to(device)
    mine.load_state_dict(ref.state_dict())
    mine.eval()
    return ref, mine


def inputs(rng, n: int, lq: int, ls: int, e: int, kdim: int, vdim: int, batch_first: bool):
    q, k, v = randn(rng, lq, n, e), randn(rng, ls, n, kdim), randn(rng, ls, n, vdim)
    if batch_first:
        q, k, v = (t.transpose(0, 1).contiguous() for t in (q, k, v))
    return q, k, v


def compare(mine, ref, args, device: str, name: str, **kw) -> None:
    kw_dev = {n: (x.to(device) if torch.is_tensor(x) else x) for n, x in kw.items()}
    got = mine(*(t.to(device) for t in args), **kw_dev)
    want = ref(*args, **kw)
    assert isinstance(got, tuple | list) and len(got) == 2, f"{name}: returns (out, weights)"
    assert_close(got[0], want[0].detach(), **TOL, name=f"{name} output")
    if want[1] is None:
        assert got[1] is None, f"{name}: weights should be None with need_weights=False"
    else:
        assert_close(got[1], want[1].detach(), **TOL, name=f"{name} weights")


@part("multihead")
@points(2)
def test_split_and_merge_heads(student, rng, device):
    """split_heads puts features [h d, (h+1) d) in head h as (N, H, T, d); merge_heads inverts
    it."""
    x = randn(rng, 2, 5, 12)
    for heads in (1, 3, 4):
        got = student.multihead.split_heads(x.to(device), heads)
        d = 12 // heads
        want = torch.stack([x[..., h * d:(h + 1) * d] for h in range(heads)], dim=1)
        assert_close(got, want, rtol=0, atol=0, name=f"split_heads ({heads} heads)")
        back = student.multihead.merge_heads(want.to(device))
        assert_close(back, x, rtol=0, atol=0, name=f"merge_heads ({heads} heads)")


@part("multihead")
@points(3)
def test_combine_masks(student, rng, device):
    """combine_masks: nn.MultiheadAttention's conventions (boolean True = masked), (L, S) and
    (N H, L, S) attention masks, (N, S) padding masks, float masks added, None for no mask."""
    n, h, lq, ls = 2, 3, 4, 5
    cm = student.multihead.combine_masks
    like = torch.zeros(1, dtype=torch.float64).to(device)
    assert cm(None, None, n, h, lq, ls, like) is None, "no masks: None"
    am = torch.from_numpy(rng.random((lq, ls)) < 0.4)
    kpm = torch.from_numpy(rng.random((n, ls)) < 0.4)
    am3 = torch.from_numpy(rng.random((n * h, lq, ls)) < 0.4)
    fm = randn(rng, lq, ls)
    ninf = torch.tensor(float("-inf"), dtype=torch.float64)
    zero = torch.tensor(0.0, dtype=torch.float64)
    cases = (
        ("bool attn_mask (L, S)", am, None, torch.where(am, ninf, zero).expand(n, h, lq, ls)),
        ("bool attn_mask (N H, L, S)", am3, None,
         torch.where(am3, ninf, zero).reshape(n, h, lq, ls)),
        ("bool key_padding_mask", None, kpm,
         torch.where(kpm, ninf, zero)[:, None, None, :].expand(n, h, lq, ls)),
        ("float attn_mask + bool padding", fm, kpm,
         fm + torch.where(kpm, ninf, zero)[:, None, None, :]),
    )
    for name, a, k, want in cases:
        got = cm(None if a is None else a.to(device), None if k is None else k.to(device),
                 n, h, lq, ls, like)
        assert got is not None and tuple(got.shape) == (n, h, lq, ls), f"{name}: (N, H, L, S)"
        got, want = got.cpu(), want.expand(n, h, lq, ls)
        assert torch.equal(torch.isneginf(got), torch.isneginf(want)), f"{name}: masked entries"
        finite = torch.isfinite(want)
        assert_close(got[finite], want[finite], **TOL, name=name)


@part("multihead")
@points(3)
def test_self_attention_matches_torch(student, rng, device):
    """Self-attention with the packed in_proj layout matches nn.MultiheadAttention: batch_first
    or not, with and without bias, averaged and per-head weights, need_weights=False."""
    for e, heads, bias, bf in ((8, 2, True, False), (12, 3, True, True), (6, 1, False, True)):
        ref, mine = pair(student, device, e, heads, bias=bias, batch_first=bf)
        q, _, _ = inputs(rng, 3, 5, 5, e, e, e, bf)
        name = f"E={e}, H={heads}, bias={bias}, batch_first={bf}"
        compare(mine, ref, (q, q, q), device, name)
        compare(mine, ref, (q, q, q), device, f"{name}, per head", average_attn_weights=False)
        compare(mine, ref, (q, q, q), device, f"{name}, no weights", need_weights=False)


@part("multihead")
@points(2)
def test_cross_attention_kdim_vdim(student, rng, device):
    """Cross-attention with kdim and vdim (separate q/k/v_proj_weight) matches torch, S != L;
    projection_weights returns (W_q, W_k, W_v) from either layout."""
    for bf in (False, True):
        ref, mine = pair(student, device, 8, 4, kdim=5, vdim=3, batch_first=bf)
        want = (ref.q_proj_weight, ref.k_proj_weight, ref.v_proj_weight)
        for name, got, w in zip("qkv", mine.projection_weights(), want, strict=True):
            assert_close(got, w.detach(), rtol=0, atol=0, name=f"W_{name} (kdim, vdim)")
        packed = pair(student, device, 6, 2)
        want = packed[0].in_proj_weight.detach().chunk(3)
        for name, got, w in zip("qkv", packed[1].projection_weights(), want, strict=True):
            assert_close(got, w, rtol=0, atol=0, name=f"W_{name} (packed)")
        args = inputs(rng, 2, 4, 7, 8, 5, 3, bf)
        compare(mine, ref, args, device, f"kdim=5, vdim=3, batch_first={bf}",
                average_attn_weights=False)
        same_kv = inputs(rng, 2, 4, 7, 8, 8, 8, bf)
        ref, mine = pair(student, device, 8, 2, batch_first=bf)
        compare(mine, ref, same_kv, device, f"cross-attention, batch_first={bf}")


@part("multihead")
@points(2)
def test_masks_match_torch(student, rng, device):
    """key_padding_mask and attn_mask (boolean True = masked, float, per-head 3-D) give torch's
    outputs and weights."""
    n, heads, lq, ls, e = 3, 2, 4, 6, 8
    ref, mine = pair(student, device, e, heads, batch_first=True)
    args = inputs(rng, n, lq, ls, e, e, e, True)
    kpm = torch.zeros(n, ls, dtype=torch.bool)
    kpm[0, -2:] = True
    kpm[2, :3] = True
    am = torch.from_numpy(rng.random((lq, ls)) < 0.3)
    am[:, 3] = False  # a key no row masks: no fully masked rows here
    am3 = torch.from_numpy(rng.random((n * heads, lq, ls)) < 0.3)
    am3[..., 3] = False
    for name, kw in (("key_padding_mask", {"key_padding_mask": kpm}),
                     ("bool attn_mask", {"attn_mask": am}),
                     ("float attn_mask", {"attn_mask": randn(rng, lq, ls)}),
                     ("3-D attn_mask + padding", {"attn_mask": am3, "key_padding_mask": kpm})):
        compare(mine, ref, args, device, name, average_attn_weights=False, **kw)


@part("multihead")
@points(2)
def test_gradients_match_torch(student, rng, device):
    """Autograd through the student's MultiheadAttention gives torch's gradients for query, key,
    value and every parameter."""
    autograd = student.lib("dnn.autograd")
    for kw in ({}, {"kdim": 5, "vdim": 3}):
        ref, mine = pair(student, device, 8, 2, batch_first=True, **kw)
        args = inputs(rng, 2, 4, 6, 8, kw.get("kdim", 8), kw.get("vdim", 8), True)
        up = randn(rng, 2, 4, 8)
        got = autograd.gradients(mine, [t.to(device) for t in args], up.to(device),
                                 output_index=0)
        leaves = [t.clone().requires_grad_(True) for t in args]
        (ref(*leaves)[0] * up).sum().backward()
        want = {f"input{i}": x.grad for i, x in enumerate(leaves)}
        want.update({n: p.grad for n, p in ref.named_parameters()})
        assert isinstance(got, dict) and set(got) == set(want), (
            "gradients should reach the inputs and every parameter")
        for key, value in want.items():
            assert_close(got[key], value, **TOL, name=f"d/d{key} {kw}")


@part("multihead")
@points(1)
def test_dropout_in_training_mode_only(student, rng, device):
    """With dropout 0.5, eval mode matches torch (no dropout); train mode drops attention
    weights (outputs change from call to call and weights no longer sum to 1)."""
    ref, mine = pair(student, device, 8, 2, dropout=0.5, batch_first=True)
    args = inputs(rng, 2, 6, 6, 8, 8, 8, True)
    compare(mine, ref, args, device, "eval mode")
    mine.train()
    dev = [t.to(device) for t in args]
    (out1, w1), (out2, _) = mine(*dev), mine(*dev)
    assert not torch.allclose(out1, out2), "train mode: two calls give the same output"
    sums = w1.sum(-1).cpu()
    assert not torch.allclose(sums, torch.ones_like(sums)), "train mode: no weight was dropped"
