"""multihead.py against torch.nn.MultiheadAttention with the same weights (float64)."""

import torch
from multihead import MultiheadAttention


def test_self_attention_matches_torch() -> None:
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True).double().eval()
    mine = MultiheadAttention(8, 2, batch_first=True).double().eval()
    mine.load_state_dict(ref.state_dict())
    x = torch.randn(3, 5, 8, dtype=torch.float64)
    pad = torch.zeros(3, 5, dtype=torch.bool)
    pad[0, -2:] = True
    got, want = mine(x, x, x, key_padding_mask=pad), ref(x, x, x, key_padding_mask=pad)
    torch.testing.assert_close(got[0], want[0])
    torch.testing.assert_close(got[1], want[1])


def test_cross_attention_with_kdim_vdim() -> None:
    torch.manual_seed(1)
    ref = torch.nn.MultiheadAttention(8, 4, kdim=5, vdim=3).double().eval()
    mine = MultiheadAttention(8, 4, kdim=5, vdim=3).double().eval()
    mine.load_state_dict(ref.state_dict())
    q, k, v = (torch.randn(t, 2, d, dtype=torch.float64) for t, d in ((4, 8), (6, 5), (6, 3)))
    torch.testing.assert_close(mine(q, k, v)[0], ref(q, k, v)[0])
