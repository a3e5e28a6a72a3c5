"""Filters, seeded sampling and the KV cache on small inputs."""

import torch
from gpt import GPT
from sampling import generate, sample_next, temperature_filter, top_k_filter, top_p_filter

NEG = float("-inf")


def test_filters_by_hand() -> None:
    z = torch.tensor([[1.0, 3.0, 2.0, 0.0]])
    assert torch.equal(top_k_filter(z, 2), torch.tensor([[NEG, 3.0, 2.0, NEG]]))
    assert torch.equal(top_k_filter(z, 9), z)
    torch.testing.assert_close(temperature_filter(z, 2.0), z / 2)
    p = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    assert torch.isfinite(top_p_filter(p, 0.7)).tolist() == [[True, True, False, False]]
    assert torch.isfinite(top_p_filter(p, 0.01)).tolist() == [[True, False, False, False]]
    assert torch.isfinite(top_p_filter(p, 1.0)).all()


def test_sampling_is_seeded_and_greedy_is_argmax() -> None:
    z = torch.randn(4, 10)
    assert torch.equal(sample_next(z, greedy=True), z.argmax(-1))
    assert torch.equal(sample_next(z, seed=3), sample_next(z, seed=3))
    many = torch.tensor([[1.0, 0.0, 0.5]]).repeat(2000, 1)
    assert sample_next(many, top_k=1, seed=0).eq(0).all()


def test_cache_matches_full_forward() -> None:
    torch.manual_seed(0)
    model = GPT(11, 16, 16, 2, 4).eval()
    ids = torch.randint(0, 11, (2, 9))
    full = model(ids)
    logits, cache = model.forward_with_cache(ids[:, :4])
    for t in range(4, 9):
        logits, cache = model.forward_with_cache(ids[:, t:t + 1], cache)
        torch.testing.assert_close(logits[:, 0], full[:, t], atol=1e-5, rtol=1e-5)
    assert cache[0][0].shape == (2, 4, 9, 4)
    a = generate(model, ids[:, :3], 6, top_k=5, seed=1)
    assert a.shape == (2, 9) and torch.equal(a, generate(model, ids[:, :3], 6, top_k=5, seed=1,
                                                          use_cache=False))
