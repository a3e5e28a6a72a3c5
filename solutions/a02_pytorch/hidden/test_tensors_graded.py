"""Graded: broadcasting exercises (part "tensors", 15 points)."""

import torch
import torch.nn.functional as F

from autograder.testing import assert_close, part, points


def randn(rng, *shape: int, device: str = "cpu") -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape)).to(device)


@part("tensors")
@points(3)
def test_pairwise_sq_distances(student, rng, device):
    """pairwise_sq_distances(a, b)[i, j] = ||a_i - b_j||^2 for a (N, D) and b (M, D), N != M,
    and never negative, even for identical points far from the origin."""
    a, b = randn(rng, 7, 5, device=device), randn(rng, 4, 5, device=device)
    got = student.tensor_ops.pairwise_sq_distances(a, b)
    assert isinstance(got, torch.Tensor) and got.shape == (7, 4), "the result must be (N, M)"
    assert_close(got.cpu(), (torch.cdist(a, b) ** 2).cpu(), rtol=1e-9, atol=1e-10,
                 name="squared distances")
    far = randn(rng, 12, 6, device=device) * 50
    same = student.tensor_ops.pairwise_sq_distances(far, far[torch.randperm(12)])
    assert bool((same >= 0).all()), (
        "distances must be non-negative, also between identical points (no |a|^2 + |b|^2 - 2ab)")


@part("tensors")
@points(4)
def test_standardize_any_axis(student, rng):
    """standardize normalises along the given axis (0, 1 or -1) with the biased variance and
    eps inside the square root, like layer norm along that axis."""
    x = randn(rng, 4, 5, 6) * 3 + 1
    for dim in (0, 1, -1):
        got = student.tensor_ops.standardize(x, dim)
        want = F.layer_norm(x.movedim(dim, -1), (x.shape[dim],), eps=1e-5).movedim(-1, dim)
        assert_close(got, want, rtol=1e-9, atol=1e-10, name=f"standardize(x, dim={dim})")
    small = randn(rng, 3, 8) * 0.1
    got = student.tensor_ops.standardize(small, -1, 0.5)
    assert_close(got, F.layer_norm(small, (8,), eps=0.5), rtol=1e-9, atol=1e-10,
                 name="standardize with eps=0.5")


@part("tensors")
@points(3)
def test_one_hot_and_masked_mean(student, rng):
    """one_hot gives float32 indicator rows; masked_mean averages the first lengths[b] steps."""
    y = torch.from_numpy(rng.integers(0, 6, size=11))
    got = student.tensor_ops.one_hot(y, 6)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32, "one_hot is float32"
    assert torch.equal(got, F.one_hot(y, 6).float()), "one_hot rows are wrong"
    x = randn(rng, 5, 7, 3)
    lengths = torch.from_numpy(rng.integers(1, 8, size=5))
    lengths[0] = 7
    want = torch.stack([x[b, : int(n)].mean(dim=0) for b, n in enumerate(lengths)])
    assert_close(student.tensor_ops.masked_mean(x, lengths), want, rtol=1e-10, atol=1e-12,
                 name="masked_mean")


@part("tensors")
@points(5)
def test_unbroadcast(student, rng):
    """unbroadcast sums a gradient back to the operand's shape: leading axes and size-1 axes."""
    grad = randn(rng, 3, 4, 5, 2)
    for shape in [(2,), (5, 1), (1, 4, 1, 2), (4, 5, 2), (1, 1, 1, 1), (3, 4, 5, 2)]:
        got = student.tensor_ops.unbroadcast(grad, shape)
        assert isinstance(got, torch.Tensor) and tuple(got.shape) == shape, (
            f"unbroadcast(grad, {shape}) must have shape {shape}"
        )
        assert_close(got, grad.sum_to_size(shape), rtol=1e-10, atol=1e-12,
                     name=f"unbroadcast to {shape}")
