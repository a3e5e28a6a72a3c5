"""Segment-recall sequences for recurrent language models (Transformer-XL, memory transformers).

``repeated_segments``: every row is ``repeats`` copies of one random block of ``seg_len`` tokens,
``[A, A, ...]``. Fed to a model one segment (``seg_len`` tokens) at a time, the next token inside
the second and later segments is the token one segment back: a model whose context is the
current segment only predicts at chance (1 / vocab_size), one that remembers the previous
segment can predict all of them but the last.
"""

from __future__ import annotations

import numpy as np


def repeated_segments(n: int, seg_len: int, vocab_size: int, *, repeats: int = 2,
                      seed: int = 0) -> np.ndarray:
    """``n`` rows (n, repeats * seg_len) int64: a uniform random block of ``seg_len`` tokens in
    ``0 .. vocab_size - 1``, repeated ``repeats`` times; ``np.random.default_rng(seed)``."""
    if n < 1 or seg_len < 1 or vocab_size < 2 or repeats < 1:
        raise ValueError(f"bad sizes n={n}, seg_len={seg_len}, vocab_size={vocab_size}, "
                         f"repeats={repeats}")
    rng = np.random.default_rng(seed)
    block = rng.integers(0, vocab_size, size=(n, seg_len), dtype=np.int64)
    return np.tile(block, (1, repeats))
