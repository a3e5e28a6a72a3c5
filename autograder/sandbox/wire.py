"""The data-only wire format between the trusted judge and the sandbox: no pickle, ever.

A message is a JSON tree plus a list of raw buffers. Plain JSON carries None, bool, int, str and
lists; every other value is a tagged object (``{"t": tag, ...}``) so that decoding can never build
anything but the data types below:

    None, bool, int, float, str, bytes, numpy arrays (numeric dtypes), torch tensors,
    lists, tuples, dicts of these, and handles (ids of objects that stay in the sandbox).

Frame on a stream socket: 8-byte header length, the UTF-8 JSON header (``{"body": tree,
"sizes": [buffer byte counts]}``), then the buffers back to back.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.errors import DataOnlyError

MAX_DEPTH = 64
MAX_HEADER_BYTES = 64 * 2**20
MAX_MESSAGE_BYTES = 1 * 2**30
_NUMERIC_KINDS = "biufc"  # bool, int, uint, float, complex: never object, str or void dtypes


@dataclass(frozen=True)
class HandleRef:
    """A reference to an object that lives on the other side of the wire."""

    id: int
    type_name: str


def _torch() -> Any:
    import torch  # deferred: the trusted plugin must load fast in students' pytest runs

    return torch


class _Encoder:
    def __init__(self, to_handle: Callable[[Any], HandleRef] | None) -> None:
        self.buffers: list[bytes] = []
        self.total = 0
        self.to_handle = to_handle

    def buffer(self, data: bytes) -> int:
        self.total += len(data)
        if self.total > MAX_MESSAGE_BYTES:
            raise DataOnlyError(f"message larger than {MAX_MESSAGE_BYTES // 2**20} MiB")
        self.buffers.append(data)
        return len(self.buffers) - 1

    def array(self, a: np.ndarray) -> dict[str, Any]:
        # Subclasses (with rigged comparisons or anything else) cross as their plain buffer.
        # np.ascontiguousarray would turn a 0-d array into shape (1,): copy in C order instead.
        a = np.asarray(a).view(np.ndarray)
        if not a.flags.c_contiguous:
            a = a.copy(order="C")
        if a.dtype.kind not in _NUMERIC_KINDS:
            raise DataOnlyError(f"numpy arrays of dtype {a.dtype} cannot cross (numeric only)")
        return {"t": "nd", "b": self.buffer(a.tobytes()), "dtype": a.dtype.str, "shape": a.shape}

    def tensor(self, value: Any) -> dict[str, Any]:
        torch = _torch()
        t = torch.Tensor.detach(value).cpu().contiguous()
        device = str(value.device)
        if t.dtype == torch.bfloat16:  # numpy has no bfloat16: ship the raw 16-bit words
            raw = t.view(torch.int16).numpy()
            return {"t": "bf16", "b": self.buffer(raw.tobytes()), "shape": list(t.shape),
                    "device": device}
        node = self.array(t.numpy())
        node.update(t="tensor", device=device)
        return node

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise DataOnlyError(f"value nested deeper than {MAX_DEPTH} levels (or cyclic)")
        if value is None or isinstance(value, bool | str):
            return str(value) if isinstance(value, str) else value  # str() drops subclasses
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, float | np.floating):
            f = float(value)
            return f if math.isfinite(f) else {"t": "float", "v": repr(f)}
        if isinstance(value, bytes):
            return {"t": "bytes", "b": self.buffer(bytes(value))}
        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, HandleRef):
            return {"t": "handle", "id": value.id, "type": value.type_name}
        if _is_tensor(value):
            return self.tensor(value)
        if isinstance(value, list | tuple):
            items = [self.encode(v, depth + 1) for v in value]
            return items if isinstance(value, list) else {"t": "tuple", "v": items}
        if isinstance(value, dict):
            pairs = [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                     for k, v in dict.items(value)]
            return {"t": "dict", "v": pairs}
        if self.to_handle is None:
            raise DataOnlyError(
                f"a {type(value).__name__} object cannot cross: only data (None, bool, int, "
                "float, str, bytes, arrays, tensors, lists, tuples, dicts) or handles")
        return self.encode(self.to_handle(value), depth)


def _is_tensor(value: Any) -> bool:
    module = type(value).__module__
    if not module.startswith("torch"):
        mro = type(value).__mro__
        if not any(c.__module__.startswith("torch") for c in mro):
            return False
    return isinstance(value, _torch().Tensor)


def encode(value: Any, to_handle: Callable[[Any], HandleRef] | None = None
           ) -> tuple[Any, list[bytes]]:
    """Encode `value` as (JSON tree, buffers). Non-data goes through `to_handle`, or is refused."""
    encoder = _Encoder(to_handle)
    return encoder.encode(value), encoder.buffers


class _Decoder:
    def __init__(self, buffers: list[bytes], from_handle: Callable[[HandleRef], Any]) -> None:
        self.buffers = buffers
        self.from_handle = from_handle

    def buffer(self, node: dict[str, Any]) -> bytes:
        index = node.get("b")
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise DataOnlyError("malformed message: bad buffer index")
        return self.buffers[index]

    def array(self, node: dict[str, Any]) -> np.ndarray:
        dtype = np.dtype(str(node["dtype"]))
        shape = tuple(int(s) for s in node["shape"])
        if dtype.kind not in _NUMERIC_KINDS or any(s < 0 for s in shape):
            raise DataOnlyError("malformed message: bad array dtype or shape")
        data = self.buffer(node)
        if len(data) != math.prod(shape) * dtype.itemsize:
            raise DataOnlyError("malformed message: array size does not match its shape")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()

    def tensor(self, node: dict[str, Any]) -> Any:
        torch = _torch()
        if node["t"] == "bf16":
            words = self.array({"b": node["b"], "dtype": "<i2", "shape": node["shape"]})
            t = torch.from_numpy(words).view(torch.bfloat16)
        else:
            t = torch.from_numpy(self.array(node))
        device = str(node.get("device", "cpu"))
        if device != "cpu" and torch.cuda.is_available():
            t = t.to(device)
        return t

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise DataOnlyError("malformed message: nested too deep")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self.decode(v, depth + 1) for v in node]
        if type(node) is not dict:
            raise DataOnlyError("malformed message")
        tag = node.get("t")
        if tag == "float":
            return float(str(node["v"]))
        if tag == "bytes":
            return self.buffer(node)
        if tag == "nd":
            return self.array(node)
        if tag in ("tensor", "bf16"):
            return self.tensor(node)
        if tag == "tuple":
            return tuple(self.decode(v, depth + 1) for v in node["v"])
        if tag == "dict":
            return {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in node["v"]}
        if tag == "handle":
            return self.from_handle(HandleRef(int(node["id"]), str(node.get("type", "object"))))
        raise DataOnlyError(f"malformed message: unknown tag {tag!r}")


def decode(tree: Any, buffers: list[bytes], from_handle: Callable[[HandleRef], Any]) -> Any:
    """Rebuild data from (JSON tree, buffers); handle references go through `from_handle`."""
    try:
        return _Decoder(buffers, from_handle).decode(tree)
    except (KeyError, TypeError, ValueError) as err:
        raise DataOnlyError(f"malformed message: {err}") from None


def send_message(sock: socket.socket, tree: Any, buffers: list[bytes]) -> None:
    """Write one frame: header length, JSON header, buffers."""
    header = json.dumps({"body": tree, "sizes": [len(b) for b in buffers]},
                        allow_nan=False).encode()
    sock.sendall(struct.pack("<Q", len(header)) + header)
    for buf in buffers:
        sock.sendall(buf)


def _recv_exact(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        if deadline is not None:  # a deadline for the whole message, not for each recv
            sock.settimeout(max(deadline - time.monotonic(), 1e-3))
        chunk = sock.recv(min(n - len(chunks), 2**22))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks += chunk
    return bytes(chunks)


def recv_message(sock: socket.socket, deadline: float | None = None
                 ) -> tuple[Any, list[bytes]]:
    """Read one frame by `deadline` (time.monotonic; socket.timeout after it), refusing frames
    over the size limits before reading them."""
    (length,) = struct.unpack("<Q", _recv_exact(sock, 8, deadline))
    if length > MAX_HEADER_BYTES:
        raise DataOnlyError("message header too large")
    header = json.loads(_recv_exact(sock, length, deadline))
    sizes = header.get("sizes", [])
    if not all(type(s) is int and s >= 0 for s in sizes) or sum(sizes) > MAX_MESSAGE_BYTES:
        raise DataOnlyError(f"message larger than {MAX_MESSAGE_BYTES // 2**20} MiB")
    return header.get("body"), [_recv_exact(sock, s, deadline) for s in sizes]
