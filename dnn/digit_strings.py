"""Generated sequence-to-sequence tasks on digit strings (no files, no downloads).

Tokens: PAD = 0, BOS = 1, EOS = 2, and the digits 0..9 as 3..12 (VOCAB_SIZE = 13). A source
is a string of digits right-aligned in a fixed width, PAD on the left (as numbers are written);
its target is the same digits reversed, then EOS, then PAD. Right alignment puts the i-th output
digit at the fixed source position width - 1 - i, so a small Transformer learns the task in
seconds; the padding still has to be masked. The data is a pure function of ``seed`` (its own
numpy Generator), so graded tests can regenerate the labels on the trusted side.
"""

from __future__ import annotations

import numpy as np

PAD, BOS, EOS = 0, 1, 2
DIGIT0 = 3
VOCAB_SIZE = 13


def reversal_task(n: int, min_len: int = 3, max_len: int = 8, *, seed: int = 0
                  ) -> tuple[np.ndarray, np.ndarray]:
    """n random digit strings with lengths uniform in [min_len, max_len].

    Returns:
        src (n, max_len) int64: PAD, then the digit tokens (right-aligned).
        tgt (n, max_len + 1) int64: the digit tokens reversed, then EOS, then PAD.
    """
    if not 1 <= min_len <= max_len:
        raise ValueError(f"need 1 <= min_len <= max_len, got {min_len}, {max_len}")
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_len, max_len + 1, size=n)
    digits = rng.integers(0, 10, size=(n, max_len)) + DIGIT0
    src = np.full((n, max_len), PAD, dtype=np.int64)
    tgt = np.full((n, max_len + 1), PAD, dtype=np.int64)
    for i, length in enumerate(lengths):
        src[i, max_len - length:] = digits[i, :length]
        tgt[i, :length] = digits[i, :length][::-1]
        tgt[i, length] = EOS
    return src, tgt


def to_text(tokens: np.ndarray) -> str:
    """One row of tokens as a readable string: digits, '<' for BOS, '>' for EOS, '.' for PAD."""
    marks = {PAD: ".", BOS: "<", EOS: ">"}
    return "".join(marks.get(int(t), str(int(t) - DIGIT0)) for t in tokens)
