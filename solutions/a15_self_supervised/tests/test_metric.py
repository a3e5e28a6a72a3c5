"""Metric-learning losses and miners on hand-checkable batches."""

import torch
from metric import (
    all_triplets,
    contrastive_loss,
    hard_triplets,
    pair_masks,
    pairwise_distances,
    recall_at_k,
    triplet_loss_batch_all,
    triplet_loss_batch_hard,
)

EMB = torch.tensor([[0.0, 0.0], [0.0, 1.0], [3.0, 0.0], [3.0, 2.0]], dtype=torch.float64)
LAB = torch.tensor([0, 0, 1, 1])


def test_distances_and_masks() -> None:
    torch.testing.assert_close(pairwise_distances(EMB, EMB), torch.cdist(EMB, EMB))
    pos, neg = pair_masks(LAB)
    assert pos.sum() == 4 and not pos.diagonal().any() and neg.sum() == 8


def test_contrastive_loss_by_hand() -> None:
    # positive distances 1, 1, 2, 2 -> mean 1.5; negatives all >= 3 > margin 2 -> 0
    assert abs(contrastive_loss(EMB, LAB, 0.0, 2.0).item() - 1.5) < 1e-12
    # with m_neg = 3.5: negative distances 3, sqrt(13), sqrt(10), sqrt(10) (each twice)
    want = 1.5 + sum(max(3.5 - d, 0.0) for d in (3.0, 13 ** 0.5, 10 ** 0.5, 10 ** 0.5)) / 4
    assert abs(contrastive_loss(EMB, LAB, 0.0, 3.5).item() - want) < 1e-12


def test_batch_all_counts_and_averages_active_triplets() -> None:
    a, p, n = all_triplets(LAB)
    assert len(a) == 8
    # margin 2.5: only the triplets with d_an - d_ap < 2.5 are active
    d = torch.cdist(EMB, EMB)
    losses = (d[a, p] - d[a, n] + 2.5).clamp_min(0)
    want = losses[losses > 0].mean()
    assert abs(triplet_loss_batch_all(EMB, LAB, 2.5).item() - want.item()) < 1e-12


def test_batch_hard_mines_the_hardest() -> None:
    a, p, n = hard_triplets(EMB, LAB)
    assert a.tolist() == [0, 1, 2, 3] and p.tolist() == [1, 0, 3, 2]
    assert n.tolist() == [2, 2, 0, 1]
    d = torch.cdist(EMB, EMB)
    want = (d[a, p] - d[a, n] + 3.0).clamp_min(0).mean()
    assert abs(triplet_loss_batch_hard(EMB, LAB, 3.0).item() - want.item()) < 1e-12


def test_recall_at_k() -> None:
    lab = torch.tensor([0, 1, 0, 1])
    # nearest others: 0->1 (miss), 1->0 (miss), 2->3 (miss), 3->2 (miss)
    assert recall_at_k(EMB, lab, 1) == 0.0 and recall_at_k(EMB, LAB, 1) == 1.0
    assert recall_at_k(EMB, lab, 3) == 1.0
