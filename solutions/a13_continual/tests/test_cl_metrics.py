"""The GEM metrics on a small hand-computed accuracy matrix."""

import pytest
import torch
from cl_metrics import average_accuracy, backward_transfer, forgetting, forward_transfer

R = torch.tensor([[0.9, 0.1, 0.2],
                  [0.6, 0.8, 0.3],
                  [0.5, 0.7, 0.9]], dtype=torch.float64)
B = torch.tensor([0.1, 0.1, 0.1], dtype=torch.float64)


def test_metrics_by_hand() -> None:
    assert average_accuracy(R) == pytest.approx(0.7)
    assert backward_transfer(R) == pytest.approx(((0.5 - 0.9) + (0.7 - 0.8)) / 2)
    assert forward_transfer(R, B) == pytest.approx(((0.1 - 0.1) + (0.3 - 0.1)) / 2)
    assert forgetting(R) == pytest.approx(((0.9 - 0.5) + (0.8 - 0.7)) / 2)
