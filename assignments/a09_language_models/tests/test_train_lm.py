"""The n-gram baseline and bits per character on tiny inputs, and a short training run."""

import math

import numpy as np
import torch
from gpt import GPT
from train_lm import bits_per_char, ngram_bpc, train_char_gpt


def test_unigram_and_bigram_by_hand() -> None:
    train = np.array([0, 1, 0, 1])
    # unigram, alpha 1, V 2: p(0) = p(1) = 3/6
    assert abs(ngram_bpc(train, np.array([0, 1, 1]), 1, 2, 1.0) - 1.0) < 1e-12
    # bigram: after 0 always 1 (count 2), so p(1 | 0) = (2 + 1) / (2 + 2)
    assert abs(ngram_bpc(train, np.array([0, 1]), 2, 2, 1.0) + math.log2(0.75)) < 1e-12


def test_bits_per_char_of_a_uniform_model() -> None:
    model = GPT(8, 4, 16, 1, 2)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    assert abs(bits_per_char(model, np.arange(8) % 8, 4) - 3.0) < 1e-6


def test_training_lowers_the_loss() -> None:
    ids = np.tile(np.arange(5), 200)
    model, losses = train_char_gpt(ids, 5, steps=40, block_size=8, n_embd=16, n_layer=1)
    assert len(losses) == 40 and losses[-1] < 0.5 * losses[0]
    assert model.training
