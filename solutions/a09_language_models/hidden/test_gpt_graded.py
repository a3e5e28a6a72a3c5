"""Graded: GPT-2's attention, MLP, block, logits, loss, weight tying and initialisation against a
tiny random Hugging Face GPT2LMHeadModel with copied weights, in float64 (part "gpt", 18)."""

import math

import pytest
import torch
from hf_models import gpt_state, hf_gpt2

from autograder.testing import StudentError, assert_close, part, points

TOL = {"rtol": 1e-9, "atol": 1e-10}


def prefixed(state: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}


def student_gpt(student, hf, device, **kw):
    cfg = hf.config
    model = student.gpt.GPT(cfg.vocab_size, cfg.n_positions, cfg.n_embd, cfg.n_layer, cfg.n_head)
    model.double()
    model.to(device)
    model.load_state_dict(gpt_state(hf))
    model.eval()
    return model


@part("gpt")
@points(4)
def test_attention_matches_hf(student, rng, device):
    """CausalSelfAttention matches GPT2Attention (copied c_attn and c_proj), and returns the keys
    and values of every position as (B, H, T, D)."""
    hf = hf_gpt2(int(rng.integers(1000)), device)
    attn_hf = hf.transformer.h[0].attn
    attn = student.gpt.CausalSelfAttention(16, 4)
    attn.double()
    attn.to(device)
    attn.load_state_dict(prefixed(gpt_state(hf), "h.0.attn."))
    for t in (1, 7):
        x = torch.as_tensor(rng.standard_normal((3, t, 16)), device=device)
        y, (k, v) = attn(x)
        with torch.no_grad():
            want = attn_hf(x)[0]
            _, k_want, v_want = attn_hf.c_attn(x).split(16, dim=-1)
        assert_close(y, want, **TOL, name=f"attention output with T={t}")
        assert tuple(k.shape) == (3, 4, t, 4), "k should be (B, H, T, D)"
        assert_close(k, k_want.view(3, t, 4, 4).transpose(1, 2), **TOL, name="returned k")
        assert_close(v, v_want.view(3, t, 4, 4).transpose(1, 2), **TOL, name="returned v")


@part("gpt")
@points(3)
def test_mlp_and_block_match_hf(student, rng, device):
    """MLP (tanh GELU) and the pre-norm Block match GPT2MLP and GPT2Block."""
    hf = hf_gpt2(int(rng.integers(1000)), device)
    state = gpt_state(hf)
    mlp = student.gpt.MLP(16)
    mlp.double()
    mlp.to(device)
    mlp.load_state_dict(prefixed(state, "h.1.mlp."))
    block = student.gpt.Block(16, 4)
    block.double()
    block.to(device)
    block.load_state_dict(prefixed(state, "h.1."))
    x = torch.as_tensor(3 * rng.standard_normal((2, 6, 16)), device=device)
    with torch.no_grad():
        assert_close(mlp(x), hf.transformer.h[1].mlp(x), **TOL, name="MLP output")
        out = hf.transformer.h[1](x)
        want = out[0] if isinstance(out, tuple) else out
    y, _ = block(x)
    assert_close(y, want, **TOL, name="Block output")


@part("gpt")
@points(4)
def test_gpt_logits_match_hf(student, rng, device):
    """GPT logits match GPT2LMHeadModel for several lengths (1 up to n_positions), and a
    sequence longer than n_positions raises ValueError."""
    hf = hf_gpt2(int(rng.integers(1000)), device)
    model = student_gpt(student, hf, device)
    for b, t in ((1, 1), (3, 11), (2, 24)):
        ids = torch.as_tensor(rng.integers(0, 37, (b, t)), device=device)
        with torch.no_grad():
            want = hf(ids).logits
        assert_close(model(ids), want, **TOL, name=f"logits of a ({b}, {t}) batch")
        logits, _ = model.forward_with_cache(ids)
        assert_close(logits, want, **TOL, name="forward_with_cache without a cache")
    with pytest.raises(StudentError) as err:
        model(torch.zeros(1, 25, dtype=torch.long, device=device))
    assert err.value.type_name == "ValueError", \
        "25 tokens with n_positions=24 should raise ValueError"


