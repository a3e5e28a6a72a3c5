"""Transformer-XL: the table, the shift by hand, causality over memory and segment, the memory's
shapes across calls, and its detachment."""

import math

import torch
from transformer_xl import RelMultiHeadAttention, TransformerXL, rel_shift, sinusoid_table


def test_sinusoid_table_by_hand() -> None:
    s = sinusoid_table(torch.tensor([0.0, 2.0], dtype=torch.float64), 4)
    want = torch.tensor([[0.0, 0.0, 1.0, 1.0],
                         [math.sin(2.0), math.sin(0.02), math.cos(2.0), math.cos(0.02)]],
                        dtype=torch.float64)
    torch.testing.assert_close(s, want)


def test_rel_shift_by_hand() -> None:
    # T = 2, K = 3: column c holds distance 2 - c; row i = 1 is at position M + 1 = 2
    x = torch.tensor([[10.0, 11.0, 12.0], [20.0, 21.0, 22.0]])
    y = rel_shift(x)
    assert y.shape == (2, 3)
    assert y[0, :2].tolist() == [11.0, 12.0]          # distances 1, 0
    assert y[1].tolist() == [20.0, 21.0, 22.0]        # distances 2, 1, 0


def test_scores_are_causal_and_relative() -> None:
    torch.manual_seed(0)
    attn = RelMultiHeadAttention(8, 2, 4)
    x, mem = torch.randn(1, 3, 8), torch.randn(1, 2, 8)
    s = attn.scores(x, mem)
    assert s.shape == (1, 2, 3, 5)
    assert torch.isneginf(s[0, :, 0, 3:]).all() and torch.isfinite(s[0, :, 0, :3]).all()
    assert torch.isfinite(s[0, :, 2]).all()
    # the last query of a segment with no memory sees the same distances as with one
    y = attn(x, mem)
    x2 = x.clone()
    x2[:, 2] += 1.0                                     # change the future of queries 0 and 1
    torch.testing.assert_close(attn(x2, mem)[:, :2], y[:, :2])


def test_memory_shapes_and_detach() -> None:
    torch.manual_seed(0)
    model = TransformerXL(11, 8, 2, 4, 16, n_layer=2, mem_len=5)
    assert model.mems is None
    ids = torch.randint(0, 11, (3, 9))
    assert model(ids[:, :3]).shape == (3, 3, 11)
    assert [tuple(m.shape) for m in model.mems] == [(3, 3, 8), (3, 3, 8)]
    torch.testing.assert_close(model.mems[0], model.emb(ids[:, :3]).detach())
    model(ids[:, 3:6])
    assert [tuple(m.shape) for m in model.mems] == [(3, 5, 8), (3, 5, 8)]
    torch.testing.assert_close(model.mems[0], model.emb(ids[:, 1:6]).detach())
    assert not any(m.requires_grad for m in model.mems)
    model.reset_memory()
    assert model.mems is None
