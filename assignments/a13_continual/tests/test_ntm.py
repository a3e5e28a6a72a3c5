"""NTM addressing on hand-checkable inputs."""

import torch
from ntm import circular_shift, content_weights, read, sharpen, write


def test_content_weights_prefer_the_matching_slot() -> None:
    mem = torch.eye(3)[None]
    w = content_weights(mem, torch.tensor([[0.0, 1.0, 0.0]]), torch.tensor([50.0]))
    assert w.argmax().item() == 1 and abs(w.sum().item() - 1) < 1e-6


def test_shift_sharpen_read_write() -> None:
    w = torch.tensor([[1.0, 0.0, 0.0, 0.0]])
    torch.testing.assert_close(circular_shift(w, torch.tensor([[0.0, 0.0, 1.0]])),
                               torch.tensor([[0.0, 1.0, 0.0, 0.0]]))
    torch.testing.assert_close(sharpen(torch.tensor([[0.5, 0.5]]), torch.tensor([3.0])),
                               torch.tensor([[0.5, 0.5]]))
    mem = torch.zeros(1, 4, 2)
    new = write(mem, w, torch.ones(1, 2), torch.tensor([[3.0, 4.0]]))
    torch.testing.assert_close(read(new, w), torch.tensor([[3.0, 4.0]]))
    assert (mem == 0).all()


def test_content_uses_the_cosine_not_the_dot_product() -> None:
    mem = torch.tensor([[[1.0, 0.0], [10.0, 10.0]]])
    w = content_weights(mem, torch.tensor([[1.0, 0.0]]), torch.tensor([5.0]))
    assert w[0, 0] > w[0, 1]


def test_gate_and_sharpen_per_row() -> None:
    from ntm import interpolate
    wc, wp = torch.tensor([[1.0, 0.0]] * 2), torch.tensor([[0.0, 1.0]] * 2)
    torch.testing.assert_close(interpolate(wc, wp, torch.tensor([1.0, 0.25])),
                               torch.tensor([[1.0, 0.0], [0.25, 0.75]]))
    w = torch.tensor([[0.25, 0.75], [0.5, 0.5]])
    torch.testing.assert_close(sharpen(w, torch.tensor([1.0, 2.0])), w)


def test_address_shifts_then_sharpens() -> None:
    from ntm import address
    mem, key = torch.zeros(1, 3, 2), torch.ones(1, 2)
    w_prev = torch.tensor([[0.6, 0.3, 0.1]])
    shift, gamma = torch.tensor([[0.5, 0.0, 0.5]]), torch.tensor([2.0])
    got = address(mem, w_prev, key, torch.tensor([1.0]), torch.tensor([0.0]), shift, gamma)
    torch.testing.assert_close(got, sharpen(circular_shift(w_prev, shift), gamma))
