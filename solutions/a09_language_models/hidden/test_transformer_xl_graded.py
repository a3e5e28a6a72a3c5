"""Graded: Transformer-XL's sinusoidal table against math.sin/cos, the relative shift against its
index formula, the relative scores (u, v, W_r, causal mask over memory and segment) and the
attention against a naive float64 loop over every (i, j), the segment recurrence (memory
contents and shapes over repeated calls, detached) against the same naive model, and the recall
of a token one segment back (part "transformer_xl", 22)."""

import math

import numpy as np
import pytest
import torch
import xl_naive

from autograder.testing import StudentError, assert_close, part, points, watch_call
from dnn.lm_segments import repeated_segments

TOL = {"rtol": 1e-9, "atol": 1e-10}


def raises_value_error(fn, *args, what: str) -> None:
    with pytest.raises(StudentError) as err:
        fn(*args)
    assert err.value.type_name == "ValueError", f"{what} should raise ValueError"


def attn_state(rng, c: int, h: int, d: int) -> dict[str, np.ndarray]:
    return {"qkv.weight": rng.standard_normal((3 * h * d, c)) / math.sqrt(c),
            "r_net.weight": rng.standard_normal((h * d, c)) / math.sqrt(c),
            "out.weight": rng.standard_normal((c, h * d)) / math.sqrt(h * d),
            "u": rng.standard_normal((h, d)), "v": rng.standard_normal((h, d))}


def model_state(rng, v: int, c: int, h: int, d: int, di: int, n_layer: int
                ) -> dict[str, np.ndarray]:
    p = {"emb.weight": rng.standard_normal((v, c))}
    for li in range(n_layer):
        pre = f"layers.{li}."
        p.update({pre + "attn." + k: w for k, w in attn_state(rng, c, h, d).items()})
        for ln in ("ln_1", "ln_2"):
            p[pre + ln + ".weight"] = 1 + 0.3 * rng.standard_normal(c)
            p[pre + ln + ".bias"] = 0.3 * rng.standard_normal(c)
        p[pre + "ff.0.weight"] = rng.standard_normal((di, c)) / math.sqrt(c)
        p[pre + "ff.0.bias"] = 0.3 * rng.standard_normal(di)
        p[pre + "ff.2.weight"] = rng.standard_normal((c, di)) / math.sqrt(di)
        p[pre + "ff.2.bias"] = 0.3 * rng.standard_normal(c)
    p["ln_f.weight"] = 1 + 0.3 * rng.standard_normal(c)
    p["ln_f.bias"] = 0.3 * rng.standard_normal(c)
    p["head.weight"] = rng.standard_normal((v, c)) / math.sqrt(c)
    p["head.bias"] = 0.3 * rng.standard_normal(v)
    return p


def to_torch(p: dict[str, np.ndarray], device) -> dict[str, torch.Tensor]:
    return {k: torch.as_tensor(w, device=device) for k, w in p.items()}


def student_xl(student, p, device, v, c, h, d, di, n_layer, mem_len):
    model = student.transformer_xl.TransformerXL(v, c, h, d, di, n_layer, mem_len)
    model.double()
    model.to(device)
    model.load_state_dict(to_torch(p, device))
    return model


@part("transformer_xl")
@points(2)
def test_sinusoid_table(student, rng, device):
    """sinusoid_table is [sin(p w_j), cos(p w_j)] with w_j = 10000^(-2j/d), in the dtype of the
    positions (float64 and float32); an odd d raises ValueError."""
    pos = np.concatenate([[0.0, 1.0], rng.uniform(0, 60, 5), [17.0]])
    for d in (2, 8, 14):
        got = student.transformer_xl.sinusoid_table(torch.as_tensor(pos, device=device), d)
        want = np.stack([xl_naive.encoding(float(x), d) for x in pos])
        assert tuple(got.shape) == (len(pos), d), f"the table for d={d} should be (L, d)"
        assert got.dtype == torch.float64, "the table should keep the positions' dtype"
        assert_close(got, torch.as_tensor(want, device=device), **TOL, name=f"table, d={d}")
    got = student.transformer_xl.sinusoid_table(torch.as_tensor(pos, device=device).float(), 6)
    assert got.dtype == torch.float32, "float32 positions should give a float32 table"
    raises_value_error(student.transformer_xl.sinusoid_table,
                       torch.as_tensor(pos, device=device), 5, what="d=5")


