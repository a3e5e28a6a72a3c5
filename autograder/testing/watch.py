"""`watch_call`: which array and tensor arguments a student's call changed in place.

Arguments are copied into the sandbox, so an in-place change there is invisible to the test
unless the arguments come back. The sandbox sends them back after the call; the comparison with
what the judge sent happens here, in the trusted process, so student code cannot hide a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.errors import DataOnlyError
from autograder.sandbox.proxy import Handle


@dataclass(frozen=True)
class WatchedCall:
    result: Any  # what the call returned
    changed: list[str] = field(default_factory=list)  # names of arguments changed in place
    after: dict[str, Any] = field(default_factory=dict)  # argument name -> value after the call


def watch_call(function: Handle, *args: Any, **kwargs: Any) -> WatchedCall:
    """Call a student function or method (a handle) like `function(*args, **kwargs)` and report
    which array or tensor arguments (also inside lists, tuples and dicts) it modified."""
    if not isinstance(function, Handle):
        raise TypeError("watch_call needs a student function or method, e.g. student.mod.fn")
    ask = object.__getattribute__(function, "_ask")
    label = object.__getattribute__(function, "_label")
    reply = ask({"op": "watch", "args": list(args), "kwargs": kwargs}, f"{label}(...)")
    if type(reply) is not dict or not {"result", "args", "kwargs", "names"} <= set(reply):
        raise DataOnlyError("malformed reply to a watched call")
    names = [str(n) for n in reply["names"]][:len(args)]
    names += [f"args[{i}]" for i in range(len(names), len(args))]
    sent = {**dict(zip(names, args, strict=True)), **kwargs}
    back_args = list(reply["args"])
    back = {**dict(zip(names, back_args, strict=False)), **dict(reply["kwargs"])}
    changed = [name for name, value in sent.items()
               if any(_differs(a, b) for a, b in _pairs(value, back.get(name), name))]
    return WatchedCall(reply["result"], changed, {n: back.get(n) for n in sent})


def _pairs(before: Any, after: Any, path: str) -> Iterator[tuple[Any, Any]]:
    """(sent, returned) pairs of every array or tensor leaf of one argument."""
    if isinstance(before, list | tuple):
        after_items = list(after) if isinstance(after, list | tuple) else []
        for i, item in enumerate(before):
            yield from _pairs(item, after_items[i] if i < len(after_items) else None,
                              f"{path}[{i}]")
    elif isinstance(before, dict):
        after_map = after if isinstance(after, dict) else {}
        for key, item in before.items():
            yield from _pairs(item, after_map.get(key), f"{path}[{key!r}]")
    elif isinstance(before, np.ndarray) or type(before).__module__.startswith("torch"):
        yield before, after


def _differs(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return True
        return not np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
    import torch

    if not isinstance(after, torch.Tensor) or after.shape != before.shape:
        return True
    a, b = before.detach().cpu(), after.detach().cpu()
    if a.dtype != b.dtype:
        return True
    if a.is_floating_point() or a.is_complex():
        return not (torch.equal(a.isnan(), b.isnan())
                    and torch.equal(torch.nan_to_num(a), torch.nan_to_num(b)))
    return not torch.equal(a, b)