@part("gpt")
@points(3)
def test_lm_loss_matches_hf(student, rng, device):
    """lm_loss equals GPT2LMHeadModel's loss with labels (shifted by one, -100 ignored; HF
    computes it in float32) and the float64 mean of -log p over the kept targets."""
    hf = hf_gpt2(int(rng.integers(1000)), device)
    ids = torch.as_tensor(rng.integers(0, 37, (4, 13)), device=device)
    labels = ids.clone()
    labels[0, 3:6] = -100
    labels[2, -1] = -100
    with torch.no_grad():
        for lab in (ids, labels):
            out = hf(ids, labels=lab)
            got = student.gpt.lm_loss(out.logits, lab)
            assert_close(got, out.loss, rtol=1e-5, name="the loss against HF's")
            target = lab[:, 1:]
            keep = target != -100
            logp = torch.log_softmax(out.logits[:, :-1], -1)
            nll = -logp.gather(-1, target.clamp(min=0)[..., None])[..., 0]
            assert_close(got, nll[keep].mean(), rtol=1e-10, name="the loss in float64")
    logits = torch.as_tensor(rng.standard_normal((2, 5, 9)), device=device)
    lab = torch.as_tensor(rng.integers(0, 9, (2, 5)), device=device)
    want = -torch.log_softmax(logits[:, :-1], -1).gather(-1, lab[:, 1:, None]).mean()
    assert_close(student.gpt.lm_loss(logits, lab), want, rtol=1e-10, name="the loss (V=9)")


@part("gpt")
@points(2)
def test_weight_tying(student, rng, device):
    """lm_head.weight is wte.weight: one Parameter (named once), and its gradient collects both
    the embedding's and the head's contributions."""
    hf = hf_gpt2(int(rng.integers(1000)), device)
    model = student_gpt(student, hf, device)
    ids = torch.as_tensor(rng.integers(0, 37, (2, 9)), device=device)
    up = torch.as_tensor(rng.standard_normal((2, 9, 37)), device=device)
    grads = student.lib("dnn.autograd").gradients(model, [ids], up)
    assert "lm_head.weight" not in grads, \
        "lm_head.weight should be the same Parameter as wte.weight"
    assert "wte.weight" in grads, "wte.weight should get a gradient"
    hf.zero_grad()
    (hf(ids).logits * up).sum().backward()
    assert_close(grads["wte.weight"], hf.transformer.wte.weight.grad, rtol=1e-8, atol=1e-10,
                 name="gradient of the tied weight")


@part("gpt")
@points(2)
def test_gpt2_init(student, rng, device):
    """The constructor initialises as GPT-2: N(0, 0.02^2) weights, c_proj weights with std
    0.02 / sqrt(2 n_layer), zero biases, unit LayerNorms; the state_dict has the handout's keys
    and shapes."""
    model = student.gpt.GPT(211, 40, 64, 4, 4)
    state = model.state_dict()
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    want = {"wte.weight": (211, 64), "wpe.weight": (40, 64), "lm_head.weight": (211, 64),
            "ln_f.weight": (64,), "h.3.attn.c_attn.weight": (192, 64),
            "h.3.attn.c_attn.bias": (192,), "h.0.mlp.c_fc.weight": (256, 64),
            "h.2.mlp.c_proj.weight": (64, 256), "h.1.attn.c_proj.weight": (64, 64)}
    for k, s in want.items():
        assert shapes.get(k) == s, f"{k} should have shape {s}"
    assert len(shapes) == 5 + 4 * 12, "the state_dict has extra or missing entries"
    for k, v in state.items():
        v = v.double()
        if k.endswith("c_proj.weight"):
            std = 0.02 / math.sqrt(8)
        elif k.endswith("weight") and v.dim() == 2:
            std = 0.02
        elif "ln" in k and k.endswith("weight"):
            assert bool((v == 1).all()), f"{k} should be ones"
            continue
        else:
            assert bool((v == 0).all()), f"{k} should be zeros"
            continue
        assert abs(v.mean().item()) < 5 * std / math.sqrt(v.numel()), f"{k} should have mean 0"
        assert abs(v.std().item() / std - 1) < 0.06, f"{k} has the wrong standard deviation"