@part("transformer_xl")
@points(4)
def test_rel_shift(student, rng, device):
    """rel_shift gives y[..., i, j] = x[..., i, j + T - 1 - i] wherever j <= i + K - T, for K = T
    and K > T and several leading dimensions, without modifying x; K < T raises ValueError."""
    for shape in ((4, 4), (3, 7), (2, 3, 5, 9), (1, 6)):
        x = torch.as_tensor(rng.standard_normal(shape), device=device)
        call = watch_call(student.transformer_xl.rel_shift, x)
        y = call.result
        assert not call.changed, "rel_shift should not modify its argument"
        assert tuple(y.shape) == shape, f"rel_shift of {shape} should keep the shape"
        t, k = shape[-2:]
        for i in range(t):
            for j in range(i + k - t + 1):
                assert_close(y[..., i, j], x[..., i, j + t - 1 - i], rtol=0, atol=0,
                             name=f"shifted entry ({i}, {j}) of a {shape} input")
    raises_value_error(student.transformer_xl.rel_shift,
                       torch.as_tensor(rng.standard_normal((5, 3)), device=device), what="K < T")


@part("transformer_xl")
@points(5)
def test_relative_attention_naive(student, rng, device):
    """RelMultiHeadAttention.scores equals a naive float64 loop over every (i, j): the content
    term with u, the position term with v and W_r of the encoding of M + i - j, scaled by
    1/sqrt(D), -inf exactly where j > M + i; with no memory, with a memory of M = 4 and M = 1;
    forward equals softmax(scores) V projected by out."""
    c, h, d = 6, 2, 3
    p = attn_state(rng, c, h, d)
    attn = student.transformer_xl.RelMultiHeadAttention(c, h, d)
    attn.double()
    attn.to(device)
    shapes = {k: tuple(v.shape) for k, v in attn.state_dict().items()}
    assert shapes == {k: w.shape for k, w in p.items()}, \
        "the parameters should be qkv, r_net, out (no biases), u and v with the handout's shapes"
    attn.load_state_dict(to_torch(p, device))
    for b, t, m in ((2, 4, 0), (2, 3, 4), (1, 5, 1)):
        x = rng.standard_normal((b, t, c))
        mem = rng.standard_normal((b, m, c)) if m else None
        want = xl_naive.scores(p, x, mem, h, d)
        args = [torch.as_tensor(x, device=device)]
        if m:
            args.append(torch.as_tensor(mem, device=device))
        got = attn.scores(*args)
        assert tuple(got.shape) == want.shape, f"scores with M={m}, T={t} should be (B, H, T, M+T)"
        masked = np.isinf(want)
        assert torch.equal(torch.isneginf(got).cpu(), torch.as_tensor(masked)), \
            f"the causal mask over memory and segment is wrong (M={m}, T={t})"
        assert_close(got.cpu()[~torch.as_tensor(masked)], torch.as_tensor(want[~masked]), **TOL,
                     name=f"unmasked scores with M={m}, T={t}")
        assert_close(attn(*args).cpu(), torch.as_tensor(xl_naive.attention(p, x, mem, h, d)),
                     **TOL, name=f"attention output with M={m}, T={t}")


