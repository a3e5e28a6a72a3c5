"""attention.py against torch.nn.functional.scaled_dot_product_attention (float64)."""

import torch
import torch.nn.functional as F
from attention import attention_weights, dropout_weights, scaled_dot_product_attention


def randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64)


def test_matches_sdpa_with_masks() -> None:
    torch.manual_seed(0)
    q, k, v = randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 7)
    mask = torch.rand(4, 6) < 0.6
    mask[:, 0] = True
    for kw in ({}, {"attn_mask": mask}, {"attn_mask": randn(4, 6)}, {"is_causal": True}):
        torch.testing.assert_close(scaled_dot_product_attention(q, k, v, **kw),
                                   F.scaled_dot_product_attention(q, k, v, **kw))


def test_weights_rows_sum_to_one_and_fully_masked_rows_are_zero() -> None:
    torch.manual_seed(1)
    q, k = randn(5, 4), randn(6, 4)
    mask = torch.ones(5, 6, dtype=torch.bool)
    mask[2] = False
    w = attention_weights(q, k, mask)
    torch.testing.assert_close(w.sum(-1), torch.tensor([1.0, 1, 0, 1, 1], dtype=torch.float64))


def test_dropout_uses_the_generator() -> None:
    w = torch.softmax(randn(4, 8, 8), dim=-1)
    a = dropout_weights(w, 0.5, torch.Generator().manual_seed(3))
    b = dropout_weights(w, 0.5, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    kept = a != 0
    torch.testing.assert_close(a[kept], 2 * w[kept])
