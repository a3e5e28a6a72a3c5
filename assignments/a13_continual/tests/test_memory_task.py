"""Associative recall: the task's layout, the memory network's shapes and a short training."""

import pytest
import torch
from memory_task import MemoryRecall, evaluate_recall, recall_accuracy, recall_batch, train_recall


def test_recall_batch_layout() -> None:
    x, target, q = recall_batch(6, 3, 4, generator=torch.Generator().manual_seed(0))
    assert x.shape == (6, 4, 9) and target.shape == (6, 4) and q.shape == (6,)
    rows = torch.arange(6)
    torch.testing.assert_close(x[:, 3, :4], x[rows, q, :4])        # the query is a stored key
    torch.testing.assert_close(target, x[rows, q, 4:8])            # its value is the target
    assert (x[:, :3, 8] == 0).all() and (x[:, 3, 8] == 1).all() and (x[:, 3, 4:8] == 0).all()
    assert set(x[:, :3, :8].unique().tolist()) == {-1.0, 1.0}
    again, _, _ = recall_batch(6, 3, 4, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(x, again)


def test_recall_accuracy_counts_whole_rows() -> None:
    target = torch.tensor([[1.0, -1.0], [1.0, 1.0], [-1.0, -1.0]])
    pred = torch.tensor([[0.3, -2.0], [1.0, -0.1], [0.0, -1.0]])
    assert recall_accuracy(pred, target) == pytest.approx(1 / 3)


def test_forward_shapes_and_slot_limit() -> None:
    model = MemoryRecall(4, 5)
    x, _, _ = recall_batch(3, 4, 4, generator=torch.Generator().manual_seed(1))
    y, w = model(x)
    assert y.shape == (3, 4) and w.shape == (3, 5)
    torch.testing.assert_close(w.sum(1), torch.ones(3))
    with pytest.raises(ValueError):
        model(torch.zeros(1, 7, 9))


def test_a_short_training_recalls() -> None:
    torch.manual_seed(0)
    model = MemoryRecall(8, 4)
    losses = train_recall(model, n_pairs=4, width=8, steps=100, batch_size=32, lr=0.03, seed=0)
    assert len(losses) == 100 and losses[-1] < losses[0]
    assert evaluate_recall(model, n_pairs=4, width=8) > 0.5
