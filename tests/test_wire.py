"""The data-only wire format: round trips, refusals, and malformed input."""

import socket

import numpy as np
import pytest
import torch

from autograder.errors import DataOnlyError
from autograder.sandbox import wire


def roundtrip(value, to_handle=None):
    tree, buffers = wire.encode(value, to_handle)
    return wire.decode(tree, buffers, lambda ref: ref)


@pytest.mark.parametrize("value", [None, True, 3, -2**70, 1.5, "text", b"\x00\xff", [1, [2]],
                                   (1, "a"), {"k": 1, 2: (3,)}, float("inf")])
def test_plain_data_round_trips(value) -> None:
    assert roundtrip(value) == value


def test_nan_round_trips() -> None:
    assert np.isnan(roundtrip(float("nan")))


def test_arrays_and_tensors_keep_dtype_shape_and_values() -> None:
    a = np.arange(12, dtype=np.int16).reshape(3, 4)[:, ::2]  # non-contiguous on purpose
    got = roundtrip(a)
    assert type(got) is np.ndarray and got.dtype == np.int16
    np.testing.assert_array_equal(got, a)
    t = torch.randn(2, 3, dtype=torch.float64)
    back = roundtrip(t)
    assert isinstance(back, torch.Tensor) and back.dtype == torch.float64
    assert torch.equal(back, t)
    bf = torch.randn(4).to(torch.bfloat16)
    assert torch.equal(roundtrip(bf), bf)


def test_zero_dimensional_arrays_and_tensors_keep_their_shape() -> None:
    assert roundtrip(np.array(2.5)).shape == ()
    assert roundtrip(torch.tensor(2.0)).shape == ()
    assert roundtrip(np.zeros((0, 3))).shape == (0, 3)


def test_numpy_scalars_become_python_numbers() -> None:
    assert type(roundtrip(np.float32(1.5))) is float
    assert type(roundtrip(np.int64(2))) is int


def test_array_subclasses_cross_as_plain_arrays() -> None:
    class Rigged(np.ndarray):
        def __eq__(self, other):
            return True

    rigged = np.zeros(3).view(Rigged)
    got = roundtrip(rigged)
    assert type(got) is np.ndarray and not (got == 1).any()


def test_objects_are_refused_without_a_handle_table() -> None:
    with pytest.raises(DataOnlyError, match="cannot cross"):
        wire.encode(object())
    with pytest.raises(DataOnlyError, match="numeric only"):
        wire.encode(np.array([object()]))


def test_objects_become_handles_with_a_handle_table() -> None:
    obj = object()
    tree, buffers = wire.encode({"x": obj}, lambda o: wire.HandleRef(7, type(o).__name__))
    got = wire.decode(tree, buffers, lambda ref: ("handle", ref.id))
    assert got == {"x": ("handle", 7)}


def test_cyclic_values_are_refused() -> None:
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(DataOnlyError, match="deeper"):
        wire.encode(cyclic)


@pytest.mark.parametrize("tree", [
    {"t": "nd", "b": 0, "dtype": "|O", "shape": [1]},
    {"t": "nd", "b": 0, "dtype": "<f8", "shape": [3]},
    {"t": "nd", "b": 5, "dtype": "<f8", "shape": [1]},
    {"t": "pickle", "v": "x"},
    {"not": "tagged"},
])
def test_malformed_trees_are_refused(tree) -> None:
    with pytest.raises(DataOnlyError):
        wire.decode(tree, [b"\x00" * 8], lambda ref: ref)


def test_frames_cross_a_socket() -> None:
    a, b = socket.socketpair()
    with a, b:
        tree, buffers = wire.encode({"x": np.ones(1000)})
        wire.send_message(a, tree, buffers)
        got = wire.decode(*wire.recv_message(b), lambda ref: ref)
    np.testing.assert_array_equal(got["x"], np.ones(1000))
