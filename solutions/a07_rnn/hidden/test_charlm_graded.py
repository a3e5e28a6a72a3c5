"""Graded: the character-level language model (part "language_model", 10 points)."""

import math

import numpy as np
import torch

from autograder.testing import assert_close, part, points
from dnn.sequences import load_text_corpus

torch.set_num_threads(1)  # tiny ops: threads only add overhead in the judge process


def corpus_and_vocab():
    corpus = load_text_corpus()
    return corpus, sorted(set("".join(corpus.values())))


def random_pair(student, reference, vocab_size: int, seed: int):
    """A student CharLM and the reference CharLM with the same random weights (float64)."""
    torch.manual_seed(seed)
    ref = reference.charlm.CharLM(vocab_size, 8, 16).double()
    with torch.no_grad():
        for p in ref.parameters():
            p.normal_(0, 0.5)
    mine = student.charlm.CharLM(vocab_size, 8, 16).double()
    mine.load_state_dict(ref.state_dict())
    return mine, ref


@part("language_model")
@points(3)
def test_encode_decode_and_bits_per_char(student, reference, rng):
    """encode/decode round-trip on the corpus; bits_per_char carries the state across chunks
    and averages -log2 p over every prediction."""
    corpus, vocab = corpus_and_vocab()
    start = int(rng.integers(0, len(corpus["val"]) - 600))
    text = corpus["val"][start:start + 600]
    ids = student.charlm.encode(text, vocab)
    assert isinstance(ids, np.ndarray) and ids.dtype == np.int64, "encode returns int64 ids"
    assert np.array_equal(ids, [vocab.index(c) for c in text]), "ids are indices into vocab"
    assert student.charlm.decode(ids, vocab) == text, "decode(encode(text)) == text"
    mine, ref = random_pair(student, reference, len(vocab), int(rng.integers(1 << 30)))
    for seq_len in (37, 1000):
        got = student.charlm.bits_per_char(mine, ids, seq_len)
        want = reference.charlm.bits_per_char(ref, ids, seq_len)
        assert_close(float(got), want, rtol=1e-9, name=f"bits_per_char ({seq_len=})")


@part("language_model")
@points(2)
def test_sampling(student, reference, rng):
    """sample: greedy (temperature 0) and seeded multinomial sampling as the docstring says."""
    _, vocab = corpus_and_vocab()
    mine, ref = random_pair(student, reference, len(vocab), int(rng.integers(1 << 30)))
    for temperature, seed in ((0.0, 0), (1.0, 3), (0.7, 11)):
        got = student.charlm.sample(mine, vocab, "def ", 40, temperature, seed)
        want = reference.charlm.sample(ref, vocab, "def ", 40, temperature, seed)
        assert isinstance(got, str) and len(got) == 40, "sample returns n_chars characters"
        assert got == want, f"the sample at temperature {temperature} differs from the expected"


@part("language_model")
@points(5)
def test_char_lm_learns_the_corpus(student):
    """train_char_lm with its defaults (seed 0) on the training text reaches below 3.3 bits per
    character on 5000 held-out characters (uniform: 6.7 bits; character frequencies alone:
    4.7; the solution: about 2.9)."""
    corpus, vocab = corpus_and_vocab()
    index = {c: i for i, c in enumerate(vocab)}
    train = np.array([index[c] for c in corpus["train"]], dtype=np.int64)
    val = torch.tensor([index[c] for c in corpus["val"][:5001]], dtype=torch.int64)
    model, losses = student.charlm.train_char_lm(train, len(vocab), seed=0)
    assert isinstance(losses, list) and len(losses) > 0, "train_char_lm returns the losses"
    logits, _ = model(val[:-1].unsqueeze(0))  # the model sees inputs; targets stay here
    assert torch.is_tensor(logits) and tuple(logits.shape) == (1, 5000, len(vocab)), (
        "the model maps (B, T) ids to (B, T, V) logits")
    nats = torch.nn.functional.cross_entropy(logits[0].double(), val[1:])
    bpc = float(nats) / math.log(2)
    assert bpc < 3.3, f"{bpc:.2f} bits per character on held-out text is not below 3.3"
