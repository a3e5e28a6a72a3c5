"""Runs an assignment's graded tests on one submission in a trusted pytest process.

The pytest process is a child of the caller, so a bug or a crash there cannot take a batch down;
it never imports student code (that runs in the sandbox the plugin starts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.assignment import Assignment
from autograder.grading.judge_server import JudgeServer, die_with_parent
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
                     stop_at_first_failure: bool = False,
                     server: JudgeServer | None = None) -> JudgeReport:
    """Grade `submission` (None: the solution itself) with the hidden tests of `assignment`
    (only `tests`, node ids relative to the assignment folder, when given): in a fork of the
    warm `server` when given, else in a new `python -m pytest` process."""
    with tempfile.TemporaryDirectory(prefix="autograder-judge-") as tmp:
        results = Path(tmp) / "outcomes.json"
        targets = [str(assignment.root / t) for t in tests] if tests else (
            part_files(assignment, parts) if parts else [str(assignment.hidden_dir)])
        # no:unraisableexception: its clean-up runs gc.collect twice a session, 0.36 s each
        # in a judge with torch loaded, for warnings nobody reads in grading
        args = [*targets, "-q",
                   "--assert=plain", "-p", "no:cacheprovider", "-p", "no:unraisableexception",
                   "--no-header", "-o",
                   "addopts=", f"--rootdir={assignment.root}", f"--ag-mode={mode}",
                   f"--ag-isolation={isolation}", f"--ag-device={device}",
                   f"--ag-results={results}", f"--ag-log={log or Path(tmp) / 'sandbox.log'}"]
        if submission is not None:
            args.append(f"--ag-submission={submission}")
        if parts:
            args.append(f"--ag-parts={','.join(parts)}")
        if stop_at_first_failure:
            args.append("--exitfirst")
        budget = suite_budget(assignment)
        args.append(f"--ag-budget={budget}")
        # The plugin fails the tests that would start after the budget; this hard stop (or
        # `timeout`) only catches a test that overruns it, plus start-up.
        hard_stop = timeout or budget + assignment.limits.test_seconds + 60.0
        start = time.monotonic()
        env = judge_env()
        output = Path(tmp) / "pytest-output.txt"
        if server is not None:
            ended = server.run(args, cwd=assignment.root, env=env, output=output,
                               timeout=hard_stop, imports=assignment.judge_imports)
        else:
            ended = _run_cold(args, cwd=assignment.root, env=env, output=output,
                              timeout=hard_stop)
        seconds = time.monotonic() - start
        if ended is None:  # past the budget and the running test's own limit: keep what ran
            done = _outcomes(results)
            return JudgeReport(done, "none", seconds, f"grading stopped after {hard_stop:.0f} s "
                               f"(the submission's budget is {budget:.0f} s)")
        data = json.loads(results.read_text()) if results.is_file() else {}
        if data.get("complete") is not True:
            tail = output.read_text(errors="replace")[-2000:] if output.is_file() else ""
            return JudgeReport(_outcomes(results), "none", seconds,
                               f"the judge failed ({ended}):\n{tail}")
        return JudgeReport(_outcomes(results), str(data["isolation"]), seconds,
                           imported_from_submission=tuple(data["imported_from_submission"]))


def part_files(assignment: Assignment, parts: list[str]) -> list[str]:
    """The graded test files that declare a test of one of `parts` (`@part("name")`), so that
    grading one part does not import every other part's test module and its data (a02's
    training tests alone import scikit-learn: 2 s of a 3 s run). The plugin's --ag-parts still
    deselects the other parts' tests in these files. All files when none matches by text."""
    markers = [f'@part("{p}")' for p in parts] + [f"@part('{p}')" for p in parts]
    files = sorted(assignment.hidden_dir.glob("test_*.py"))
    texts = {f: f.read_text() for f in files}  # each file read once
    wanted = [str(f) for f in files if any(m in texts[f] for m in markers)]
    return wanted or [str(assignment.hidden_dir)]


def judge_env() -> dict[str, str]:
    # One thread for the judge too: sandboxed code runs single-threaded (so parallel workers
    # do not oversubscribe the machine), and local mode must match it.
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def _run_cold(args: list[str], *, cwd: Path, env: dict[str, str], output: Path,
              timeout: float) -> dict[str, int] | None:
    """`python -m pytest args` in a new process; how it ended, or None past `timeout`."""
    with open(output, "wb") as out:
        try:
            run = subprocess.run([sys.executable, "-m", "pytest", *args], stdout=out,
                                 stderr=subprocess.STDOUT, timeout=timeout, cwd=cwd, env=env,
                                 preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired:
            return None
    return {"exit_code": run.returncode}


def _outcomes(results: Path) -> list[Outcome]:
    """The outcomes the plugin wrote (it rewrites the file after every test)."""
    try:
        return [Outcome.from_json(o) for o in json.loads(results.read_text())["outcomes"]]
    except (OSError, ValueError, KeyError):
        return []


def suite_budget(assignment: Assignment) -> float:
    """The wall-clock budget of one submission's graded suite: assignment.toml's
    [limits] suite_seconds, or else every test at its full limit plus start-up. Tests that
    would start after it fail at once; the judge itself is stopped one test limit later."""
    if assignment.suite_seconds > 0:
        return assignment.suite_seconds
    tests = sum(p.read_text().count("@points(") for p in assignment.hidden_dir.glob("test_*.py"))
    return 120.0 + max(tests, 1) * assignment.limits.test_seconds
