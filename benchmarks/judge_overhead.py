"""Judge overhead: an assignment's graded suite through the sandbox vs in local mode, same code.

Usage: python benchmarks/judge_overhead.py [ASSIGNMENT_ID] [--repeat N]
Prints both wall times, their ratio (target <= 1.3), and the median time to start a test's
sandbox worker (fork from the warm process + first call; target < 50 ms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder import assignment as assignment_mod
from autograder.authoring.selfcheck import _module_copy
from autograder.grading.judge import run_hidden_tests
from autograder.sandbox.launcher import Sandbox
from autograder.sandbox.proxy import Connection, SubmissionProxy


def suite_seconds(spec: assignment_mod.Assignment, submission: Path, mode: str) -> float:
    report = run_hidden_tests(spec, submission, mode=mode)
    if report.error or not all(o.passed for o in report.outcomes):
        raise SystemExit(f"{mode} run did not pass: {report.error}")
    return report.seconds


def worker_start_ms(spec: assignment_mod.Assignment, submission: Path, n: int = 50
                    ) -> list[float]:
    times = []
    with Sandbox(submission, modules=spec.modules, blocked={}, limits=spec.limits,
                 log_path=Path(tempfile.gettempdir()) / "bench-sandbox.log") as sandbox:
        for _ in range(n):
            start = time.perf_counter()
            worker = sandbox.open_worker()
            proxy = SubmissionProxy(Connection(worker), spec.modules)
            getattr(proxy, spec.modules[0])  # first round trip: the worker is serving
            times.append((time.perf_counter() - start) * 1000)
            worker.end()
        print(f"isolation: {sandbox.isolation}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("assignment", nargs="?", default="a01_foundations")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spec = assignment_mod.load(args.assignment)
    np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        submission = _module_copy(spec.root, spec.modules, Path(tmp) / "solution")
        local, sandbox = [], []
        for _ in range(args.repeat):  # interleaved, so machine noise hits both alike
            local.append(suite_seconds(spec, submission, "local"))
            sandbox.append(suite_seconds(spec, submission, "sandbox"))
        starts = worker_start_ms(spec, submission)
    best_local, best_sandbox = min(local), min(sandbox)
    print(f"graded suite of {args.assignment}, best of {args.repeat} (wall s, incl. pytest start)")
    print(f"  local mode : {best_local:.2f} s   all: {[round(x, 2) for x in local]}")
    print(f"  sandbox    : {best_sandbox:.2f} s   all: {[round(x, 2) for x in sandbox]}")
    print(f"  ratio sandbox/local: {best_sandbox / best_local:.2f}x (target <= 1.3x)")
    print(f"worker start (fork + first call), {len(starts)} runs: median "
          f"{statistics.median(starts):.1f} ms, p90 {sorted(starts)[int(len(starts) * .9)]:.1f}"
          " ms (target < 50 ms)")


if __name__ == "__main__":
    main()
