"""Runs an assignment's graded tests on one submission in a trusted pytest process.

The pytest process is a child of the caller, so a bug or a crash there cannot take a batch down;
it never imports student code (that runs in the sandbox the plugin starts).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.assignment import Assignment
from autograder.testing.outcomes import Outcome


@dataclass(frozen=True)
class JudgeReport:
    outcomes: list[Outcome]
    isolation: str
    seconds: float
    error: str = ""  # set when the judge itself could not finish
    imported_from_submission: tuple[str, ...] = ()  # must stay empty: proof of separation


def run_hidden_tests(assignment: Assignment, submission: Path | None, *, mode: str = "sandbox",
                     isolation: str = "auto", device: str = "cpu",
                     parts: list[str] | None = None, tests: list[str] | None = None,
                     log: Path | None = None, timeout: float | None = None,
                     stop_at_first_failure: bool = False) -> JudgeReport:
    """Grade `submission` (None: the solution itself) with the hidden tests of `assignment`
    (only `tests`, node ids relative to the assignment folder, when given)."""
    with tempfile.TemporaryDirectory(prefix="autograder-judge-") as tmp:
        results = Path(tmp) / "outcomes.json"
        targets = [str(assignment.root / t) for t in tests] if tests else [
            str(assignment.hidden_dir)]
        command = [sys.executable, "-m", "pytest", *targets, "-q",
                   "--assert=plain", "-p", "no:cacheprovider", "--no-header", "-o",
                   "addopts=", f"--rootdir={assignment.root}", f"--ag-mode={mode}",
                   f"--ag-isolation={isolation}", f"--ag-device={device}",
                   f"--ag-results={results}", f"--ag-log={log or Path(tmp) / 'sandbox.log'}"]
        if submission is not None:
            command.append(f"--ag-submission={submission}")
        if parts:
            command.append(f"--ag-parts={','.join(parts)}")
        if stop_at_first_failure:
            command.append("--exitfirst")
        budget = timeout or _suite_budget(assignment)
        start = time.monotonic()
        # One thread for the judge too: sandboxed code runs single-threaded (so parallel workers
        # do not oversubscribe the machine), and local mode must match it.
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=budget,
                                 cwd=assignment.root, env=env, preexec_fn=_die_with_parent)
        except subprocess.TimeoutExpired:
            return JudgeReport([], "none", time.monotonic() - start,
                               f"grading stopped after {budget:.0f} s")
        seconds = time.monotonic() - start
        if not results.is_file():
            tail = (run.stdout + run.stderr)[-2000:]
            return JudgeReport([], "none", seconds, f"the judge failed (exit {run.returncode}):"
                                                    f"\n{tail}")
        data = json.loads(results.read_text())
        return JudgeReport([Outcome.from_json(o) for o in data["outcomes"]],
                           str(data["isolation"]), seconds,
                           imported_from_submission=tuple(data["imported_from_submission"]))


def _die_with_parent() -> None:
    """In the judge's child: get SIGKILL when the grading process dies (a killed batch must
    not leave judges running), via prctl(PR_SET_PDEATHSIG)."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _suite_budget(assignment: Assignment) -> float:
    """A wall-clock cap for the whole suite: every test may use its full limit, plus start-up."""
    tests = sum(p.read_text().count("@points(") for p in assignment.hidden_dir.glob("test_*.py"))
    return 120.0 + max(tests, 1) * assignment.limits.test_seconds
