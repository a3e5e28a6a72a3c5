"""seq2seq.py: decoder inputs, the masked loss and greedy decoding's shape."""

import torch
from seq2seq import Seq2SeqTransformer, greedy_decode, sequence_loss, shift_right

from dnn.digit_strings import BOS, EOS, PAD, VOCAB_SIZE, reversal_task


def test_shift_right_and_loss() -> None:
    _, tgt = reversal_task(4, 2, 5, seed=0)
    tgt = torch.from_numpy(tgt)
    shifted = shift_right(tgt)
    assert torch.equal(shifted[:, 0], torch.full((4,), BOS))
    assert torch.equal(shifted[:, 1:], tgt[:, :-1])
    logits = torch.zeros(*tgt.shape, VOCAB_SIZE)
    torch.testing.assert_close(sequence_loss(logits, tgt), torch.tensor(VOCAB_SIZE).log())


def test_greedy_decode_pads_after_eos() -> None:
    torch.manual_seed(0)
    model = Seq2SeqTransformer(VOCAB_SIZE)
    with torch.no_grad():
        model.head.bias[EOS] += 100.0  # the model always says EOS
    src, _ = reversal_task(3, 3, 6, seed=1)
    out = greedy_decode(model, torch.from_numpy(src), 7)
    assert out.shape == (3, 7)
    assert torch.equal(out[:, 0], torch.full((3,), EOS))
    assert torch.equal(out[:, 1:], torch.full((3, 6), PAD))
