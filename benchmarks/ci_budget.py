"""Each assignment's share of CI against its budget, as a table.

    python benchmarks/ci_budget.py --timings FILE     the table from a CI run's timings file
    python benchmarks/ci_budget.py [ID ...]           run the per-assignment stages and print it

Budgets (docs/authoring.md): the whole share under 110 s wall on the 2-core machine, the graded
suite on the solution under 60 s, the public tests under 20 s, the notebook under 60 s. The
examples are graded two at a time across the course, so their share is half their summed
grading time. Exit code 1 when an assignment is over a budget.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.timings import ENV, read  # noqa: E402

# CI holds the sixteen assignments in 40 minutes: the stages outside the assignments' shares
# (venv, ruff, mypy, release check, the engine's pytest) took 605 s on a clean clone on
# 2026-12-04, which leaves (2400 - 605) / 16 = 112 s for each assignment.
SHARE_SECONDS = 110.0
LIMITS = {"suite": 60.0, "public": 20.0, "notebook": 60.0}
WORKERS = 2  # the examples stage grades this many submissions at a time
STAGES = ("selfcheck", "examples", "mistakes", "notebook")  # as scripts/test.sh runs them


def table(rows: list[tuple[str, str, float]], suites: dict[str, float]) -> tuple[str, list[str]]:
    """The table and the budgets exceeded. `suites`: the graded suite's time on the solution."""
    times: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for stage, assignment_id, seconds in rows:
        times[assignment_id][stage] += seconds / WORKERS if stage == "examples" else seconds
    header = ["assignment", *STAGES, "share", "suite", "public", "over budget"]
    lines, over = [], []
    for assignment_id in sorted(times):
        t = times[assignment_id]
        share = sum(t[s] for s in STAGES)
        measured = {"suite": suites.get(assignment_id, 0.0), "public": t["public"],
                    "notebook": t["notebook"]}
        exceeded = [f"share {share:.0f} s > {SHARE_SECONDS:g}"] if share > SHARE_SECONDS else []
        exceeded += [f"{k} {v:.0f} s > {LIMITS[k]:g}" for k, v in measured.items()
                     if v > LIMITS[k]]
        over += [f"{assignment_id}: {e}" for e in exceeded]
        lines.append([assignment_id, *(f"{t[s]:.0f}" for s in STAGES), f"{share:.0f}",
                      f"{measured['suite']:.0f}", f"{t['public']:.0f}",
                      "; ".join(exceeded) or "-"])
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))
                     for r in [header, *lines])
    return text, over


def suite_times(results: Path) -> dict[str, float]:
    """The perfect example's grading time per assignment, from an examples results folder."""
    found = {}
    for path in results.glob("*/perfect/results.json"):
        found[path.parent.parent.name] = float(json.loads(path.read_text())["durations"]
                                               .get("tests", 0.0))
    return found


def measure(ids: list[str], workdir: Path) -> Path:
    """Run every per-assignment stage of CI for `ids`, recording timings; returns the file."""
    timings = workdir / "timings.tsv"
    env = {**os.environ, ENV: str(timings), "MPLBACKEND": "Agg",  # one thread, as test.sh
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    cli = [sys.executable, "-m", "autograder.cli"]
    steps = [[*cli, "selfcheck", "--no-grading", *ids],
             [*cli, "examples", "--all", "--quiet", "--out", str(workdir / "examples"), *ids],
             [*cli, "mistakes", "--no-public", "--local", *ids],
             [sys.executable, "-m", "pytest", "tests/test_notebooks.py", "-q", "-n", "2",
              "-p", "no:cacheprovider", "-k", " or ".join(ids) or "lab"]]
    for step in steps:
        subprocess.run(step, cwd=REPO, env=env, check=False)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", help="assignments to measure (default: all)")
    parser.add_argument("--timings", type=Path, help="a timings file written by a CI run")
    parser.add_argument("--examples", type=Path, help="the examples results folder of that run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.timings:
            timings, examples = args.timings, args.examples
        else:
            timings, examples = measure(args.ids, Path(tmp)), Path(tmp) / "examples"
        text, over = table(read(timings), suite_times(examples) if examples else {})
    print(f"budgets: share {SHARE_SECONDS:g} s, "
          + ", ".join(f"{k} {v:g} s" for k, v in LIMITS.items()))
    print(text)
    for line in over:
        print(f"OVER BUDGET: {line}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
