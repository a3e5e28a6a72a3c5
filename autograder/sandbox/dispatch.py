"""The student side of the proxy: keeps student objects, runs the calls the judge asks for.

This runs inside the sandbox worker (or in-process in local mode). Requests and replies are
wire trees; objects that are not data stay here in a table and cross as handle ids.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import traceback
from pathlib import Path
from typing import Any

from autograder.errors import DataOnlyError
from autograder.sandbox import wire

LIBRARY_PREFIX = "dnn."  # graded tests may call these library modules inside the sandbox
MAX_MESSAGE_CHARS = 2000
MAX_FRAMES = 12


class Dispatcher:
    """Runs requests (import, getattr, setattr, call, getitem, len) on student objects."""

    def __init__(self, submission: Path, modules: list[str], blocked: dict[str, str]) -> None:
        self.submission = submission.resolve()
        self.modules = set(modules)
        self.blocked = blocked  # module name -> why it may not be imported (static checks)
        self.objects: dict[int, Any] = {}

    def to_handle(self, obj: Any) -> wire.HandleRef:
        self.objects[id(obj)] = obj  # keeps obj alive for as long as this worker lives
        return wire.HandleRef(id(obj), type(obj).__name__)

    def from_handle(self, ref: wire.HandleRef) -> Any:
        if ref.id not in self.objects:
            raise DataOnlyError(f"unknown handle {ref.id}")
        return self.objects[ref.id]

    def handle(self, tree: Any, buffers: list[bytes]) -> tuple[Any, list[bytes]]:
        """Answer one request: {"ok": result} or {"error": {type, message, frames}}."""
        try:
            request = wire.decode(tree, buffers, self.from_handle)
            result = self.run(request)
        except BaseException as err:  # the student's own exceptions, SystemExit included
            return self.error_reply(err)
        try:
            body, out = wire.encode(result, self.to_handle)
        except BaseException as err:
            return self.error_reply(err)
        return {"ok": body}, out

    def run(self, request: dict[str, Any]) -> Any:
        op = request["op"]
        if op == "import":
            return self.import_module(str(request["module"]))
        target = request["target"]  # decoding already turned the handle into the object
        if op == "getattr":
            return getattr(target, str(request["name"]))
        if op == "setattr":
            setattr(target, str(request["name"]), request["value"])
            return None
        if op == "call":
            return target(*request["args"], **request["kwargs"])
        if op == "watch":
            return self.watch(target, request["args"], request["kwargs"])
        if op == "getitem":
            return target[request["key"]]
        if op == "len":
            return len(target)
        raise DataOnlyError(f"unknown operation {op!r}")

    def watch(self, target: Any, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Call `target` and send back its result and its arguments as they are afterwards, so
        the judge can compare them with what it sent (in-place changes). The judge decides what
        changed; `names` (the parameters the positional arguments bind to) only label it."""
        result = target(*args, **kwargs)
        return {"result": result, "args": args, "kwargs": kwargs,
                "names": _parameter_names(target, len(args))}

    def import_module(self, name: str) -> Any:
        self.check_importable(name)
        if name.startswith(LIBRARY_PREFIX):
            return importlib.import_module(name)
        if str(self.submission) not in sys.path:
            sys.path.insert(0, str(self.submission))
        return importlib.import_module(name)

    def check_importable(self, name: str) -> None:
        if name.startswith(LIBRARY_PREFIX) and name.replace(".", "").isidentifier():
            return  # the course's own library, installed read-only in the sandbox
        if name not in self.modules:
            raise ImportError(f"{name} is not a module of this assignment")
        if name in self.blocked:
            raise ImportError(self.blocked[name])
        if not (self.submission / f"{name}.py").is_file():
            raise ModuleNotFoundError(f"your submission has no {name}.py")

    def error_reply(self, err: BaseException) -> tuple[Any, list[bytes]]:
        return {"error": {
            "type": type(err).__name__,
            "message": _safe_str(err)[:MAX_MESSAGE_CHARS],
            "frames": self.student_frames(err),
        }}, []

    def student_frames(self, err: BaseException) -> str:
        """The traceback lines that point into the submission, and no others."""
        frames = [f for f in traceback.extract_tb(err.__traceback__)
                  if _is_under(f.filename, self.submission)]
        if isinstance(err, SyntaxError) and err.filename and _is_under(err.filename,
                                                                      self.submission):
            return f'  File "{Path(err.filename).name}", line {err.lineno}\n    {err.text or ""}'
        lines = [f'  File "{Path(f.filename).name}", line {f.lineno}, in {f.name}\n'
                 f"    {(f.line or '').strip()}" for f in frames[-MAX_FRAMES:]]
        return "\n".join(lines)


def _parameter_names(target: Any, count: int) -> list[str]:
    """Names of the parameters that `count` positional arguments bind to (args[i] otherwise)."""
    names = [f"args[{i}]" for i in range(count)]
    try:
        params = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return names
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for i, param in enumerate(positional[:count]):
        names[i] = param.name
    return names


def _is_under(filename: str, folder: Path) -> bool:
    if not filename.startswith("/"):  # "<frozen importlib._bootstrap>", "<string>"
        return False
    try:
        return Path(filename).resolve().is_relative_to(folder)
    except (OSError, ValueError):
        return False


def _safe_str(err: BaseException) -> str:
    try:
        return str(err)
    except BaseException:  # a student exception whose __str__ raises
        return "<message could not be read>"
