"""Graded: temperature, top-k and top-p filters against transformers' logits warpers, seeded
sampling, the KV cache against the uncached forward, and generation against Hugging Face's
greedy generate (part "generation", 18)."""

import pytest
import torch
from hf_models import gpt_state, hf_gpt2
from transformers.generation.logits_process import (
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from autograder.testing import StudentError, assert_close, part, points, watch_call


def same_filter(got: torch.Tensor, want: torch.Tensor, what: str) -> None:
    assert tuple(got.shape) == tuple(want.shape), f"{what}: wrong shape"
    kept = torch.isfinite(want)
    assert torch.equal(torch.isfinite(got).cpu(), kept.cpu()), f"{what}: wrong tokens removed"
    assert bool((got[~kept] == float("-inf")).all()), f"{what}: removed tokens should be -inf"
    assert_close(got[kept], want[kept], rtol=1e-12, name=f"{what}: kept logits")


def raises_value_error(fn, *args, what: str) -> None:
    with pytest.raises(StudentError) as err:
        fn(*args)
    assert err.value.type_name == "ValueError", f"{what} should raise ValueError"


def student_gpt(student, hf, device):
    cfg = hf.config
    model = student.gpt.GPT(cfg.vocab_size, cfg.n_positions, cfg.n_embd, cfg.n_layer, cfg.n_head)
    model.double()
    model.to(device)
    model.load_state_dict(gpt_state(hf))
    model.eval()
    return model


@part("generation")
@points(2)
def test_temperature_filter(student, rng, device):
    """temperature_filter equals TemperatureLogitsWarper; temperature <= 0 raises ValueError."""
    z = torch.as_tensor(rng.standard_normal((3, 20)), device=device)
    for tau in (0.3, 1.0, 2.5):
        want = TemperatureLogitsWarper(tau)(None, z.clone())
        same_filter(student.sampling.temperature_filter(z, tau), want, f"temperature {tau}")
    raises_value_error(student.sampling.temperature_filter, z, 0.0, what="temperature 0")


@part("generation")
@points(3)
def test_top_k_filter(student, rng, device):
    """top_k_filter equals TopKLogitsWarper (ties with the k-th kept, k >= V keeps all), does not
    modify its argument, and k < 1 raises ValueError."""
    z = torch.as_tensor(rng.standard_normal((4, 30)), device=device)
    z[1, :5] = z[1].max()                                  # a tie at the top
    z[2, [3, 7, 9]] = torch.sort(z[2]).values[-6]          # ties straddling the 5th largest
    for k in (1, 5, 29, 30, 45):
        call = watch_call(student.sampling.top_k_filter, z, k)
        assert not call.changed, "top_k_filter modified its argument"
        want = TopKLogitsWarper(k)(None, z.clone())
        same_filter(call.result, want, f"top-k with k={k}")
    raises_value_error(student.sampling.top_k_filter, z, 0, what="k=0")


@part("generation")
@points(3)
def test_top_p_filter(student, rng, device):
    """top_p_filter equals TopPLogitsWarper for several p (p = 1 keeps all, a tiny p keeps the
    most probable token), does not modify its argument; p outside (0, 1] raises ValueError."""
    z = torch.as_tensor(2 * rng.standard_normal((5, 40)), device=device)
    for p in (1e-4, 0.3, 0.75, 0.95, 1.0):
        call = watch_call(student.sampling.top_p_filter, z, p)
        assert not call.changed, "top_p_filter modified its argument"
        want = TopPLogitsWarper(p)(None, z.clone())
        same_filter(call.result, want, f"top-p with p={p}")
    # a tie: p chosen so that 1 - p equals a cumulative probability c exactly (c in [0.5, 1):
    # 1 - (1 - c) is exact), which the rule c <= 1 - p removes
    cum = torch.sort(z, dim=-1).values.softmax(-1).cumsum(-1)[0].cpu()
    c = float(cum[(cum >= 0.5) & (cum < 1.0)][0])
    p_tie = 1.0 - c
    assert 1.0 - p_tie == c
    same_filter(student.sampling.top_p_filter(z, p_tie), TopPLogitsWarper(p_tie)(None, z.clone()),
                "top-p with 1 - p equal to a cumulative probability (c <= 1 - p is removed)")
    for p in (0.0, 1.5):
        raises_value_error(student.sampling.top_p_filter, z, p, what=f"top_p={p}")


@part("generation")
@points(3)
def test_sample_next(student, rng, device):
    """sample_next: greedy is the argmax; sampling is torch.multinomial from the filtered softmax
    with a Generator seeded by ``seed`` (equal seeds, equal tokens), never draws a filtered token,
    and its frequencies follow the filtered distribution."""
    z = torch.as_tensor(rng.standard_normal((6, 12)), device=device)
    assert torch.equal(student.sampling.sample_next(z, greedy=True).cpu(), z.argmax(-1).cpu()), \
        "greedy should pick the argmax"
    assert torch.equal(student.sampling.sample_next(z, top_k=1, seed=5).cpu(),
                       z.argmax(-1).cpu()), "sampling with top_k=1 should give the argmax"
    kw = {"temperature": 0.7, "top_k": 5, "top_p": 0.9}
    for seed in (0, 11):
        got = student.sampling.sample_next(z, seed=seed, **kw)
        filt = TopPLogitsWarper(0.9)(None, TopKLogitsWarper(5)(None, z / 0.7))
        gen = torch.Generator(device=device).manual_seed(seed)
        want = torch.multinomial(filt.softmax(-1), 1, generator=gen)[:, 0]
        assert torch.equal(got.cpu(), want.cpu()), f"seed {seed} should give the specified draw"
        again = student.sampling.sample_next(z, seed=seed, **kw)
        assert torch.equal(again.cpu(), got.cpu()), "equal seeds should give equal tokens"
    row = torch.as_tensor(rng.standard_normal(8), device=device)
    many = row.expand(20000, 8).contiguous()
    draws = student.sampling.sample_next(many, temperature=1.5, top_k=6, seed=3).cpu()
    probs = TopKLogitsWarper(6)(None, many[:1] / 1.5).softmax(-1)[0].cpu()
    freq = torch.bincount(draws, minlength=8).double() / 20000
    assert bool((freq[probs == 0] == 0).all()), "a filtered token was drawn"
    assert float((freq - probs).abs().max()) < 0.015, "frequencies do not follow the distribution"


@part("generation")
@points(4)
def test_kv_cache_incremental(student, rng, device):
    """Feeding a prompt, then one or two tokens at a time with the cache, gives at every step the
    uncached model's logits of those positions; the cache holds (B, H, T_so_far, D) per block."""
    hf = hf_gpt2(int(rng.integers(1000)), device)
    model = student_gpt(student, hf, device)
    ids = torch.as_tensor(rng.integers(0, 37, (2, 24)), device=device)
    with torch.no_grad():
        full = hf(ids).logits
    logits, cache = model.forward_with_cache(ids[:, :5])
    assert_close(logits, full[:, :5], rtol=1e-9, atol=1e-10, name="logits of the prompt")
    t = 5
    for step in (1, 2, 1, 3, 1, 1):
        logits, cache = model.forward_with_cache(ids[:, t:t + step], cache)
        t += step
        assert len(cache) == 2, "one (k, v) per block"
        for k, v in cache:
            assert tuple(k.shape) == (2, 4, t, 4), "cached k should be (B, H, T_so_far, D)"
            assert tuple(v.shape) == (2, 4, t, 4), "cached v should be (B, H, T_so_far, D)"
        assert_close(logits, full[:, t - step:t], rtol=1e-9, atol=1e-10,
                     name=f"cached logits of positions {t - step}..{t - 1}")
    with pytest.raises(StudentError) as err:
        model.forward_with_cache(ids[:, :12], cache)
    assert err.value.type_name == "ValueError", "a cache past n_positions should raise ValueError"


@part("generation")
@points(3)
def test_generate(student, rng, device):
    """Greedy generate equals Hugging Face's greedy generate; sampled generation is the same with
    and without the cache, repeatable for a seed, keeps the prompt, and draws step s as
    sample_next with seed + s."""
    hf = hf_gpt2(int(rng.integers(1000)), device)
    model = student_gpt(student, hf, device)
    prompt = torch.as_tensor(rng.integers(0, 37, (3, 4)), device=device)
    with torch.no_grad():
        want = hf.generate(prompt, max_new_tokens=12, do_sample=False, pad_token_id=0,
                           attention_mask=torch.ones_like(prompt))
    for cache in (True, False):
        got = student.sampling.generate(model, prompt, 12, greedy=True, use_cache=cache)
        assert torch.equal(got.cpu(), want.cpu()), f"greedy generate (use_cache={cache}) differs"
    kw = {"temperature": 1.3, "top_k": 20, "top_p": 0.95, "seed": 5}
    a = student.sampling.generate(model, prompt, 15, use_cache=True, **kw)
    b = student.sampling.generate(model, prompt, 15, use_cache=False, **kw)
    assert tuple(a.shape) == (3, 19), "generate should return (B, T + max_new_tokens)"
    assert torch.equal(a[:, :4].cpu(), prompt.cpu()), "generate should keep the prompt"
    assert torch.equal(a.cpu(), b.cpu()), "sampling with and without the cache should agree"
    c = student.sampling.generate(model, prompt, 15, use_cache=True, **kw)
    assert torch.equal(a.cpu(), c.cpu()), "generate with one seed should repeat"
    seq = prompt
    with torch.no_grad():
        for s in range(6):
            z = hf(seq).logits[:, -1] / 1.3
            z = TopPLogitsWarper(0.95)(None, TopKLogitsWarper(20)(None, z))
            gen = torch.Generator(device=device).manual_seed(5 + s)
            seq = torch.cat([seq, torch.multinomial(z.softmax(-1), 1, generator=gen)], dim=1)
    assert torch.equal(a[:, :10].cpu(), seq.cpu()), "step s should sample with seed + s"
