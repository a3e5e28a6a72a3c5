"""Graded: scaled dot-product attention against F.scaled_dot_product_attention (part
"attention", 15 points)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points, watch_call

TOL = {"rtol": 1e-10, "atol": 1e-12}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def sdpa_weights(q, k, **kw) -> torch.Tensor:
    """SDPA's own attention matrix: attend over the identity values."""
    eye = torch.eye(k.shape[-2], dtype=q.dtype).expand(*k.shape[:-1], k.shape[-2])
    return F.scaled_dot_product_attention(q, k, eye, **kw)


def cases(rng: np.random.Generator):
    """(name, q, k, v, kwargs): shapes with L != S, broadcast batch dims, every mask kind."""
    q, k, v = randn(rng, 2, 3, 4, 5), randn(rng, 2, 3, 6, 5), randn(rng, 2, 3, 6, 7)
    bool_mask = torch.from_numpy(rng.random((4, 6)) < 0.6)
    bool_mask[:, 0] = True  # every row keeps a key here; fully masked rows are tested apart
    float_mask = randn(rng, 2, 1, 4, 6)
    yield "no mask", q, k, v, {}
    yield "boolean mask", q, k, v, {"attn_mask": bool_mask}
    yield "float mask", q, k, v, {"attn_mask": float_mask}
    yield "causal, L < S", q, k, v, {"is_causal": True}
    yield "causal, L = S, scale 0.3", randn(rng, 3, 6, 5), k[0], v[0], {"is_causal": True,
                                                                     "scale": 0.3}
    yield "unbatched, 1 key", randn(rng, 4, 3), randn(rng, 1, 3), randn(rng, 1, 2), {}


def on(device: str, kw: dict) -> dict:
    return {n: (x.to(device) if torch.is_tensor(x) else x) for n, x in kw.items()}


@part("attention")
@points(4)
def test_attention_matches_sdpa(student, rng, device):
    """scaled_dot_product_attention matches torch's for boolean, float and causal masks, a
    given scale, L != S and broadcast leading dimensions."""
    for name, q, k, v, kw in cases(rng):
        got = student.attention.scaled_dot_product_attention(
            q.to(device), k.to(device), v.to(device), **on(device, kw))
        assert_close(got, F.scaled_dot_product_attention(q, k, v, **kw), **TOL, name=name)


@part("attention")
@points(3)
def test_attention_weights(student, rng, device):
    """attention_weights equals SDPA's attention matrix, leaves its arguments unchanged, rejects
    attn_mask together with is_causal."""
    for name, q, k, _, kw in cases(rng):
        call = watch_call(student.attention.attention_weights, q.to(device), k.to(device),
                          **on(device, kw))
        assert not call.changed, f"attention_weights modified {call.changed} ({name})"
        assert_close(call.result, sdpa_weights(q, k, **kw), **TOL, name=f"weights, {name}")
    q, k = randn(rng, 3, 4), randn(rng, 3, 4)
    with pytest.raises(StudentError, match="ValueError"):
        student.attention.attention_weights(q.to(device), k.to(device),
                                            torch.ones(3, 3, dtype=torch.bool).to(device), True)


@part("attention")
@points(2)
def test_fully_masked_rows(student, rng, device):
    """A query row whose keys are all masked (boolean False or float -inf) gets zero weights and
    a zero output, as SDPA gives; the other rows are unaffected."""
    q, k, v = randn(rng, 2, 5, 4), randn(rng, 2, 6, 4), randn(rng, 2, 6, 3)
    bool_mask = torch.ones(5, 6, dtype=torch.bool)
    bool_mask[[1, 3]] = False
    float_mask = torch.zeros(5, 6, dtype=torch.float64)
    float_mask[2] = float("-inf")
    for name, mask in (("boolean", bool_mask), ("float", float_mask)):
        got = student.attention.attention_weights(q.to(device), k.to(device), mask.to(device))
        assert bool(torch.isfinite(got.cpu()).all()), f"weights with a {name} mask are not finite"
        assert_close(got, sdpa_weights(q, k, attn_mask=mask), **TOL, name=f"{name} weights")
        out = student.attention.scaled_dot_product_attention(q.to(device), k.to(device),
                                                             v.to(device), mask.to(device))
        assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), **TOL,
                     name=f"output with a {name} mask")


