"""Public tests of the siamese verifier (a sample of what is graded)."""

import pytest
import torch
from siamese import (
    PairSampler,
    SiameseNet,
    contrastive_loss,
    one_shot_predict,
    pair_distance,
    train_siamese,
    verify,
)


def test_pairs_balanced_and_labelled():
    order = torch.randperm(24, generator=torch.Generator().manual_seed(1))
    labels = torch.arange(6).repeat_interleave(4)[order]
    first, second, same = PairSampler(labels, seed=0).sample(20)
    assert same.tolist() == [1] * 10 + [0] * 10
    assert (labels[first[:10]] == labels[second[:10]]).all() and (first[:10] != second[:10]).all()
    assert (labels[first[10:]] != labels[second[10:]]).all()
    with pytest.raises(ValueError):
        PairSampler(labels).sample(5)


def test_same_seed_same_pairs():
    labels = torch.arange(5).repeat_interleave(3)
    a, b = PairSampler(labels, seed=3), PairSampler(labels, seed=3)
    for _ in range(3):
        for x, y in zip(a.sample(8), b.sample(8), strict=True):
            assert torch.equal(x, y)


def test_distance_and_its_edges():
    e1, e2 = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    e2[0] = e1[0]
    torch.testing.assert_close(pair_distance(e1, e2), (e1 - e2).norm(dim=1))
    d = pair_distance(e1, e2)
    assert d[0] == 0 and torch.equal(pair_distance(e2, e1), d)


def test_contrastive_loss_by_hand():
    d = torch.tensor([1.0, 0.5, 3.0], dtype=torch.float64)
    same = torch.tensor([1, 0, 0])
    # (1/2 * 1^2 + 1/2 * (2 - 0.5)^2 + 0) / 3: the far different pair is beyond the margin
    assert abs(float(contrastive_loss(d, same, margin=2.0)) - 1.625 / 3) < 1e-12


def test_one_embedding_for_both_inputs():
    net = SiameseNet(3, 4, 2)
    assert all(k.startswith("embed.") for k in net.state_dict())
    net.eval()
    x = torch.rand(3, 3, 8, 8)
    assert net(x, x).abs().max() == 0 and net(x, torch.rand(3, 3, 8, 8)).shape == (3,)


def test_verify_and_one_shot():
    assert verify(torch.tensor([0.5, 1.0, 2.0]), 1.0).tolist() == [1, 0, 0]
    support = torch.tensor([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    query = torch.tensor([[4.0, 1.0], [0.5, 0.2], [1.0, 4.5]])
    assert one_shot_predict(support, query).tolist() == [1, 0, 2]


def test_train_siamese_runs():
    x = torch.rand(40, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    y = torch.arange(40) % 5
    model = train_siamese(x, y, steps=2, n_pairs=4, channels=4)
    assert not model.training
