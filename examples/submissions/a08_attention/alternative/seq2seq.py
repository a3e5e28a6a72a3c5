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
    out = torch.roll(tgt, shifts=1, dims=1).clone()
    out[:, 0] = BOS
    return out


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
        steps = tgt_in.size(1)
        dt = self.embed.weight.dtype
        future = torch.ones(steps, steps, dtype=torch.bool, device=src.device).triu(1)
        tgt_mask = torch.zeros(steps, steps, dtype=dt, device=src.device).masked_fill(future, float("-inf"))
        hidden = self.transformer(self.embed_tokens(src), self.embed_tokens(tgt_in), tgt_mask=tgt_mask,
                                  src_key_padding_mask=src.eq(PAD),
                                  tgt_key_padding_mask=tgt_in.eq(PAD),
                                  memory_key_padding_mask=src.eq(PAD))
        return self.head(hidden)


def greedy_decode(model: Seq2SeqTransformer, src: Tensor, max_len: int) -> Tensor:
    """(B, S) sources -> (B, max_len) predicted ids, without BOS, in eval mode, no gradients.

    Start every row from [BOS]; at step t run the model on (src, the ids so far) and append the
    argmax of the last position's logits. After a row has produced EOS, every later id of that
    row is PAD (whatever the model says).
    """
    model.train(False)
    n = src.size(0)
    seq = torch.full((n, max_len + 1), PAD, dtype=torch.long, device=src.device)
    seq[:, 0] = BOS
    finished = torch.zeros(n, dtype=torch.bool, device=src.device)
    with torch.inference_mode():
        for t in range(max_len):
            step = model(src, seq[:, :t + 1])[:, t].argmax(-1)
            seq[:, t + 1] = torch.where(finished, torch.full_like(step, PAD), step)
            finished |= step.eq(EOS)
    return seq[:, 1:].clone()


def sequence_loss(logits: Tensor, tgt: Tensor) -> Tensor:
    """Mean cross-entropy of logits (B, T, V) against tgt (B, T) over the non-PAD positions."""
    logp = torch.log_softmax(logits, dim=-1)
    picked = logp.gather(-1, tgt.unsqueeze(-1)).squeeze(-1)
    real = tgt.ne(PAD).to(logp.dtype)
    return -(picked * real).sum() / real.sum()


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
    torch.manual_seed(seed)
    draw = np.random.default_rng(seed)
    net = Seq2SeqTransformer(vocab_size)
    optim = torch.optim.Adam(net.parameters(), lr=lr)
    all_src = torch.from_numpy(np.ascontiguousarray(src, dtype=np.int64))
    all_tgt = torch.from_numpy(np.ascontiguousarray(tgt, dtype=np.int64))
    history = []
    net.train()
    for _ in range(steps):
        rows = torch.as_tensor(draw.integers(0, len(src), batch_size))
        s, y = all_src.index_select(0, rows), all_tgt.index_select(0, rows)
        loss = sequence_loss(net(s, shift_right(y)), y)
        optim.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad for p in net.parameters() if p.grad is not None]
        norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
        if norm > 1.0:
            for g in grads:
                g.mul_(float(1.0 / (norm + 1e-6)))
        optim.step()
        history.append(float(loss))
    net.eval()
    return net, history
