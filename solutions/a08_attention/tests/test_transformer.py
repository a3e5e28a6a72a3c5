"""transformer.py against nn.TransformerEncoderLayer / nn.Transformer (float64, eval)."""

import warnings

import torch
from transformer import Transformer, TransformerEncoderLayer, causal_mask


def test_encoder_layer_post_and_pre_ln() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    for norm_first in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True,
                                                   norm_first=norm_first).double().eval()
        mine = TransformerEncoderLayer(8, 2, 16, batch_first=True,
                                       norm_first=norm_first).double().eval()
        mine.load_state_dict(ref.state_dict())
        torch.testing.assert_close(mine(x), ref(x))


def test_transformer_with_causal_mask() -> None:
    torch.manual_seed(1)
    ref = torch.nn.Transformer(8, 2, 1, 1, 16, batch_first=True).double().eval()
    mine = Transformer(8, 2, 1, 1, 16, batch_first=True).double().eval()
    mine.load_state_dict(ref.state_dict())
    src, tgt = torch.randn(2, 6, 8, dtype=torch.float64), torch.randn(2, 4, 8, dtype=torch.float64)
    mask = causal_mask(4).double()
    torch.testing.assert_close(mine(src, tgt, tgt_mask=mask), ref(src, tgt, tgt_mask=mask))
