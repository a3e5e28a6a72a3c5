"""Training a character-level GPT and measuring it in bits per character against an n-gram.

Bits per character of a model q on held-out characters x_1 .. x_N:

    BPC = -1/N sum_t log2 q(x_t | context_t)

The n-gram baseline with add-alpha smoothing over a vocabulary of V characters, counted on the
training ids:

    q(c | h) = (count(h c) + alpha) / (count(h) + alpha V),   h = the n - 1 preceding characters

where count(h) counts the occurrences of h followed by any character (n = 1: h is empty and
count(h) is the number of training characters).
"""

from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F
from gpt import GPT


def encode_corpus(splits: dict[str, str]) -> tuple[list[str], dict[str, np.ndarray]]:
    """The sorted characters of all splits, and every split as int64 ids into that list."""
    vocab = sorted(set("".join(splits.values())))
    index = {ch: i for i, ch in enumerate(vocab)}
    return vocab, {k: np.array([index[ch] for ch in v], dtype=np.int64)
                   for k, v in splits.items()}


def ngram_bpc(train_ids: np.ndarray, eval_ids: np.ndarray, n: int, vocab_size: int,
              alpha: float = 0.1) -> float:
    """Bits per character of the add-alpha n-gram counted on train_ids (N_train,), scored on
    every eval position t >= n - 1 of eval_ids (its context is eval_ids[t - n + 1 : t]).

    Raises:
        ValueError: when n < 1 or alpha <= 0.
    """
    raise NotImplementedError('implement ngram_bpc in train_lm.py')


@torch.no_grad()
def bits_per_char(model: GPT, ids: np.ndarray, block_size: int) -> float:
    """BPC of the model on ids (N,): cut ids into chunks ids[s : s + block_size + 1] for
    s = 0, block_size, 2 block_size, ... (consecutive chunks share one character); in each chunk
    every character after the first is predicted from the chunk's earlier characters. So every
    ids[1:] is scored once. The model is left in the mode (train/eval) it had, and scored in
    eval mode."""
    raise NotImplementedError('implement bits_per_char in train_lm.py')


def train_char_gpt(ids: np.ndarray, vocab_size: int, *, steps: int = 300, block_size: int = 32,
                   batch_size: int = 32, lr: float = 3e-3, n_embd: int = 48, n_layer: int = 2,
                   n_head: int = 4, seed: int = 0, device: str = "cpu"
                   ) -> tuple[GPT, list[float]]:
    """Train ``GPT(vocab_size, block_size, n_embd, n_layer, n_head)`` on ids (N,).

    torch is seeded with ``seed`` before the model is built. Every step draws batch_size windows
    ids[s : s + block_size + 1], the starts from ``torch.randint(0, N - block_size,
    (batch_size,), generator=gen)`` of one CPU generator seeded ``seed``, and takes one AdamW
    step (lr, weight decay 0.01) on the mean cross-entropy of predicting window[:, 1:] from
    window[:, :-1].

    Returns:
        The model (on ``device``, train mode) and the loss of every step.
    """
    raise NotImplementedError('implement train_char_gpt in train_lm.py')
