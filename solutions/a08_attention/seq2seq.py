"""A small encoder-decoder Transformer that learns to reverse digit strings.

Token ids come from dnn.digit_strings (PAD = 0, BOS = 1, EOS = 2, digits 3..12). Training uses
teacher forcing: the decoder reads the target shifted right behind BOS and predicts every next
token at once, under a causal mask; at test time it decodes greedily, one token at a time,
feeding back its own argmax.
"""

import numpy as np
import torch
import torch.nn.functional as F
from positional import sinusoidal_encoding
from torch import Tensor, nn
from transformer import Transformer, causal_mask

from dnn.digit_strings import BOS, EOS, PAD


def shift_right(tgt: Tensor) -> Tensor:
    """Decoder inputs for teacher forcing: (B, T) -> (B, T) = [BOS, tgt[:, :-1]].

    Does not modify tgt."""
    ### BEGIN SOLUTION
    bos = torch.full_like(tgt[:, :1], BOS)
    return torch.cat([bos, tgt[:, :-1]], dim=1)
    ### END SOLUTION


class Seq2SeqTransformer(nn.Module):
    """Shared embedding (V, D) scaled by sqrt(D) + sinusoidal positions -> Transformer (pre-LN,
    batch first, dropout 0) -> linear head (D -> V)."""

    def __init__(self, vocab_size: int, d_model: int = 32, nhead: int = 4, num_layers: int = 1,
                 dim_feedforward: int = 64, max_len: int = 64) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model), persistent=False)
        self.transformer = Transformer(d_model, nhead, num_layers, num_layers, dim_feedforward,
                                       dropout=0.0, batch_first=True, norm_first=True)
        self.head = nn.Linear(d_model, vocab_size)
        self.d_model = d_model

    def embed_tokens(self, ids: Tensor) -> Tensor:
        """(B, T) ids -> (B, T, D) = embed(ids) sqrt(D) + PE[:T]."""
        return self.embed(ids) + self.pe[: ids.shape[1]].to(
            self.embed.weight.dtype)

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """Logits (B, T, V) for every position of the decoder input tgt_in (B, T), given src
        (B, S). Masks: PAD keys of src are ignored by the encoder and by the cross-attention;
        the decoder self-attention is causal (causal_mask) and ignores PAD keys of tgt_in."""
        ### BEGIN SOLUTION
        src_pad = src == PAD
        tgt_pad = tgt_in == PAD
        mask = causal_mask(tgt_in.shape[1], src.device).to(self.embed.weight.dtype)
        out = self.transformer(self.embed_tokens(src), self.embed_tokens(tgt_in),
                               tgt_mask=mask, src_key_padding_mask=src_pad,
                               tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=src_pad)
        return self.head(out)
        ### END SOLUTION


def greedy_decode(model: Seq2SeqTransformer, src: Tensor, max_len: int) -> Tensor:
    """(B, S) sources -> (B, max_len) predicted ids, without BOS, in eval mode, no gradients.

    Start every row from [BOS]; at step t run the model on (src, the ids so far) and append the
    argmax of the last position's logits. After a row has produced EOS, every later id of that
    row is PAD (whatever the model says).
    """
    ### BEGIN SOLUTION
    model.eval()
    ids = torch.full((src.shape[0], 1), BOS, dtype=torch.int64, device=src.device)
    done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
    with torch.no_grad():
        for _ in range(max_len):
            nxt = model(src, ids)[:, -1].argmax(dim=-1)
            nxt = nxt.masked_fill(done, PAD)
            done = done | (nxt == EOS)
            ids = torch.cat([ids, nxt[:, None]], dim=1)
    return ids[:, 1:]
    ### END SOLUTION


def sequence_loss(logits: Tensor, tgt: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against tgt (B, T) over the non-PAD positions."""
    ### BEGIN SOLUTION
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1),
                           ignore_index=PAD)
    ### END SOLUTION


def train_seq2seq(src: np.ndarray, tgt: np.ndarray, vocab_size: int, *, steps: int = 200,
                  batch_size: int = 64, lr: float = 3e-3, seed: int = 0
                  ) -> tuple[Seq2SeqTransformer, list[float]]:
    """Train a Seq2SeqTransformer (defaults, float32) with teacher forcing.

    ``torch.manual_seed(seed)`` before building the model; each step draws batch_size rows with
    ``np.random.default_rng(seed).integers(0, len(src), batch_size)`` (one generator for the
    run), computes sequence_loss(model(src, shift_right(tgt)), tgt), and takes one Adam step
    (lr) after clipping the gradients to total norm 1. Returns (the model in eval mode, the
    loss of every step).
    """
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Seq2SeqTransformer(vocab_size)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    src_t, tgt_t = torch.as_tensor(src), torch.as_tensor(tgt)
    losses = []
    model.train()
    for _ in range(steps):
        idx = torch.from_numpy(rng.integers(0, len(src), batch_size))
        loss = sequence_loss(model(src_t[idx], shift_right(tgt_t[idx])), tgt_t[idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return model.eval(), losses
    ### END SOLUTION
