"""Graded: RMSNorm, rotary embeddings, repeat_kv, SwiGLU, grouped-query attention, the block and
the whole model against a tiny random Hugging Face LlamaForCausalLM with copied weights, and
RoPE against float64 formulas (part "llama", 18)."""

import numpy as np
import pytest
import torch
from hf_models import hf_llama, llama_state
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb, repeat_kv

from autograder.testing import StudentError, assert_close, part, points

TOL = {"rtol": 1e-9, "atol": 1e-10}
HF_TOL = {"rtol": 1e-6, "atol": 1e-7}  # LlamaRMSNorm and the eager softmax compute in float32


def prefixed(state: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}


def rope_numpy(head_dim: int, positions: np.ndarray, theta: float) -> tuple[np.ndarray, ...]:
    """cos, sin (T, D) in float64 by the handout's formula."""
    inv = theta ** (-np.arange(0, head_dim, 2) / head_dim)
    angle = positions[:, None] * inv[None]
    angle = np.concatenate([angle, angle], axis=1)
    return np.cos(angle), np.sin(angle)


def causal_mask(t: int, device: str) -> torch.Tensor:
    mask = torch.zeros(t, t, dtype=torch.float64, device=device)
    return mask.masked_fill(torch.ones(t, t, dtype=torch.bool, device=device).triu(1),
                            float("-inf"))[None, None]


def on(module, device):
    module.double()
    module.to(device)
    return module


@part("llama")
@points(2)
def test_rmsnorm_matches_hf(student, rng, device):
    """RMSNorm is w * x / sqrt(mean(x^2) + eps) in float64 and matches LlamaRMSNorm."""
    hf = hf_llama(int(rng.integers(1000)), device, eps=1e-2)
    norm = on(student.llama.RMSNorm(32, eps=1e-2), device)
    norm.load_state_dict(prefixed(llama_state(hf), "norm."))
    x = torch.as_tensor(rng.standard_normal((2, 5, 32)) * 0.2, device=device)
    w = hf.model.norm.weight.detach()
    want = w * x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + 1e-2)
    got = norm(x)
    assert_close(got, want, **TOL, name="RMSNorm output")
    with torch.no_grad():
        assert_close(got, hf.model.norm(x), **HF_TOL, name="RMSNorm output against HF's")


@part("llama")
@points(4)
def test_rope(student, rng, device):
    """rope_cos_sin is the handout's float64 formula for any positions and theta, rotate_half is
    cat(-x2, x1), apply_rope equals transformers' apply_rotary_pos_emb, and an odd head_dim
    raises ValueError."""
    pos = np.sort(rng.uniform(0, 50, 7))
    for d, theta in ((8, 10000.0), (6, 500.0)):
        cos, sin = student.llama.rope_cos_sin(d, torch.as_tensor(pos, device=device), theta)
        want_cos, want_sin = rope_numpy(d, pos, theta)
        assert_close(cos, want_cos, **TOL, name=f"cos with D={d}")
        assert_close(sin, want_sin, **TOL, name=f"sin with D={d}")
    ints = student.llama.rope_cos_sin(8, torch.arange(5, device=device))[0]
    assert_close(ints, rope_numpy(8, np.arange(5.0), 10000.0)[0], rtol=1e-5, atol=1e-6,
                 name="cos of integer positions")
    x = torch.as_tensor(rng.standard_normal((2, 3, 4, 6)), device=device)
    assert_close(student.llama.rotate_half(x), torch.cat([-x[..., 3:], x[..., :3]], -1),
                 rtol=0, atol=0, name="rotate_half")
    q = torch.as_tensor(rng.standard_normal((2, 3, 7, 6)), device=device)
    k = torch.as_tensor(rng.standard_normal((2, 3, 7, 6)), device=device)
    c, s = (torch.as_tensor(a, device=device) for a in rope_numpy(6, pos, 500.0))
    want_q, want_k = apply_rotary_pos_emb(q, k, c[None], s[None])
    assert_close(student.llama.apply_rope(q, c, s), want_q, **TOL, name="rotated q")
    assert_close(student.llama.apply_rope(k, c, s), want_k, **TOL, name="rotated k")
    with pytest.raises(StudentError) as err:
        student.llama.rope_cos_sin(7, torch.arange(3, device=device))
    assert err.value.type_name == "ValueError", "an odd head_dim should raise ValueError"


