"""Graded: the character-level language model (part "language_model", 10 points)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points
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
    """encode/decode round-trip on the corpus (decode also takes a list of ids; a character
    outside the vocabulary raises KeyError); bits_per_char carries the state across chunks and
    averages -log2 p over every prediction."""
    corpus, vocab = corpus_and_vocab()
    start = int(rng.integers(0, len(corpus["val"]) - 600))
    text = corpus["val"][start:start + 600]
    ids = student.charlm.encode(text, vocab)
    assert isinstance(ids, np.ndarray) and ids.dtype == np.int64, "encode returns int64 ids"
    assert np.array_equal(ids, [vocab.index(c) for c in text]), "ids are indices into vocab"
    assert student.charlm.decode(ids, vocab) == text, "decode(encode(text)) == text"
    assert student.charlm.decode(ids[:50].tolist(), vocab) == text[:50], "decode of a list"
    with pytest.raises(StudentError) as raised:
        student.charlm.encode("def \u00e9t\u00e9():", vocab)
    assert raised.value.type_name == "KeyError", (
        f"a character outside vocab should raise KeyError, not {raised.value.type_name}")
    mine, ref = random_pair(student, reference, len(vocab), int(rng.integers(1 << 30)))
    for seq_len in (37, 1000):
        got = student.charlm.bits_per_char(mine, ids, seq_len)
        want = reference.charlm.bits_per_char(ref, ids, seq_len)
        assert_close(float(got), want, rtol=1e-9, name=f"bits_per_char ({seq_len=})")


@part("language_model")
@points(2)
def test_sampling(student, reference, rng):
    """sample: greedy (temperature 0) and seeded multinomial sampling as the docstring says,
    the same text again for the same seed on a later call."""
    _, vocab = corpus_and_vocab()
    mine, ref = random_pair(student, reference, len(vocab), int(rng.integers(1 << 30)))
    for temperature, seed in ((0.0, 0), (1.0, 3), (0.7, 11)):
        got = student.charlm.sample(mine, vocab, "def ", 40, temperature, seed)
        want = reference.charlm.sample(ref, vocab, "def ", 40, temperature, seed)
        assert isinstance(got, str) and len(got) == 40, "sample returns n_chars characters"
        assert got == want, f"the sample at temperature {temperature} differs from the expected"
    again = student.charlm.sample(mine, vocab, "def ", 40, 1.0, 3)
    assert again == reference.charlm.sample(ref, vocab, "def ", 40, 1.0, 3), (
        "a second call with seed 3 must give the same sample as the first")


@part("language_model")
@points(2)
def test_train_char_lm_recipe(student, rng):
    """train_char_lm follows its docstring: torch.manual_seed(seed) before building the model,
    window starts from numpy.random.default_rng(seed) in [0, len(ids) - seq_len - 1], targets
    shifted by one character, mean cross-entropy, clipping to total norm 1, Adam: two steps
    replayed with torch's Embedding, GRU and Linear from the model's own initial weights give
    the same losses and weights."""
    corpus, vocab = corpus_and_vocab()
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.array([index[c] for c in corpus["train"][:3000]], dtype=np.int64)
    seed, v = int(rng.integers(1, 50)), len(vocab)
    kw = {"seq_len": 12, "batch_size": 8, "embed_size": 6, "hidden_size": 10, "lr": 0.05,
          "seed": seed}
    init = student.charlm.train_char_lm(ids, v, steps=0, **kw)[0].state_dict()
    model, losses = student.charlm.train_char_lm(ids, v, steps=2, **kw)
    assert isinstance(losses, list) and len(losses) == 2, "one loss per step"
    embed, gru = torch.nn.Embedding(v, 6), torch.nn.GRU(6, 10, batch_first=True)
    head = torch.nn.Linear(10, v)
    for prefix, module in (("embed.", embed), ("rnn.", gru), ("head.", head)):
        module.load_state_dict({k[len(prefix):]: t for k, t in init.items()
                                if k.startswith(prefix)})
    params = [*embed.parameters(), *gru.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=0.05)
    draw = np.random.default_rng(seed)
    for step in range(2):
        starts = draw.integers(0, len(ids) - 12, size=8)
        batch = torch.from_numpy(np.stack([ids[s:s + 13] for s in starts]))
        logits = head(gru(embed(batch[:, :-1]))[0])
        loss = F.cross_entropy(logits.reshape(-1, v), batch[:, 1:].reshape(-1))
        assert_close(losses[step], float(loss), rtol=1e-4, name=f"loss of step {step}")
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    got = model.state_dict()
    for prefix, module in (("embed.", embed), ("rnn.", gru), ("head.", head)):
        for key, value in module.state_dict().items():
            assert prefix + key in got, f"the CharLM has no parameter {prefix + key}"
            assert_close(got[prefix + key], value, rtol=1e-4, atol=1e-4,
                         name=f"trained {prefix + key}")


@part("language_model")
@points(3)
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
