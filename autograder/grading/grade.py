"""The grading pipeline for one submission (intake, static checks, run, score, report) and
the batch around it. `grade` is the Python API behind `autograder grade`."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder import assignment as assignment_mod
from autograder.assignment import Assignment
from autograder.grading import judge_server, late, regrade
from autograder.grading import results as results_mod
from autograder.grading.batch import discover, run_parallel
from autograder.grading.intake import IntakeError, take_in
from autograder.grading.judge import judge_env, run_hidden_tests
from autograder.grading.scoring import score
from autograder.sandbox.static_checks import blocked_modules


def grade_one(source: Path, assignment: Assignment, out: Path, *, name: str,
              isolation: str = "auto", device: str = "cpu", warm: bool = True,
              parts: list[str] | None = None, timestamps: dict[str, str] | None = None
              ) -> dict[str, Any]:
    """Grade one submission and write OUT/NAME/results.json. Never raises for a bad submission:
    the result says what went wrong. `warm`: run the judge as a fork of this process's warm
    judge (imports paid once per worker) instead of a new Python process. `parts`: regrade
    only these parts of an earlier result and keep the others' (a full grade when there is
    no earlier result). The late policy of assignment.toml, if any, is applied with the
    submission's timestamp.txt (nbgrader) or `timestamps` (student -> time)."""
    folder = Path(os.path.abspath(out)) / name  # the judge runs in another directory
    source = Path(os.path.abspath(source))
    previous = results_mod.load(folder / "results.json") if parts else None
    durations: dict[str, float] = {}
    notes: list[str] = []
    outcomes, used, error = [], "none", ""
    start = time.monotonic()
    try:
        intake = take_in(source, assignment, folder / "submission")
        notes += intake.notes
        notes += blocked_modules(assignment, intake.folder).values()
        durations["intake"] = time.monotonic() - start
        server = judge_server.shared(judge_env()) if warm else None
        report = run_hidden_tests(assignment, intake.folder, isolation=isolation, device=device,
                                  log=folder / "sandbox.log", server=server,
                                  parts=parts if previous else None)
        outcomes, used, error = report.outcomes, report.isolation, report.error
        if previous and parts:
            outcomes = regrade.merged(previous, outcomes, parts)
        durations["tests"] = report.seconds
    except IntakeError as err:
        error = f"submission rejected: {err}"
    result = results_mod.build_result(assignment, name, score(assignment, outcomes), outcomes,
                                      isolation=used, notes=notes, error=error,
                                      durations=durations)
    if previous and parts:
        result["regraded"] = regrade.history(previous, parts)
    rule = late.policy(assignment)
    if rule is not None:
        result = late.apply(result, rule, late.submitted_at(source, name, timestamps))
    results_mod.write_atomic(folder / "results.json", json.dumps(result, indent=1))
    return result


def _unique(jobs: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    names: list[str] = []
    for base, _ in jobs:
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return [(name, source) for name, (_, source) in zip(names, jobs, strict=True)]


def grade(submissions: list[Path], *, assignment_id: str, out: Path, isolation: str = "auto",
          device: str = "cpu", force: bool = False, workers: int = 1,
          scheduler: str | None = None, warm: bool = True,
          progress: Callable[[str, dict[str, Any]], None] | None = None,
          on_total: Callable[[int], None] | None = None,
          parts: list[str] | None = None, timestamps: dict[str, str] | None = None,
          solutions: Path = assignment_mod.SOLUTIONS) -> list[dict[str, Any]]:
    """Grade every submission found in `submissions` (see batch.discover), skipping those with
    a results.json already unless `force`; write OUT/scores.csv and return every result.
    `on_total` hears the number of submissions found before any is graded (a progress bar).
    `parts`: regrade only these parts of every submission, keeping its other results.
    More than one worker, or a Dask scheduler address, grades in parallel through Dask."""
    spec = assignment_mod.load(assignment_id, solutions)
    out = Path(os.path.abspath(out))
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, out.stat().st_mode & ~0o007)  # uid isolation: sandbox users must not read it
    submissions = [Path(os.path.abspath(p)) for p in submissions]
    results: dict[str, dict[str, Any]] = {}
    todo = []
    found = _unique(discover(submissions, assignment_id))
    if on_total:
        on_total(len(found))
    for name, source in found:
        done = None if force or parts else results_mod.load(out / name / "results.json")
        if done is not None:
            results[name] = done
            if progress:
                progress(name, done)
        else:
            todo.append((name, source))

    def finished(name: str, result: dict[str, Any]) -> None:
        results[name] = result
        if progress:
            progress(name, result)

    unknown = sorted(set(parts or []) - set(spec.parts))
    if unknown:
        raise assignment_mod.SpecError(f"{spec.id} has no part {', '.join(unknown)} (parts: "
                                       f"{', '.join(spec.parts)})")
    options: dict[str, Any] = {"isolation": isolation, "device": device, "warm": warm,
                               "parts": parts, "timestamps": timestamps}
    if workers > 1 or scheduler:
        run_parallel(grade_one, todo, spec, out, workers=workers, scheduler=scheduler,
                     options=options, on_result=finished)
    else:
        for name, source in todo:
            finished(name, grade_one(source, spec, out, name=name, **options))
    ordered = [results[name] for name in sorted(results)]
    results_mod.write_csv(out / "scores.csv", spec, ordered)
    return ordered
