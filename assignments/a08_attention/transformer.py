"""Transformer encoder and decoder layers and the encoder-decoder, with torch's parameter names.

Post-LN (Vaswani et al. 2017; norm_first=False) normalises after each residual sum; pre-LN
(norm_first=True; GPT-2, ViT) normalises each sublayer's input and keeps a clean residual path:

    post-LN:  x = LN1(x + SA(x));          x = LN2(x + FF(x))
    pre-LN:   x = x + SA(LN1(x));          x = x + FF(LN2(x))
    FF(x) = dropout(W_2 dropout(act(W_1 x + b_1)) + b_2),   SA(x) = dropout(MHA(x, x, x))

A decoder layer adds cross-attention CA(x, memory) = dropout(MHA(x, memory, memory)) between
the two, with LN3 for the feed-forward. Masks are nn.MultiheadAttention's (True = masked).
"""

import copy

import torch
import torch.nn.functional as F
from multihead import MultiheadAttention
from torch import Tensor, nn

ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(nn.Module):
    """nn.TransformerEncoderLayer: self_attn, linear1, dropout, linear2, norm1, norm2,
    dropout1, dropout2."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, batch_first=batch_first)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.activation, self.norm_first = ACTIVATIONS[activation], norm_first

    def forward(self, src: Tensor, src_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None) -> Tensor:
        """src (S, N, E), or (N, S, E) with batch_first -> the same shape (equations above)."""
        raise NotImplementedError('implement TransformerEncoderLayer.forward in transformer.py')

    def _sa(self, x: Tensor, mask: Tensor | None, padding: Tensor | None) -> Tensor:
        out = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=padding,
                             need_weights=False)[0]
        return self.dropout1(out)

    def _ff(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(nn.Module):
    """nn.TransformerDecoderLayer: self_attn, multihead_attn, linear1, dropout, linear2,
    norm1, norm2, norm3, dropout1, dropout2, dropout3."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout, batch_first=batch_first)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout,
                                                 batch_first=batch_first)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.activation, self.norm_first = ACTIVATIONS[activation], norm_first

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None) -> Tensor:
        """tgt (T, N, E) attends to itself (tgt masks), then to memory (S, N, E) (memory
        masks); batch first with batch_first. Returns tgt's shape."""
        raise NotImplementedError('implement TransformerDecoderLayer.forward in transformer.py')

    def _sa(self, x: Tensor, mask: Tensor | None, padding: Tensor | None) -> Tensor:
        out = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=padding,
                             need_weights=False)[0]
        return self.dropout1(out)

    def _ca(self, x: Tensor, memory: Tensor, mask: Tensor | None,
            padding: Tensor | None) -> Tensor:
        out = self.multihead_attn(x, memory, memory, attn_mask=mask, key_padding_mask=padding,
                                  need_weights=False)[0]
        return self.dropout2(out)

    def _ff(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(nn.Module):
    """``layers`` (num_layers copies of a layer) then ``norm`` (a final LayerNorm)."""

    def __init__(self, layer: TransformerEncoderLayer, num_layers: int, norm: nn.LayerNorm
                 ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(copy.deepcopy(layer) for _ in range(num_layers))
        self.norm = norm

    def forward(self, src: Tensor, mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None) -> Tensor:
        """Every layer in order with the same masks, then the final norm."""
        raise NotImplementedError('implement TransformerEncoder.forward in transformer.py')


class TransformerDecoder(nn.Module):
    """``layers`` (num_layers copies of a layer) then ``norm`` (a final LayerNorm)."""

    def __init__(self, layer: TransformerDecoderLayer, num_layers: int, norm: nn.LayerNorm
                 ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(copy.deepcopy(layer) for _ in range(num_layers))
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor | None = None,
                memory_mask: Tensor | None = None, tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None) -> Tensor:
        """Every layer in order, each attending to the same memory, then the final norm."""
        raise NotImplementedError('implement TransformerDecoder.forward in transformer.py')


def causal_mask(size: int, device: torch.device | str | None = None) -> Tensor:
    """nn.Transformer.generate_square_subsequent_mask: (size, size) float32, 0 on and below the
    diagonal, -inf above it (position i may not see j > i)."""
    raise NotImplementedError('implement causal_mask in transformer.py')


class Transformer(nn.Module):
    """nn.Transformer: ``encoder`` and ``decoder``, each with a final LayerNorm."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False) -> None:
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                batch_first, norm_first)
        self.encoder = TransformerEncoder(TransformerEncoderLayer(*args), num_encoder_layers,
                                          nn.LayerNorm(d_model, eps=layer_norm_eps))
        self.decoder = TransformerDecoder(TransformerDecoderLayer(*args), num_decoder_layers,
                                          nn.LayerNorm(d_model, eps=layer_norm_eps))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None,
                tgt_mask: Tensor | None = None, memory_mask: Tensor | None = None,
                src_key_padding_mask: Tensor | None = None,
                tgt_key_padding_mask: Tensor | None = None,
                memory_key_padding_mask: Tensor | None = None) -> Tensor:
        """memory = encoder(src, src masks); out = decoder(tgt, memory, tgt and memory masks).
        src (S, N, E), tgt (T, N, E) (batch first with batch_first) -> tgt's shape."""
        raise NotImplementedError('implement Transformer.forward in transformer.py')