@part("attention")
@points(2)
def test_attention_gradients(student, rng, device):
    """Gradients through scaled_dot_product_attention (a mask with one fully masked row
    included) equal SDPA's for q, k and v, and stay finite."""
    calls = student.lib("dnn.calls")
    q, k, v = randn(rng, 2, 5, 4), randn(rng, 2, 7, 4), randn(rng, 2, 7, 3)
    mask = torch.from_numpy(rng.random((5, 7)) < 0.7)
    mask[:, 2] = True
    mask[4] = False
    up = randn(rng, 2, 5, 3)
    for kw in ({"attn_mask": mask}, {"is_causal": True}):
        got = calls.gradients_of_call(student.attention.scaled_dot_product_attention,
                                      {"q": q.to(device), "k": k.to(device), "v": v.to(device)},
                                      up.to(device), **on(device, kw))
        leaves = [t.clone().requires_grad_(True) for t in (q, k, v)]
        (F.scaled_dot_product_attention(*leaves, **kw) * up).sum().backward()
        for name, leaf in zip("qkv", leaves, strict=True):
            assert name in got, f"no gradient reached {name}"
            assert bool(torch.isfinite(got[name].cpu()).all()), f"d/d{name} is not finite"
            assert_close(got[name], leaf.grad, **TOL, name=f"d/d{name} ({list(kw)[0]})")


@part("attention")
@points(2)
def test_dropout_weights(student, reference, rng, device):
    """dropout_weights: entries are 0 or w / (1 - p), about a fraction p dropped, the draws taken
    from the given generator as the docstring says; p = 0 and p = 1 exact; p > 1 raises."""
    calls = student.lib("dnn.calls")
    w = torch.softmax(randn(rng, 4, 50, 60), dim=-1)
    for p in (0.1, 0.5):
        seed = int(rng.integers(1 << 30))
        got = calls.call_with_generator(student.attention.dropout_weights, seed, w.to(device), p)
        assert tuple(got.shape) == tuple(w.shape), "dropout keeps the shape"
        got = got.cpu()
        kept = got != 0
        assert_close(got[kept], (w / (1 - p))[kept], **TOL, name=f"kept weights (p={p})")
        frac = 1 - float(kept.double().mean())
        assert abs(frac - p) < 0.03, f"dropped a fraction {frac:.3f} with p = {p}"
        again = calls.call_with_generator(student.attention.dropout_weights, seed,
                                          w.to(device), p)
        assert torch.equal(again.cpu(), got), "the same seed gives different draws"
        gen = torch.Generator(device=device).manual_seed(seed)
        want = reference.attention.dropout_weights(w.to(device), p, gen)
        assert torch.equal(kept, want.cpu() != 0), (
            "the kept entries are not those of torch.rand(..., generator=generator) >= p")
    assert_close(student.attention.dropout_weights(w.to(device), 0.0), w, **TOL, name="p=0")
    assert_close(student.attention.dropout_weights(w.to(device), 1.0), torch.zeros_like(w),
                 **TOL, name="p=1")
    # a tie: p equal to one of the draws keeps that entry (u >= p, not u > p)
    seed = int(rng.integers(1 << 30))
    draws = torch.rand(w.shape, generator=torch.Generator(device=device).manual_seed(seed),
                       dtype=w.dtype, device=device).cpu()
    tie = draws.flatten()[int(rng.integers(draws.numel()))].item()
    got = calls.call_with_generator(student.attention.dropout_weights, seed, w.to(device), tie)
    assert torch.equal(got.cpu() != 0, draws >= tie), (
        "p equal to a draw u: the entries with u >= p are kept, the others dropped")
    with pytest.raises(StudentError, match="ValueError"):
        student.attention.dropout_weights(w.to(device), 1.5)


@part("attention")
@points(2)
def test_attention_dropout(student, reference, rng, device):
    """scaled_dot_product_attention with dropout_p drops attention weights (not outputs) with the
    given generator: weights -> dropout_weights(weights, p, generator) -> times v."""
    calls = student.lib("dnn.calls")
    q, k, v = randn(rng, 3, 8, 4), randn(rng, 3, 9, 4), randn(rng, 3, 9, 5)
    seed = int(rng.integers(1 << 30))
    got = calls.call_with_generator(student.attention.scaled_dot_product_attention, seed,
                                    q.to(device), k.to(device), v.to(device), dropout_p=0.3)
    gen = torch.Generator(device=device).manual_seed(seed)
    weights = sdpa_weights(q, k).to(device)
    keep = torch.rand(weights.shape, generator=gen, dtype=weights.dtype, device=device) >= 0.3
    want = torch.where(keep, weights / 0.7, torch.zeros_like(weights)) @ v.to(device)
    assert_close(got, want, **TOL, name="output with dropout")
