"""efficient.py: the FLOP count and the tiled attention against SDPA."""

import torch
import torch.nn.functional as F
from efficient import attention_flops, score_matrix_bytes, tiled_attention


def test_costs() -> None:
    assert attention_flops(1, 1, 4, 4, 2) == 2 * 16 * 4
    assert score_matrix_bytes(2, 2, 10, 10) == 1600


def test_tiled_attention_matches_sdpa() -> None:
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 3, 40, 8, dtype=torch.float64) for _ in range(3))
    for causal in (False, True):
        torch.testing.assert_close(tiled_attention(q, k, v, 16, causal),
                                   F.scaled_dot_product_attention(q, k, v, is_causal=causal))
