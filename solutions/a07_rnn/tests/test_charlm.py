"""Encoding, bits per character and sampling of the character-level language model."""

import math

import numpy as np
import torch
from charlm import CharLM, bits_per_char, build_vocab, decode, encode, sample, train_char_lm

torch.set_num_threads(1)  # these small ops only lose time to threads on a busy CPU


def test_encode_decode_round_trip() -> None:
    vocab = build_vocab("hello world")
    ids = encode("hello", vocab)
    assert ids.dtype == np.int64 and decode(ids, vocab) == "hello"


def test_untrained_model_is_near_uniform() -> None:
    torch.manual_seed(0)
    vocab = build_vocab("abcdefgh")
    model = CharLM(len(vocab), 4, 8)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    bpc = bits_per_char(model, encode("abcdefgh" * 20, vocab), seq_len=7)
    assert abs(bpc - math.log2(8)) < 1e-6


def test_training_and_sampling() -> None:
    text = "the cat sat on the mat. " * 50
    vocab = build_vocab(text)
    ids = encode(text, vocab)
    model, losses = train_char_lm(ids, len(vocab), steps=40, seq_len=16, batch_size=8, seed=0)
    assert losses[-1] < 0.6 * losses[0]
    out = sample(model, vocab, "the ", 30, temperature=0.0)
    assert len(out) == 30 and set(out) <= set(vocab)
    assert out == sample(model, vocab, "the ", 30, temperature=0.0, seed=5)
    # the draws come from torch.Generator().manual_seed(seed): the same seed, the same text
    first = sample(model, vocab, "the ", 60, temperature=1.5, seed=3)
    assert first == sample(model, vocab, "the ", 60, temperature=1.5, seed=3)
