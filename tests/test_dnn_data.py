"""Tests for dnn.data: the digits splits, one-hot labels, minibatches and missing-file errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dnn.data import Split, iterate_minibatches, load_digits, one_hot, require_files

N_DIGITS = 1797


def _rows(split: Split) -> set[bytes]:
    """Each example as bytes, to compare splits by content (digits has no duplicate images)."""
    return {row.tobytes() for row in split.x.reshape(len(split), -1)}


def test_digits_shapes_dtypes_and_ranges() -> None:
    splits = load_digits()
    assert set(splits) == {"train", "val", "test"}
    for split in splits.values():
        assert split.x.dtype == np.float64 and split.y.dtype == np.int64
        assert split.x.shape == (len(split), 64) and split.y.shape == (len(split),)
        assert split.x.min() >= 0.0 and split.x.max() <= 1.0
        assert set(np.unique(split.y)) == set(range(10))
    assert max(split.x.max() for split in splits.values()) == 1.0


def test_digits_unflattened_is_channels_first_and_same_data() -> None:
    flat = load_digits(seed=3)
    images = load_digits(seed=3, flatten=False)
    for name in flat:
        assert images[name].x.shape == (len(flat[name]), 1, 8, 8)
        np.testing.assert_array_equal(images[name].x.reshape(-1, 64), flat[name].x)
        np.testing.assert_array_equal(images[name].y, flat[name].y)


def test_digits_splits_are_disjoint_and_cover_the_dataset() -> None:
    splits = load_digits()
    assert sum(len(split) for split in splits.values()) == N_DIGITS
    train, val, test = (_rows(splits[name]) for name in ("train", "val", "test"))
    assert not train & val and not train & test and not val & test
    # Same multiset of labels as the whole dataset.
    all_labels = np.concatenate([split.y for split in splits.values()])
    counts = np.bincount(all_labels)
    assert counts.sum() == N_DIGITS and counts.min() >= 170


def test_digits_split_sizes_follow_fractions() -> None:
    splits = load_digits(val_fraction=0.2, test_fraction=0.1)
    assert len(splits["val"]) == pytest.approx(0.2 * N_DIGITS, abs=10)
    assert len(splits["test"]) == pytest.approx(0.1 * N_DIGITS, abs=10)


def test_digits_splits_are_stratified() -> None:
    splits = load_digits()
    whole = np.bincount(np.concatenate([s.y for s in splits.values()]), minlength=10) / N_DIGITS
    for split in splits.values():
        share = np.bincount(split.y, minlength=10) / len(split)
        np.testing.assert_allclose(share, whole, atol=0.01)


def test_digits_same_seed_same_split_other_seed_other_split() -> None:
    first, again, other = load_digits(seed=7), load_digits(seed=7), load_digits(seed=8)
    for name in first:
        np.testing.assert_array_equal(first[name].x, again[name].x)
        np.testing.assert_array_equal(first[name].y, again[name].y)
    assert _rows(first["test"]) != _rows(other["test"])


def test_digits_zero_fractions_give_everything_to_train() -> None:
    splits = load_digits(val_fraction=0.0, test_fraction=0.0)
    assert len(splits["train"]) == N_DIGITS
    assert len(splits["val"]) == len(splits["test"]) == 0


@pytest.mark.parametrize(
    ("val_fraction", "test_fraction", "message"),
    [(-0.1, 0.1, "val_fraction"), (0.1, 1.0, "test_fraction"), (0.5, 0.5, "< 1")],
)
def test_digits_rejects_bad_fractions(
    val_fraction: float, test_fraction: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_digits(val_fraction=val_fraction, test_fraction=test_fraction)


def test_one_hot() -> None:
    encoded = one_hot(np.array([2, 0, 1, 2]), 4)
    assert encoded.dtype == np.float64 and encoded.shape == (4, 4)
    np.testing.assert_array_equal(encoded.argmax(axis=1), [2, 0, 1, 2])
    np.testing.assert_array_equal(encoded.sum(axis=1), np.ones(4))
    assert encoded[:, 3].sum() == 0


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0]])
def test_one_hot_rejects_labels_out_of_range(labels: list[int]) -> None:
    with pytest.raises(ValueError, match="labels must be in"):
        one_hot(np.array(labels), 3)


def test_one_hot_rejects_non_integer_labels() -> None:
    with pytest.raises(ValueError, match="integer"):
        one_hot(np.array([0.0, 1.0]), 2)


def test_minibatches_in_order_keep_last_partial_batch() -> None:
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    batches = list(iterate_minibatches(x, y, 4))
    assert [len(yb) for _, yb in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in batches]), y)
    for xb, yb in batches:
        np.testing.assert_array_equal(xb, x[yb])


def test_minibatches_shuffled_by_rng_reproducibly() -> None:
    x, y = np.arange(100).reshape(50, 2), np.arange(50)
    order = [
        np.concatenate([yb for _, yb in iterate_minibatches(x, y, 8, rng=np.random.default_rng(1))])
        for _ in range(2)
    ]
    np.testing.assert_array_equal(order[0], order[1])
    assert not np.array_equal(order[0], y)
    np.testing.assert_array_equal(np.sort(order[0]), y)


def test_minibatches_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="same length"):
        list(iterate_minibatches(np.zeros(3), np.zeros(4), 2))
    with pytest.raises(ValueError, match="batch_size"):
        list(iterate_minibatches(np.zeros(3), np.zeros(3), 0))


def test_require_files_names_missing_files_and_how_to_get_them(tmp_path: Path) -> None:
    (tmp_path / "present.bin").write_bytes(b"")
    with pytest.raises(FileNotFoundError) as info:
        require_files(
            tmp_path,
            ["present.bin", "a.bin", "b.bin"],
            dataset="toy",
            how_to_get="copy them from the course share",
        )
    message = str(info.value)
    assert "toy" in message and "a.bin" in message and "b.bin" in message
    assert "present.bin" not in message
    assert str(tmp_path) in message and "copy them from the course share" in message


def test_require_files_passes_when_all_present(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"")
    require_files(tmp_path, ["a.bin"], dataset="toy", how_to_get="n/a")