@part("transformer_xl")
@points(5)
def test_recurrence_over_segments(student, rng, device):
    """Over four consecutive segments, the logits and the memories (the last mem_len inputs of
    every layer, (B, min(mem_len, M + T), C)) equal the naive model's, for mem_len shorter than,
    equal to and longer than what has been seen (and 0); the first call has no memory, and
    reset_memory forgets it."""
    v, c, h, d, di, n_layer, b, t = 7, 6, 2, 3, 8, 2, 2, 3
    p = model_state(rng, v, c, h, d, di, n_layer)
    for mem_len in (2, 3, 5, 20, 0):
        model = student_xl(student, p, device, v, c, h, d, di, n_layer, mem_len)
        assert model.mems is None, "a new model should have no memory (mems None)"
        ids = rng.integers(0, v, (b, 4 * t))
        mems = None
        for s in range(4):
            seg = ids[:, s * t:(s + 1) * t]
            want, mems = xl_naive.model(p, seg, mems, n_layer, h, d, mem_len)
            got = model(torch.as_tensor(seg, device=device))
            assert_close(got.cpu(), torch.as_tensor(want), **TOL,
                         name=f"logits of segment {s} with mem_len={mem_len}")
            got_mems = model.mems
            assert len(got_mems) == n_layer, "mems should hold one tensor per layer"
            for li in range(n_layer):
                assert tuple(got_mems[li].shape) == mems[li].shape, \
                    f"memory of layer {li} after segment {s} (mem_len={mem_len}) has a wrong shape"
                assert_close(got_mems[li].cpu(), torch.as_tensor(mems[li]), **TOL,
                             name=f"memory of layer {li} after segment {s}, mem_len={mem_len}")
        model.reset_memory()
        assert model.mems is None, "reset_memory should set mems to None"
        want, _ = xl_naive.model(p, ids[:, :t], None, n_layer, h, d, mem_len)
        assert_close(model(torch.as_tensor(ids[:, :t], device=device)).cpu(),
                     torch.as_tensor(want), **TOL, name="logits after reset_memory")


@part("transformer_xl")
@points(3)
def test_memory_is_detached(student, rng, device):
    """The memory carries no gradient: after a forward on one segment, the parameter gradients
    of the next segment equal those computed with the same memory given as constants."""
    v, c, h, d, di, n_layer, b, t = 7, 6, 2, 3, 8, 2, 2, 4
    p = model_state(rng, v, c, h, d, di, n_layer)
    model = student_xl(student, p, device, v, c, h, d, di, n_layer, 4)
    ids = torch.as_tensor(rng.integers(0, v, (b, 2 * t)), device=device)
    up = torch.as_tensor(rng.standard_normal((b, t, v)), device=device)
    autograd = student.lib("dnn.autograd")
    model.reset_memory()
    model.train()
    model(ids[:, :t])
    mems = model.mems
    through = autograd.gradients(model, [ids[:, t:]], up)
    model.mems = [m.clone() for m in mems]                  # the same memory, as plain data
    const = autograd.gradients(model, [ids[:, t:]], up)
    assert set(through) == set(const), "the same parameters should get gradients"
    for k in const:
        assert_close(through[k], const[k], rtol=1e-9, atol=1e-11,
                     name=f"gradient of {k} (does it flow into the memory?)")


@part("transformer_xl")
@points(3)
def test_memory_recalls_previous_segment(student, device):
    """On rows [A, A] (A 8 random tokens of 8, segments of 8), train_xl with mem_len=8 (other
    defaults, seed 0) predicts the second segment's next tokens, which only the memory holds, at
    least 0.5 better in accuracy than with mem_len=0, and above 0.7; scored here on held-out
    rows; one loss per step is returned."""
    seg, vocab = 8, 8
    train = repeated_segments(2000, seg, vocab, seed=0)
    test = torch.as_tensor(repeated_segments(256, seg, vocab, seed=1), device=device)
    acc = {}
    for mem_len in (seg, 0):
        model, losses = student.transformer_xl.train_xl(train, vocab, seg, mem_len=mem_len,
                                                         device=device)
        assert len(losses) == 100, "train_xl should return one loss per step"
        model.eval()
        model.reset_memory()
        model(test[:, :seg])
        logits = model(test[:, seg:])
        acc[mem_len] = float((logits[:, :-1].argmax(-1) == test[:, seg + 1:]).double().mean())
    assert acc[seg] > 0.7, f"with memory the accuracy is only {acc[seg]:.2f}"
    assert acc[seg] > acc[0] + 0.5, "the memory should beat mem_len=0 by 0.5 in accuracy"
