"""`autograder examples`: grade the bundled example submissions and check their expected scores.

The README's main job and CI's proof that every assignment grades as it should. One batch for
the whole course (one Dask cluster), so both cores stay busy across assignments. The perfect
example is the solution as a student submits it and the stub example is the released stub, so
"perfect scores full marks in every part" and "stub scores 0" are checked here too.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder import assignment as assignment_mod
from autograder.assignment import EXAMPLES, Assignment
from autograder.grading import results as results_mod
from autograder.grading.batch import Job, run_jobs
from autograder.grading.grade import grade_one
from autograder.grading.regrade import outcomes_of
from autograder.grading.scoring import points_by_part

DEFAULT_SELECTION = ("perfect", "partial", "stub")  # the main job's quick tour of each assignment


@dataclass
class ExamplesSummary:
    assignment: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0  # grading time of its submissions, summed

    @property
    def problems(self) -> list[str]:
        """Every score that is not the expected one, every grader error, and a perfect example
        short of full marks in any part."""
        found = []
        for name, result in sorted(self.results.items()):
            if result["status"] == "error":
                why = result.get("error") or "see its results.json"
                found.append(f"{self.assignment}/{name}: not graded: {why}")
            elif name not in self.expected:
                found.append(f"{self.assignment}/{name}: no score in expected_scores.toml")
            elif result["score"] != self.expected[name]:
                found.append(f"{self.assignment}/{name}: scored {result['score']:g}, expected "
                             f"{self.expected[name]:g}")
        perfect = self.results.get("perfect")
        if perfect and perfect["status"] == "graded":
            short = [p for p, s in perfect["parts"].items() if s["score"] != s["max_score"]]
            found += [f"{self.assignment}/perfect: part {p} is not full" for p in short]
            declared = points_by_part(outcomes_of(perfect))
            wanted = {p: s["max_score"] for p, s in perfect["parts"].items()}
            if declared != wanted:
                found.append(f"{self.assignment}: the graded tests declare {declared} points "
                             f"per part; assignment.toml says {wanted}")
        return found

    @property
    def mean(self) -> float:
        scores = [r["score"] for r in self.results.values()]
        return sum(scores) / len(scores) if scores else 0.0


def expected_scores(assignment_id: str, examples: Path = EXAMPLES) -> dict[str, float]:
    path = examples / assignment_id / "expected_scores.toml"
    if not path.is_file():
        return {}
    return {k: float(v) for k, v in tomllib.loads(path.read_text()).items()}


def select(assignment_id: str, every: bool, examples: Path = EXAMPLES) -> list[Path]:
    """The example folders to grade: all of them, or the default tour where it exists."""
    folders = sorted(p for p in (examples / assignment_id).iterdir() if p.is_dir())
    return folders if every else [p for p in folders if p.name in DEFAULT_SELECTION]


def grade_examples(ids: list[str] | None = None, *, out: Path, every: bool = False,
                   workers: int = 2, isolation: str = "auto", device: str = "cpu",
                   progress: Callable[[str, str, dict[str, Any]], None] | None = None,
                   examples: Path = EXAMPLES,
                   solutions: Path = assignment_mod.SOLUTIONS) -> list[ExamplesSummary]:
    """Grade the examples of `ids` (all assignments with examples by default) into
    OUT/ID/NAME/results.json and OUT/ID/scores.csv; always regrades (the point is to check)."""
    out = Path(os.path.abspath(out))
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, out.stat().st_mode & ~0o007)  # uid isolation: sandbox users must not read it
    specs = {i: assignment_mod.load(i, solutions) for i in ids or [
        p.parent.name for p in sorted(examples.glob("*/expected_scores.toml"))]}
    summaries = {i: ExamplesSummary(i, expected=expected_scores(i, examples)) for i in specs}
    jobs: list[Job] = [(spec, folder.name, folder, out / i)
                       for i, spec in specs.items() for folder in select(i, every, examples)]
    options: dict[str, Any] = {"isolation": isolation, "device": device, "warm": True}

    def finished(spec: Assignment, name: str, result: dict[str, Any]) -> None:
        summaries[spec.id].results[name] = result
        summaries[spec.id].seconds += float(result.get("execution_time", 0.0))
        if progress:
            progress(spec.id, name, result)

    if workers > 1 and len(jobs) > 1:
        run_jobs(grade_one, jobs, workers=workers, scheduler=None, options=options,
                 on_result=finished)
    else:
        for spec, name, folder, target in jobs:
            finished(spec, name, grade_one(folder, spec, target, name=name, **options))
    for i, summary in summaries.items():
        results_mod.write_csv(out / i / "scores.csv", specs[i],
                              [summary.results[n] for n in sorted(summary.results)])
    return list(summaries.values())


def table(summaries: list[ExamplesSummary]) -> str:
    """One line per assignment: what was graded and whether every expected score was met."""
    header = ["assignment", "submissions", "graded", "mean score", "grading s",
              "expected scores"]
    rows = [[s.assignment, str(len(s.results)),
             str(sum(r["status"] == "graded" for r in s.results.values())), f"{s.mean:.1f}",
             f"{s.seconds:.0f}", "met" if not s.problems else f"NOT MET ({len(s.problems)})"]
            for s in summaries]
    widths = [max(len(c) for c in col) for col in zip(header, *rows, strict=True)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                     for row in [header, *rows])

