"""dnn.lm_segments: shapes, the repetition, seeding and argument checks."""

import numpy as np
import pytest

from dnn.lm_segments import repeated_segments


def test_rows_repeat_one_block() -> None:
    x = repeated_segments(50, 6, 7, repeats=3, seed=1)
    assert x.shape == (50, 18) and x.dtype == np.int64
    assert x.min() >= 0 and x.max() < 7
    np.testing.assert_array_equal(x[:, :6], x[:, 6:12])
    np.testing.assert_array_equal(x[:, :6], x[:, 12:])
    assert len({tuple(r) for r in x[:, :6]}) > 40          # blocks differ between rows


def test_seeded() -> None:
    np.testing.assert_array_equal(repeated_segments(5, 4, 3, seed=2),
                                  repeated_segments(5, 4, 3, seed=2))
    assert not np.array_equal(repeated_segments(5, 4, 3, seed=2),
                              repeated_segments(5, 4, 3, seed=3))


def test_bad_sizes() -> None:
    with pytest.raises(ValueError):
        repeated_segments(5, 0, 3)
    with pytest.raises(ValueError):
        repeated_segments(5, 4, 1)
