"""What the graded-test fixtures share in one pytest session: the assignment, the reference
solution, and the sandbox of the submission under test (started once, forked per test)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder import assignment as assignment_mod
from autograder.assignment import Assignment
from autograder.errors import SandboxCrashed
from autograder.sandbox.launcher import NUMPY_ONLY, WITH_TORCH, Sandbox, Worker, worker_for
from autograder.sandbox.local import LocalChannel, LocalDispatcher
from autograder.sandbox.proxy import Channel, Connection, SubmissionProxy
from autograder.sandbox.static_checks import blocked_modules


class GradingSession:
    def __init__(self, submission: Path | None, *, mode: str, isolation: str,
                 log: Path | None) -> None:
        self.submission = submission.resolve() if submission else None
        self.mode = mode
        self.isolation = isolation
        self.log = log
        self.assignments: dict[Path, Assignment] = {}
        self.sandboxes: dict[Path, Sandbox] = {}
        self.failed_starts: dict[Path, SandboxCrashed] = {}
        self.import_failures: dict[str, str] = {}  # module -> why its import never finished

    @classmethod
    def from_config(cls, config: pytest.Config) -> GradingSession:
        submission = config.getoption("--ag-submission")
        mode = config.getoption("--ag-mode") or ("sandbox" if submission else "local")
        log = config.getoption("--ag-log")
        return cls(Path(submission) if submission else None, mode=mode,
                   isolation=config.getoption("--ag-isolation"), log=Path(log) if log else None)

    def assignment(self, test_path: Path) -> Assignment:
        root = assignment_mod.find_root(test_path.parent)
        if root not in self.assignments:
            self.assignments[root] = Assignment.load(root)
        return self.assignments[root]

    def reference(self, test_path: Path) -> SimpleNamespace:
        spec = self.assignment(test_path)
        if str(spec.root) not in sys.path:
            sys.path.insert(0, str(spec.root))
        return SimpleNamespace(**{m: importlib.import_module(m) for m in spec.modules})

    @contextmanager
    def student(self, test_path: Path) -> Iterator[SubmissionProxy]:
        spec = self.assignment(test_path)
        submission = self.submission or spec.root
        if self.mode == "local":
            blocked = blocked_modules(spec, submission)
            channel: Channel = LocalChannel(LocalDispatcher(submission, spec.modules, blocked))
            yield SubmissionProxy(Connection(channel), spec.modules)
            return
        with worker_for(self._open_worker(spec, submission)) as worker:
            yield SubmissionProxy(Connection(worker), spec.modules, self.import_failures)

    def _open_worker(self, spec: Assignment, submission: Path) -> Worker:
        sandbox = self._sandbox(spec, submission)
        try:
            return sandbox.open_worker()
        except SandboxCrashed:  # killed by an earlier test's code and not noticed yet: restart
            sandbox.close()
            del self.sandboxes[spec.root]
            return self._sandbox(spec, submission).open_worker()

    def prelaunch(self, test_path: Path) -> None:
        """Start the submission's warm process now, so that its numpy/torch imports run while
        pytest collects (and imports) the graded tests."""
        if self.mode != "sandbox" or self.submission is None:
            return
        spec = self.assignment(test_path)
        if spec.root not in self.sandboxes:
            sandbox = self._new_sandbox(spec, self.submission)
            sandbox.launch()
            self.sandboxes[spec.root] = sandbox

    def _new_sandbox(self, spec: Assignment, submission: Path) -> Sandbox:
        log = self.log or Path(f"/tmp/autograder-sandbox-{spec.id}.log")
        # An assignment that forbids torch (a01: numpy only) does not pay for importing it.
        warm = (NUMPY_ONLY if "torch" in spec.forbidden_imports else WITH_TORCH) + tuple(
            spec.sandbox_imports)
        return Sandbox(submission, modules=spec.modules,
                       blocked=blocked_modules(spec, submission), limits=spec.limits,
                       log_path=log, isolation=self.isolation, warm_imports=warm)

    def _sandbox(self, spec: Assignment, submission: Path) -> Sandbox:
        if spec.root in self.failed_starts:
            raise self.failed_starts[spec.root]
        current = self.sandboxes.get(spec.root)
        if current is not None and current.process is not None and not current.alive():
            current.close()  # student code killed the warm process: the next test gets a new one
            del self.sandboxes[spec.root]
        if spec.root not in self.sandboxes:
            sandbox = self._new_sandbox(spec, submission)
            self.sandboxes[spec.root] = sandbox
            sandbox.launch()
        sandbox = self.sandboxes[spec.root]
        try:
            sandbox.wait_ready()
        except SandboxCrashed as err:
            self.failed_starts[spec.root] = err
            raise
        return sandbox

    def isolation_used(self) -> str:
        """'bwrap' or 'process' for sandboxed runs, 'local' for in-process ones."""
        if self.mode == "local":
            return "local"
        kinds = {s.isolation for s in self.sandboxes.values()}
        return kinds.pop() if len(kinds) == 1 else "none"

    def close(self) -> None:
        for sandbox in self.sandboxes.values():
            sandbox.close()
        self.sandboxes.clear()
