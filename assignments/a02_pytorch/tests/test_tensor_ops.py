"""Broadcasting exercises against torch's own functions."""

import torch
import torch.nn.functional as F
from tensor_ops import masked_mean, one_hot, pairwise_sq_distances, standardize, unbroadcast


def test_pairwise_sq_distances_matches_cdist() -> None:
    a, b = torch.randn(5, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    torch.testing.assert_close(pairwise_sq_distances(a, b), torch.cdist(a, b) ** 2)


def test_pairwise_sq_distances_of_identical_points_are_not_negative() -> None:
    a = 40 * torch.randn(10, 4, dtype=torch.float64)
    assert (pairwise_sq_distances(a, a.flip(0)) >= 0).all()


def test_standardize_matches_layer_norm() -> None:
    x = torch.randn(6, 5, dtype=torch.float64)
    torch.testing.assert_close(standardize(x, dim=-1), F.layer_norm(x, (5,)))
    torch.testing.assert_close(standardize(x, dim=0), F.layer_norm(x.T, (6,)).T)


def test_one_hot_and_masked_mean() -> None:
    y = torch.tensor([2, 0, 1, 2])
    torch.testing.assert_close(one_hot(y, 4), F.one_hot(y, 4).float())
    x = torch.randn(2, 4, 3, dtype=torch.float64)
    lengths = torch.tensor([1, 3])
    want = torch.stack([x[0, :1].mean(0), x[1, :3].mean(0)])
    torch.testing.assert_close(masked_mean(x, lengths), want)


def test_unbroadcast_matches_sum_to_size() -> None:
    g = torch.randn(4, 3, 5, dtype=torch.float64)
    for shape in [(3, 1), (5,), (1, 1, 5), (4, 3, 5)]:
        torch.testing.assert_close(unbroadcast(g, shape), g.sum_to_size(shape))
