"""Wall times of CI's per-assignment work, for the budget table (benchmarks/ci_budget.py).

When AUTOGRADER_TIMINGS names a file, each command that works assignment by assignment appends
one line per assignment: stage, assignment id and seconds, tab-separated.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "AUTOGRADER_TIMINGS"


def record(stage: str, assignment_id: str, seconds: float) -> None:
    path = os.environ.get(ENV)
    if path:
        with Path(path).open("a") as out:
            out.write(f"{stage}\t{assignment_id}\t{seconds:.1f}\n")


@contextmanager
def timed(stage: str, assignment_id: str) -> Iterator[None]:
    start = time.monotonic()
    try:
        yield
    finally:
        record(stage, assignment_id, time.monotonic() - start)


def read(path: Path) -> list[tuple[str, str, float]]:
    rows = []
    for line in path.read_text().splitlines() if path.is_file() else []:
        stage, assignment_id, seconds = line.split("\t")
        rows.append((stage, assignment_id, float(seconds)))
    return rows
