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
