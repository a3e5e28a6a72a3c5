"""Graded: the n-gram baseline against counts done here, bits per character against a loop over
chunks done here, and a character-level GPT trained on the Python documentation that beats the
bigram baseline on held-out text (part "training", 14)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.testing import StudentError, assert_close, part, points
from dnn.sequences import load_text_corpus


def ngram_oracle(train: list[int], ev: list[int], n: int, v: int, alpha: float) -> float:
    total, count = 0.0, 0
    for t in range(n - 1, len(ev)):
        h = ev[t - n + 1:t]
        num = sum(train[s - n + 1:s + 1] == h + [ev[t]] for s in range(n - 1, len(train)))
        den = sum(train[s - n + 1:s] == h for s in range(n - 1, len(train)))
        total -= math.log2((num + alpha) / (den + alpha * v))
        count += 1
    return total / count


@part("training")
@points(4)
def test_ngram_bpc(student, rng):
    """ngram_bpc is the add-alpha n-gram's bits per character for n = 1, 2, 3 (contexts from the
    evaluated text, positions before n - 1 skipped); n < 1 or alpha <= 0 raises ValueError."""
    train = rng.integers(0, 4, 300)
    train[::7] = 2                                       # some structure to count
    ev = rng.integers(0, 5, 60)
    for n, alpha in ((1, 0.5), (2, 0.1), (3, 1.0)):
        got = student.train_lm.ngram_bpc(train, ev, n, 5, alpha)
        want = ngram_oracle(train.tolist(), ev.tolist(), n, 5, alpha)
        assert_close(got, want, rtol=1e-9, name=f"BPC of the {n}-gram with alpha={alpha}")
    for n, alpha in ((0, 0.1), (2, 0.0)):
        with pytest.raises(StudentError) as err:
            student.train_lm.ngram_bpc(train, ev, n, 5, alpha)
        assert err.value.type_name == "ValueError", f"n={n}, alpha={alpha} should raise ValueError"


@part("training")
@points(4)
def test_bits_per_char(student, reference, rng, device):
    """bits_per_char scores every character after the first once, in chunks of block_size + 1
    sharing one character, in eval mode, and leaves the model's mode as it was."""
    torch.manual_seed(int(rng.integers(1000)))
    ref = reference.gpt.GPT(11, 8, 16, 2, 4).double().to(device).eval()
    with torch.no_grad():
        for p in ref.parameters():
            p.add_(0.3 * torch.randn_like(p))
    model = student.gpt.GPT(11, 8, 16, 2, 4)
    model.double()
    model.to(device)
    model.load_state_dict(ref.state_dict())
    for length in (30, 17, 9, 10):  # 10: the last chunk holds only the final character
        ids = rng.integers(0, 11, length)
        x = torch.as_tensor(ids, device=device)
        nll = 0.0
        for s in range(0, length - 1, 8):
            chunk = x[s:s + 9]
            with torch.no_grad():
                logits = ref(chunk[None, :-1])[0]
            nll += F.cross_entropy(logits, chunk[1:], reduction="sum").item()
        want = nll / (length - 1) / math.log(2)
        model.train()
        got = student.train_lm.bits_per_char(model, ids, 8)
        assert_close(got, want, rtol=1e-9, name=f"BPC of {length} characters")
        assert model.training, "bits_per_char should leave a model in train mode in train mode"
    model.eval()
    student.train_lm.bits_per_char(model, rng.integers(0, 11, 12), 8)
    assert not model.training, "bits_per_char should leave a model in eval mode in eval mode"


@part("training")
@points(6)
def test_char_gpt_beats_bigram(student, reference, device):
    """A one-block character GPT trained for 300 steps on the Python documentation (the
    handout's other defaults, seed 0) reaches a held-out BPC (scored by the reference's
    bits_per_char) at least 0.15 below the add-0.1 bigram's, and returns one loss per step,
    decreasing."""
    vocab, ids = reference.train_lm.encode_corpus(load_text_corpus())
    val = ids["val"][:5000]
    bigram = reference.train_lm.ngram_bpc(ids["train"], val, 2, len(vocab), 0.1)
    model, losses = student.train_lm.train_char_gpt(ids["train"], len(vocab), steps=300,
                                                    n_layer=1, seed=0, device=device)
    assert len(losses) == 300, "train_char_gpt should return one loss per step"
    assert np.mean(losses[-30:]) < np.mean(losses[:30]) - 1.0, "the training loss barely fell"
    ref = reference.gpt.GPT(len(vocab), 32, 48, 1, 4)
    ref.load_state_dict({k: v.cpu() for k, v in model.state_dict().items()})
    bpc = reference.train_lm.bits_per_char(ref, val, 32)        # scored here, not in the sandbox
    assert bpc < bigram - 0.15, f"held-out BPC {bpc:.3f} does not beat the bigram baseline"
