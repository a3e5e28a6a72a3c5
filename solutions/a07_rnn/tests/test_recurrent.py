"""Multi-layer layers against torch.nn.RNN/LSTM/GRU (batch_first), with and without lengths."""

import torch
from recurrent import GRU, LSTM, RNN, SequenceModel
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64)
PAIRS = [(RNN, torch.nn.RNN), (LSTM, torch.nn.LSTM), (GRU, torch.nn.GRU)]


def test_layers_match_torch() -> None:
    torch.manual_seed(0)
    x = randn(3, 6, 4)
    for ours, theirs in PAIRS:
        ref = theirs(4, 5, num_layers=2, batch_first=True).double()
        layer = ours(4, 5, num_layers=2).double()
        layer.load_state_dict(ref.state_dict())
        out, state = layer(x)
        out_ref, state_ref = ref(x)
        torch.testing.assert_close(out, out_ref)
        torch.testing.assert_close(state, state_ref)


def test_lengths_match_packed_sequences() -> None:
    torch.manual_seed(1)
    x, lengths = randn(3, 6, 4), [4, 6, 2]
    ref = torch.nn.GRU(4, 5, batch_first=True).double()
    layer = GRU(4, 5).double()
    layer.load_state_dict(ref.state_dict())
    out, h_n = layer(x, lengths=lengths)
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True,
                                  enforce_sorted=False)
    out_ref, h_ref = ref(packed)
    out_ref, _ = pad_packed_sequence(out_ref, batch_first=True, total_length=6)
    torch.testing.assert_close(out, out_ref)
    torch.testing.assert_close(h_n, h_ref)


def test_sequence_model_shapes() -> None:
    model = SequenceModel("lstm", 2, 8, 3, num_layers=2)
    y, (h, c) = model(torch.randn(4, 7, 2))
    assert y.shape == (4, 7, 3) and h.shape == c.shape == (2, 4, 8)


def test_every_call_starts_from_zeros() -> None:
    torch.manual_seed(2)
    ref = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True).double()
    layer = LSTM(3, 4, num_layers=2).double()
    layer.load_state_dict(ref.state_dict())
    for x in (randn(2, 5, 3), randn(2, 5, 3)):  # the second call must not reuse the first state
        out, (h, c) = layer(x)
        out_ref, (h_ref, c_ref) = ref(x)
        torch.testing.assert_close(out, out_ref)
        torch.testing.assert_close(c, c_ref)
