"""Graded: positional encodings and the permutation equivariance of attention (part
"positional", 10 points)."""

import math

import numpy as np
import pytest
import torch

from autograder.testing import StudentError, assert_close, part, points

TOL = {"rtol": 1e-9, "atol": 1e-11}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape))


def formula(num_positions: int, dim: int, base: float) -> torch.Tensor:
    """PE[p, 2i] = sin(p / base^(2i/D)), PE[p, 2i+1] = cos(...), with math.sin, entry by entry."""
    pe = torch.empty(num_positions, dim, dtype=torch.float64)
    for p in range(num_positions):
        for i in range(dim // 2):
            angle = p / base ** (2 * i / dim)
            pe[p, 2 * i], pe[p, 2 * i + 1] = math.sin(angle), math.cos(angle)
    return pe


@part("positional")
@points(3)
def test_sinusoidal_encoding(student):
    """sinusoidal_encoding follows the formula (sin on even features, cos on odd ones, frequency
    base^(-2i/D)), is float32 of shape (T, D), honours base, and rejects an odd dimension."""
    for t, d, base in ((50, 16, 10000.0), (7, 2, 10000.0), (20, 6, 100.0)):
        got = student.positional.sinusoidal_encoding(t, d, base)
        assert got.dtype == torch.float32, "the encoding is float32"
        assert tuple(got.shape) == (t, d), "the encoding is (num_positions, dim)"
        assert_close(got.double(), formula(t, d, base), rtol=0, atol=2e-6,
                     name=f"PE (T={t}, D={d}, base={base})")
    for bad in (5, 0):
        with pytest.raises(StudentError, match="ValueError"):
            student.positional.sinusoidal_encoding(4, bad)


@part("positional")
@points(2)
def test_absolute_position_modules(student, rng, device):
    """SinusoidalPositionalEncoding adds PE[:T] in the input's dtype; LearnedPositionalEmbedding
    adds its first T rows; both reject T > max_len and accept T = max_len."""
    x = randn(rng, 3, 9, 8)
    enc = student.positional.SinusoidalPositionalEncoding(8, max_len=12).to(device)
    got = enc(x.to(device))
    assert got.dtype == torch.float64, "the encoding keeps the input's dtype"
    assert_close(got, x + formula(9, 8, 10000.0), rtol=0, atol=2e-6, name="x + PE")
    emb = student.positional.LearnedPositionalEmbedding(12, 8).double().to(device)
    weight = randn(rng, 12, 8)
    emb.load_state_dict({"weight": weight})
    assert_close(emb(x.to(device)), x + weight[:9], **TOL, name="x + weight[:T]")
    for module in (enc, emb):
        with pytest.raises(StudentError, match="ValueError"):
            module(randn(rng, 1, 13, 8).to(device))
        full = randn(rng, 1, 12, 8)  # exactly max_len tokens is allowed
        assert tuple(module(full.to(device)).shape) == (1, 12, 8), "T = max_len must work"


@part("positional")
@points(2)
def test_relative_position_bias(student, rng, device):
    """relative_positions clips j - i to [-(M-1), M-1] and shifts by M - 1; RelativePositionBias
    returns table[index[i, j], h] as (H, L, S)."""
    for lq, lk, m in ((5, 5, 3), (4, 7, 10), (6, 2, 1)):
        got = student.positional.relative_positions(lq, lk, m)
        want = torch.tensor([[min(max(j - i, -(m - 1)), m - 1) + m - 1 for j in range(lk)]
                             for i in range(lq)])
        assert torch.equal(got.cpu().long(), want), f"relative_positions({lq}, {lk}, {m})"
    bias = student.positional.RelativePositionBias(3, 4).double().to(device)
    table = randn(rng, 7, 3)
    bias.load_state_dict({"table": table})
    got = bias(5, 6)
    want = torch.empty(3, 5, 6, dtype=torch.float64)
    for h in range(3):
        for i in range(5):
            for j in range(6):
                want[h, i, j] = table[min(max(j - i, -3), 3) + 3, h]
    assert_close(got, want, rtol=0, atol=0, name="RelativePositionBias(5, 6)")


@part("positional")
@points(3)
def test_attention_is_permutation_equivariant(student, rng, device):
    """Your self-attention is permutation-equivariant: permuting the tokens permutes the outputs
    and both axes of the weights (out(P x) = P out(x), A(P x) = P A P^T); adding positional
    encodings first breaks it."""
    mha = student.multihead.MultiheadAttention(8, 2, batch_first=True).double().to(device)
    x = randn(rng, 2, 7, 8)
    perm = torch.from_numpy(rng.permutation(7))
    out, w = mha(x.to(device), x.to(device), x.to(device), average_attn_weights=False)
    xp = x[:, perm].to(device)
    out_p, w_p = mha(xp, xp, xp, average_attn_weights=False)
    assert_close(out_p, out.cpu()[:, perm], **TOL, name="outputs of permuted tokens")
    assert_close(w_p, w.cpu()[:, :, perm][..., perm], **TOL, name="weights of permuted tokens")
    enc = student.positional.SinusoidalPositionalEncoding(8).double().to(device)
    pos, pos_p = enc(x.to(device)), enc(xp)
    out, _ = mha(pos, pos, pos)
    out_p, _ = mha(pos_p, pos_p, pos_p)
    assert not torch.allclose(out_p.cpu(), out.cpu()[:, perm], atol=1e-6), (
        "with positional encodings added, the outputs should no longer just permute")
