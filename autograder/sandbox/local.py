"""Local mode: the student side runs in the judge's own process, with the data-only rule kept.

For instructors writing tests (`pytest solutions/ID/hidden` grades the solution in seconds) and
for comparing the sandbox's overhead. Never use it for untrusted submissions.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from autograder.sandbox.dispatch import LIBRARY_PREFIX, Dispatcher


class LocalDispatcher(Dispatcher):
    """Imports the submission's modules without disturbing same-named modules already loaded
    (the reference solution's), so sibling imports inside the submission resolve to itself."""

    def __init__(self, submission: Path, modules: list[str], blocked: dict[str, str]) -> None:
        super().__init__(submission, modules, blocked)
        self.loaded: dict[str, ModuleType | BaseException] | None = None

    def import_module(self, name: str) -> Any:
        self.check_importable(name)
        if name.startswith(LIBRARY_PREFIX):
            return importlib.import_module(name)
        if self.loaded is None:
            self.loaded = self._import_all()
        module = self.loaded[name]
        if isinstance(module, BaseException):
            raise module
        return module

    def _import_all(self) -> dict[str, ModuleType | BaseException]:
        names = [m for m in self.modules if (self.submission / f"{m}.py").is_file()]
        saved = {m: sys.modules.pop(m) for m in names if m in sys.modules}
        sys.path.insert(0, str(self.submission))
        loaded: dict[str, ModuleType | BaseException] = {}
        try:
            for name in names:
                try:
                    loaded[name] = importlib.import_module(name)
                except Exception as err:
                    loaded[name] = err
        finally:
            sys.path.remove(str(self.submission))
            for name in names:
                sys.modules.pop(name, None)
            sys.modules.update(saved)
        return loaded


class LocalChannel:
    """A `Channel` that hands the encoded request straight to an in-process dispatcher."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def request(self, tree: Any, buffers: list[bytes], *, label: str) -> tuple[Any, list[bytes]]:
        return self.dispatcher.handle(tree, buffers)
