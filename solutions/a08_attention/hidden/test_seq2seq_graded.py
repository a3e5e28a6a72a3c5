"""Graded: the encoder-decoder Transformer on digit-string reversal (part "seq2seq",
10 points)."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from autograder.testing import assert_close, part, points, watch_call
from dnn.digit_strings import BOS, EOS, PAD, VOCAB_SIZE, reversal_task

torch.set_num_threads(1)  # tiny ops: threads only add overhead in the judge process
TOL = {"rtol": 1e-9, "atol": 1e-10}


def formula_pe(t: int, d: int) -> torch.Tensor:
    pe = torch.empty(t, d, dtype=torch.float64)
    for p in range(t):
        for i in range(d // 2):
            angle = p / 10000 ** (2 * i / d)
            pe[p, 2 * i], pe[p, 2 * i + 1] = math.sin(angle), math.cos(angle)
    return pe.float().double()


class Oracle(nn.Module):
    """The handout's model from torch's own modules: embedding + PE, nn.Transformer, head."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB_SIZE, 32)
        self.transformer = nn.Transformer(32, 4, 1, 1, 64, dropout=0.0, batch_first=True,
                                          norm_first=True)
        self.head = nn.Linear(32, VOCAB_SIZE)
        self.pe = formula_pe(64, 32)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        mask = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1],
                                                              dtype=torch.float64)
        out = self.transformer(
            self.embed(src) + self.pe[: src.shape[1]], self.embed(tgt_in) + self.pe[
                : tgt_in.shape[1]], tgt_mask=mask, src_key_padding_mask=src == PAD,
            tgt_key_padding_mask=tgt_in == PAD, memory_key_padding_mask=src == PAD)
        return self.head(out)


def models(student, device: str, eos_bias: float = 0.0):
    """(the student's default Seq2SeqTransformer in float64, the oracle with its weights)."""
    mine = student.seq2seq.Seq2SeqTransformer(VOCAB_SIZE).double().to(device)
    state = {k: v.cpu() for k, v in mine.state_dict().items()}
    state["head.bias"][EOS] += eos_bias  # so that greedy decoding stops at different steps
    mine.load_state_dict(state)
    oracle = Oracle().double()
    oracle.load_state_dict(state)
    return mine.eval(), oracle.eval()


@part("seq2seq")
@points(1)
def test_shift_right(student, rng, device):
    """shift_right puts BOS first, drops the last token and leaves its argument unchanged."""
    _, tgt = reversal_task(5, 2, 6, seed=int(rng.integers(1 << 30)))
    tgt = torch.from_numpy(tgt)
    call = watch_call(student.seq2seq.shift_right, tgt.to(device))
    assert not call.changed, "shift_right modified its argument"
    want = torch.cat([torch.full((5, 1), BOS), tgt[:, :-1]], dim=1)
    assert torch.equal(call.result.cpu(), want), "decoder inputs differ from [BOS, tgt[:-1]]"


@part("seq2seq")
@points(1)
def test_sequence_loss(student, rng, device):
    """sequence_loss is the mean cross-entropy over the non-PAD target positions only."""
    _, tgt = reversal_task(6, 2, 7, seed=int(rng.integers(1 << 30)))
    tgt = torch.from_numpy(tgt)
    logits = torch.from_numpy(rng.standard_normal((*tgt.shape, VOCAB_SIZE)))
    got = student.seq2seq.sequence_loss(logits.to(device), tgt.to(device))
    keep = tgt != PAD
    want = F.cross_entropy(logits[keep], tgt[keep])
    assert_close(got, want, **TOL, name="loss over non-PAD positions")


@part("seq2seq")
@points(2)
def test_forward_matches_torch(student, rng, device):
    """Seq2SeqTransformer.forward equals the same model built from nn.Transformer (pre-LN) with
    its weights: embedding + sinusoidal positions, PAD masked in every attention, a causal
    decoder."""
    mine, oracle = models(student, device)
    src, tgt = reversal_task(8, 2, 7, seed=int(rng.integers(1 << 30)))
    src, tgt_in = torch.from_numpy(src), torch.from_numpy(tgt)[:, :-1]
    tgt_in = torch.cat([torch.full((8, 1), BOS), tgt_in[:, :-1]], dim=1)
    got = mine(src.to(device), tgt_in.to(device))
    assert_close(got, oracle(src, tgt_in).detach(), **TOL, name="logits")


@part("seq2seq")
@points(2)
def test_greedy_decode(student, rng, device):
    """greedy_decode feeds back each argmax from BOS for max_len steps and writes PAD after a
    row's first EOS (checked against a decoding loop over the oracle model)."""
    mine, oracle = models(student, device, eos_bias=3.0)
    src, _ = reversal_task(16, 3, 8, seed=int(rng.integers(1 << 30)))
    src = torch.from_numpy(src)
    got = student.seq2seq.greedy_decode(mine, src.to(device), 9)
    ids = torch.full((16, 1), BOS)
    with torch.no_grad():
        for _ in range(9):
            ids = torch.cat([ids, oracle(src, ids)[:, -1].argmax(-1, keepdim=True)], dim=1)
    want = ids[:, 1:].clone()
    for row in want:
        ends = (row == EOS).nonzero()
        if len(ends):
            row[int(ends[0]) + 1:] = PAD
    assert tuple(got.shape) == (16, 9), "greedy_decode returns (B, max_len) ids"
    assert torch.equal(got.cpu().long(), want), "the greedy decodes differ"


@part("seq2seq")
@points(4)
def test_learns_to_reverse(student):
    """train_seq2seq with its defaults (seed 0) on 4000 generated strings of 3-8 digits reverses
    at least 80% of 300 new strings exactly, by greedy decoding (the solution: about 97%)."""
    src, tgt = reversal_task(4000, 3, 8, seed=0)
    test_src, test_tgt = reversal_task(300, 3, 8, seed=123)
    model, losses = student.seq2seq.train_seq2seq(src, tgt, VOCAB_SIZE, seed=0)
    assert isinstance(losses, list) and len(losses) > 0, "train_seq2seq returns the losses"
    pred = student.seq2seq.greedy_decode(model, torch.from_numpy(test_src), 9).cpu().numpy()
    exact = float((pred == test_tgt).all(axis=1).mean())  # the labels stay on this side
    assert exact >= 0.8, f"{exact:.0%} of the held-out strings reversed exactly, not 80%"
