"""The judge's side of the proxy: `student.<module>.<name>(...)` as data-only requests.

Everything a graded test gets back is plain data or a `Handle` to an object that stays with the
student's code. Nothing here imports, unpickles or evaluates student code.
"""

from __future__ import annotations

from typing import Any, Protocol

from autograder.errors import CallTimeout, DataOnlyError, StudentError
from autograder.sandbox import wire


class Channel(Protocol):
    """Carries one request to the student side and brings back its reply."""

    def request(self, tree: Any, buffers: list[bytes], *, label: str) -> tuple[Any, list[bytes]]:
        ...


class Connection:
    """Encodes requests, decodes replies, turns student exceptions into `StudentError`."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def ask(self, request: dict[str, Any], label: str) -> Any:
        tree, buffers = wire.encode(request, _handle_ref)
        reply, reply_buffers = self.channel.request(tree, buffers, label=label)
        if type(reply) is not dict:
            raise DataOnlyError("malformed reply from the sandbox")
        if "error" in reply:
            error = reply["error"]
            raise StudentError(str(error.get("type", "Exception")), str(error.get("message", "")),
                               str(error.get("frames", "")))
        return wire.decode(reply.get("ok"), reply_buffers,
                           lambda ref: Handle(self, ref, f"{label}"))


def _handle_ref(value: Any) -> wire.HandleRef:
    if isinstance(value, Handle):
        return object.__getattribute__(value, "_ref")
    raise DataOnlyError(
        f"a {type(value).__name__} cannot be sent to student code: send data (arrays, tensors, "
        "numbers, strings, lists, tuples, dicts) or handles it returned")


class Handle:
    """An object that lives with the student's code; attribute access and calls are proxied."""

    __slots__ = ("_conn", "_ref", "_label")

    def __init__(self, conn: Connection, ref: wire.HandleRef, label: str) -> None:
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_label", label)

    def _ask(self, request: dict[str, Any], label: str) -> Any:
        conn: Connection = object.__getattribute__(self, "_conn")
        return conn.ask({**request, "target": self}, label)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # Python's own protocol lookups never reach the student
        return self._ask({"op": "getattr", "name": name},
                         f"{object.__getattribute__(self, '_label')}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        self._ask({"op": "setattr", "name": name, "value": value},
                  f"{object.__getattribute__(self, '_label')}.{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ask({"op": "call", "args": list(args), "kwargs": kwargs},
                         f"{object.__getattribute__(self, '_label')}(...)")

    def __getitem__(self, key: Any) -> Any:
        return self._ask({"op": "getitem", "key": key},
                         f"{object.__getattribute__(self, '_label')}[...]")

    def __len__(self) -> int:
        n = self._ask({"op": "len"}, f"len({object.__getattribute__(self, '_label')})")
        if type(n) is not int:
            raise DataOnlyError("len() of a student object did not return an int")
        return n

    def __repr__(self) -> str:
        ref = object.__getattribute__(self, "_ref")
        return f"<student {ref.type_name}: {object.__getattribute__(self, '_label')}>"


class SubmissionProxy:
    """The `student` fixture: `student.layers` is a handle on the submission's layers module."""

    def __init__(self, conn: Connection, modules: list[str],
                 import_failures: dict[str, str] | None = None) -> None:
        self._conn = conn
        self._modules = modules
        self._loaded: dict[str, Handle] = {}
        # module -> why its import never finished, shared by every test of one submission:
        # a module whose import hangs costs one call limit, not one per test.
        self._import_failures = import_failures if import_failures is not None else {}

    def lib(self, name: str) -> Handle:
        """A module of the course library (`dnn.*`) imported next to the student's code, for
        work that must happen there, e.g. `student.lib("dnn.autograd").gradients(net, ...)`."""
        if not name.startswith("dnn."):
            raise AttributeError(f"only dnn.* library modules can be reached, not {name!r}")
        return self._load(name)

    def _load(self, name: str) -> Handle:
        if name in self._import_failures:
            raise StudentError("ImportTimeout", self._import_failures[name])
        if name not in self._loaded:
            try:
                module = self._conn.ask({"op": "import", "module": name}, name)
            except CallTimeout as err:
                self._import_failures[name] = (
                    f"importing {name}.py did not finish ({err}), so every test that needs "
                    f"{name} fails. Code at the top level of a module runs on import: move "
                    "experiments, training, loops and input() into functions, or under "
                    "`if __name__ == \"__main__\":`")
                raise StudentError("ImportTimeout", self._import_failures[name]) from None
            if not isinstance(module, Handle):
                raise DataOnlyError(f"module {name} came back as data")
            object.__setattr__(module, "_label", name)
            self._loaded[name] = module
        return self._loaded[name]

    def __getattr__(self, name: str) -> Handle:
        if name.startswith("_") or name not in self._modules:
            raise AttributeError(f"the assignment has no module {name!r}")
        return self._load(name)
