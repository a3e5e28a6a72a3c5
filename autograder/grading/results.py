"""Result files: Gradescope-compatible results.json per submission, a CSV and a table per batch.

Every file is written atomically (a temporary file renamed into place), so a killed batch never
leaves a half-written result behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

from autograder.assignment import Assignment
from autograder.grading.scoring import Score
from autograder.testing.outcomes import Outcome

# What each isolation without bubblewrap protects, in every result it produced.
ISOLATION_NOTES = {
    "uid": ("NOTE: graded without bubblewrap (this host cannot create namespaces): the "
            "submission ran as an unprivileged user of its own, with no network, so it could "
            "not read the hidden tests, the solutions or other submissions, nor change the "
            "grader or its results; it could read the host's world-readable files and leave "
            "files in /tmp while it ran (removed afterwards)."),
    "process": ("WARNING: graded without isolation (a plain subprocess as the grader's own "
                "user): the submission could read the hidden tests and solutions and change "
                "the grader's files; this score does not hold against a dishonest submission."),
}


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def versions() -> dict[str, str]:
    import numpy

    found = {"python": platform.python_version(), "numpy": numpy.__version__}
    try:
        from importlib.metadata import version

        found["torch"] = version("torch")
    except Exception:
        pass
    return found


def _test_entry(outcome: Outcome) -> dict[str, Any]:
    output = outcome.doc if outcome.passed else f"{outcome.doc}\n{outcome.feedback}".strip()
    return {"name": outcome.name, "score": outcome.max_points if outcome.passed else 0.0,
            "max_score": outcome.max_points, "output": output, "visibility": "visible",
            "tags": [outcome.part], "status": "passed" if outcome.passed else "failed"}


def build_result(assignment: Assignment, student: str, score: Score, outcomes: list[Outcome],
                 *, isolation: str, notes: list[str], error: str, durations: dict[str, float]
                 ) -> dict[str, Any]:
    """The results.json document: Gradescope's fields first, then the project's own."""
    messages = list(notes)
    if error:
        messages.append(error)
    if isolation in ISOLATION_NOTES:
        messages.append(ISOLATION_NOTES[isolation])
    return {
        "score": score.total,
        "max_score": score.max_total,
        "execution_time": round(sum(durations.values()), 3),
        "output": "\n".join(messages),
        "visibility": "visible",
        "tests": [_test_entry(o) for o in outcomes],
        "assignment": assignment.id,
        "student": student,
        "status": "error" if error else "graded",
        "error": error.strip().splitlines()[0] if error.strip() else "",
        "parts": {p: {"score": score.parts[p], "max_score": score.part_max[p]}
                  for p in score.parts},
        "isolation": isolation,
        "versions": versions(),
        "durations": {k: round(v, 3) for k, v in durations.items()},
    }


def write_csv(path: Path, assignment: Assignment, results: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    parts = list(assignment.parts)
    writer.writerow(["student", *parts, "raw_total", "late_penalty", "total", "max_score",
                     "status"])
    for r in sorted(results, key=lambda r: r["student"]):
        writer.writerow([r["student"], *(r["parts"][p]["score"] for p in parts),
                         r.get("raw_score", r["score"]), r.get("late", {}).get("penalty", 0.0),
                         r["score"], r["max_score"], r["status"]])
    write_atomic(path, buffer.getvalue())


def table(assignment: Assignment, results: list[dict[str, Any]]) -> str:
    """A plain-text score table for the terminal."""
    parts = list(assignment.parts)
    header = ["student", *parts, "total", "isolation", "status"]
    rows = [[r["student"], *(f"{r['parts'][p]['score']:g}" for p in parts),
             f"{r['score']:g}/{r['max_score']:g}", r["isolation"], r["status"]]
            for r in sorted(results, key=lambda r: r["student"])]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
             for row in [header, *rows]]
    return "\n".join(lines)


def load(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    except (OSError, ValueError):
        return None