@part("llama")
@points(2)
def test_repeat_kv_and_swiglu(student, rng, device):
    """repeat_kv equals transformers' repeat_kv; SwiGLU matches LlamaMLP."""
    x = torch.as_tensor(rng.standard_normal((2, 3, 5, 4)), device=device)
    for n in (1, 2, 3):
        assert_close(student.llama.repeat_kv(x, n), repeat_kv(x, n), rtol=0, atol=0,
                     name=f"repeat_kv with n_rep={n}")
    hf = hf_llama(int(rng.integers(1000)), device)
    mlp = on(student.llama.SwiGLU(32, 48), device)
    mlp.load_state_dict(prefixed(llama_state(hf), "layers.1.mlp."))
    h = torch.as_tensor(rng.standard_normal((2, 6, 32)), device=device)
    with torch.no_grad():
        assert_close(mlp(h), hf.model.layers[1].mlp(h), **TOL, name="SwiGLU output")


@part("llama")
@points(4)
def test_gqa_attention_and_block(student, rng, device):
    """Attention (grouped-query, RoPE, causal) and LlamaBlock match LlamaAttention and
    LlamaDecoderLayer given float64 rotary tables (to float32 precision: HF's softmax), for
    several head layouts (MHA, GQA, MQA)."""
    for heads, kv in ((4, 4), (4, 2), (8, 1)):
        hf = hf_llama(int(rng.integers(1000)), device, n_heads=heads, n_kv_heads=kv)
        state = llama_state(hf)
        attn = on(student.llama.Attention(32, heads, kv), device)
        attn.load_state_dict(prefixed(state, "layers.0.self_attn."))
        block = on(student.llama.LlamaBlock(32, heads, kv, 48, 1e-6, 10000.0), device)
        block.load_state_dict(prefixed(state, "layers.0."))
        x = torch.as_tensor(rng.standard_normal((2, 9, 32)), device=device)
        c, s = (torch.as_tensor(a, device=device)[None]
                for a in rope_numpy(32 // heads, np.arange(9.0), 10000.0))
        layer = hf.model.layers[0]
        with torch.no_grad():
            want = layer.self_attn(x, position_embeddings=(c, s),
                                   attention_mask=causal_mask(9, device))[0]
            out = layer(x, attention_mask=causal_mask(9, device), position_embeddings=(c, s),
                        position_ids=torch.arange(9, device=device)[None])
            want_block = out[0] if isinstance(out, tuple) else out
        what = f"{heads} heads, {kv} kv heads"
        assert_close(attn(x), want, **HF_TOL, name=f"attention with {what}")
        assert_close(block(x), want_block, **HF_TOL, name=f"block with {what}")


@part("llama")
@points(6)
def test_llama_logits_match_hf(student, rng, device):
    """Llama's logits match LlamaForCausalLM (whose rotary tables are float32, hence the
    tolerance) for several head layouts, and the state_dict has exactly the handout's keys."""
    for heads, kv, layers in ((4, 2, 2), (2, 1, 1), (8, 8, 3)):
        hf = hf_llama(int(rng.integers(1000)), device, n_heads=heads, n_kv_heads=kv,
                      n_layers=layers)
        model = on(student.llama.Llama(41, 32, layers, heads, kv, 48), device)
        state = llama_state(hf)
        shapes = student.lib("dnn.modelinfo").state_shapes(model)
        assert shapes == {k: list(v.shape) for k, v in state.items()}, \
            "the state_dict's keys or shapes differ from the handout's"
        model.load_state_dict(state)
        ids = torch.as_tensor(rng.integers(0, 41, (2, 13)), device=device)
        with torch.no_grad():
            want = hf(ids).logits
        assert_close(model(ids), want, rtol=1e-5, atol=1e-5,
                     name=f"logits with {heads} heads, {kv} kv heads, {layers} layers")
