"""A character-level language model on a small real corpus (dnn.sequences.load_text_corpus).

The model reads characters c_1 .. c_t and gives logits for c_{t+1}; its quality is measured in
bits per character, BPC = mean_t -log2 p(c_{t+1} | c_1 .. c_t) (a uniform guess over V
characters costs log2 V bits).
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from recurrent import LAYERS, State
from torch import Tensor, nn


def build_vocab(text: str) -> list[str]:
    """The sorted distinct characters of text; a character's id is its index."""
    return sorted(set(text))


def encode(text: str, vocab: list[str]) -> np.ndarray:
    """Characters to ids: (len(text),) int64. Characters outside vocab raise KeyError."""
    index = {ch: i for i, ch in enumerate(vocab)}
    return np.array([index[ch] for ch in text], dtype=np.int64)


def decode(ids: np.ndarray | list[int], vocab: list[str]) -> str:
    """Ids to the string they encode (the inverse of encode)."""
    return "".join(vocab[int(i)] for i in ids)


class CharLM(nn.Module):
    """Embedding (V, E) -> one recurrent layer of ``kind`` (E -> H) -> linear head (H -> V)."""

    def __init__(self, vocab_size: int, embed_size: int = 32, hidden_size: int = 128,
                 kind: str = "gru") -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.rnn = LAYERS[kind](embed_size, hidden_size)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """ids (B, T) int64 -> (logits (B, T, V), final state)."""
        out, state = self.rnn(self.embed(ids), state)
        return self.head(out), state


def bits_per_char(model: CharLM, ids: np.ndarray, seq_len: int = 256) -> float:
    """BPC of ``model`` on one long text: predict ids[1:] from ids[:-1].

    Feed the inputs ids[:-1] as a batch of one, in consecutive chunks of ``seq_len`` steps,
    carrying the state from chunk to chunk (so every prediction sees the whole past), without
    gradients; BPC = (sum of the cross-entropies in nats) / (number of predictions) / ln 2.

    Args:
        ids: (N,) int64 with N >= 2.
    """
    inputs = torch.from_numpy(np.asarray(ids[:-1], dtype=np.int64)).unsqueeze(0)
    targets = torch.from_numpy(np.asarray(ids[1:], dtype=np.int64)).unsqueeze(0)
    total, state = 0.0, None
    with torch.no_grad():
        for start in range(0, inputs.shape[1], seq_len):
            logits, state = model(inputs[:, start:start + seq_len], state)
            total += float(F.cross_entropy(logits[0], targets[0, start:start + seq_len],
                                           reduction="sum"))
    return total / inputs.shape[1] / math.log(2)


def train_char_lm(ids: np.ndarray, vocab_size: int, *, seq_len: int = 32, batch_size: int = 32,
                  steps: int = 200, embed_size: int = 16, hidden_size: int = 64,
                  lr: float = 1e-2, seed: int = 0) -> tuple[CharLM, list[float]]:
    """Train a CharLM (GRU, float32) on random windows of the encoded training text.

    ``torch.manual_seed(seed)`` before building the model; window starts come from
    ``numpy.random.default_rng(seed)``: each step draws ``batch_size`` starts uniformly in
    [0, len(ids) - seq_len - 1], inputs ids[s : s + seq_len], targets ids[s + 1 : s + seq_len + 1],
    mean cross-entropy, gradients clipped to total norm 1, one Adam step (learning rate lr).

    Returns:
        (the model, the loss in nats of every step).
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = CharLM(vocab_size, embed_size, hidden_size)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    data = torch.from_numpy(np.asarray(ids, dtype=np.int64))
    offsets = torch.arange(seq_len + 1)
    losses = []
    for _ in range(steps):
        starts = torch.from_numpy(rng.integers(0, len(ids) - seq_len, size=batch_size))
        batch = data[starts.unsqueeze(1) + offsets]  # (B, seq_len + 1)
        logits, _ = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, vocab_size), batch[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return model, losses


def sample(model: CharLM, vocab: list[str], prompt: str, n_chars: int,
           temperature: float = 1.0, seed: int = 0) -> str:
    """Generate ``n_chars`` characters after ``prompt`` (returned without the prompt).

    Run the model over the prompt, then repeatedly: p = softmax(logits / temperature) of the
    last step; the next id is argmax p when temperature == 0, else
    ``torch.multinomial(p, 1, generator=g)`` with ``g = torch.Generator().manual_seed(seed)``;
    feed that id back with the carried state. No gradients.
    """
    raise NotImplementedError("TODO")
