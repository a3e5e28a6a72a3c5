"""A character-level language model on a small real corpus (dnn.sequences.load_text_corpus).

The model reads characters c_1 .. c_t and gives logits for c_{t+1}; its quality is measured in
bits per character, BPC = mean_t -log2 p(c_{t+1} | c_1 .. c_t) (a uniform guess over V
characters costs log2 V bits).

This version encodes by binary search over the vocabulary's code points (``np.searchsorted`` on
the text as UTF-32), builds training batches from a strided window view of the ids, scores with
``log_softmax`` and a gather (summed in float64), and feeds the prompt of ``sample`` one
character at a time.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from bptt import clip_grad_norm_
from recurrent import LAYERS, State
from torch import Tensor, nn


def build_vocab(text: str) -> list[str]:
    """The sorted distinct characters of text; a character's id is its index."""
    return sorted(set(text))


def encode(text: str, vocab: list[str]) -> np.ndarray:
    """Characters to ids: (len(text),) int64. Characters outside vocab raise KeyError."""
    codes = np.array([ord(ch) for ch in vocab], dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    text_codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    pos = np.searchsorted(codes[order], text_codes)
    pos = np.minimum(pos, len(codes) - 1) if len(codes) else pos
    found = codes[order][pos] == text_codes if len(codes) else np.zeros(len(text_codes), bool)
    if not found.all():
        raise KeyError(text[int(np.argmin(found))])
    return order[pos].astype(np.int64)


def decode(ids: np.ndarray | list[int], vocab: list[str]) -> str:
    """Ids to the string they encode (the inverse of encode)."""
    return "".join(map(vocab.__getitem__, np.asarray(ids, dtype=np.int64).reshape(-1).tolist()))


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
    ids_t = torch.as_tensor(np.asarray(ids, dtype=np.int64))
    inputs, targets = ids_t[:-1].unsqueeze(0), ids_t[1:]
    total = torch.zeros((), dtype=torch.float64)
    state: State | None = None
    with torch.no_grad():
        for chunk, target in zip(inputs.split(seq_len, dim=1), targets.split(seq_len),
                                 strict=True):
            logits, state = model(chunk, state)
            logp = F.log_softmax(logits[0], dim=-1)
            total -= logp.gather(1, target.unsqueeze(1)).sum().double()
    return float(total) / len(targets) / math.log(2)


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
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    # every window of seq_len + 1 ids, as a view: row s is ids[s : s + seq_len + 1]
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(ids, dtype=np.int64),
                                                       seq_len + 1)
    last_start = len(ids) - seq_len - 1
    losses: list[float] = []
    for _ in range(steps):
        starts = rng.integers(0, last_start, size=batch_size, endpoint=True)
        batch = torch.from_numpy(windows[starts])  # (B, seq_len + 1), a copy
        logits, _ = model(batch[:, :-1])
        logp = F.log_softmax(logits, dim=-1).flatten(0, 1)
        loss = F.nll_loss(logp, batch[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
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
    generator = torch.Generator().manual_seed(seed)
    prompt_ids = encode(prompt, vocab).tolist()
    out: list[int] = []
    with torch.no_grad():
        state: State | None = None
        logits = None
        for i in prompt_ids:  # one character at a time, carrying the state
            logits, state = model(torch.tensor([[i]]), state)
        for _ in range(n_chars):
            assert logits is not None, "sample needs a non-empty prompt"
            last = logits[0, -1]
            if temperature == 0:
                nxt = int(torch.argmax(last))
            else:
                probs = F.softmax(last / temperature, dim=0)
                nxt = int(torch.multinomial(probs, 1, generator=generator)[0])
            out.append(nxt)
            logits, state = model(torch.tensor([[nxt]]), state)
    return decode(out, vocab)
