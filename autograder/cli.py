"""The command line. The only file that knows argparse; each command wraps a Python function."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from autograder.assignment import SpecError

ISOLATIONS = ["auto", "bwrap", "uid", "process"]  # see README, "The trust model"


def _release(args: argparse.Namespace) -> int:
    from autograder.authoring import release

    try:
        if args.check:
            problems = release.check(args.ids or None)
            for problem in problems:
                print(problem)
            print("assignments/ is in sync with solutions/" if not problems else
                  "assignments/ is out of date: run `autograder release`")
            return 1 if problems else 0
        for folder in release.release(args.ids or None, gradebook=args.gradebook):
            print(f"released {folder}")
    except (release.ReleaseError, SpecError) as err:
        print(f"release failed, nothing written: {err}", file=sys.stderr)
        return 2
    return 0


def _grade(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from autograder import assignment as assignment_mod
    from autograder.grading import grade, results

    bar = tqdm(unit="submission", disable=args.quiet)
    timestamps = None
    if args.timestamps:
        from autograder.grading.late import read_timestamps

        timestamps = read_timestamps(args.timestamps)

    def progress(name: str, result: dict[str, Any]) -> None:
        bar.set_postfix_str(f"{name}: {result['score']:g}")
        bar.update()

    found = grade.grade(args.submissions, assignment_id=args.assignment, out=args.out,
                        isolation=args.isolation, device=args.device, force=args.force,
                        workers=args.workers, scheduler=args.scheduler, progress=progress,
                        warm=not args.cold_judge, on_total=lambda n: bar.reset(total=n),
                        parts=args.part or None, timestamps=timestamps)
    bar.close()
    spec = assignment_mod.load(args.assignment)
    if args.gradebook:
        from autograder.integrations.nbgrading import write_gradebook

        write_gradebook(args.gradebook, spec, found)
        print(f"scores written to the nbgrader gradebook {args.gradebook}")
    print(results.table(spec, found))
    print(f"\nresults in {args.out} (scores.csv, one results.json per submission)")
    return 0


def _selfcheck(args: argparse.Namespace) -> int:
    from autograder import assignment as assignment_mod
    from autograder.authoring.selfcheck import selfcheck
    from autograder.timings import timed

    failed = False
    for assignment_id in args.ids or assignment_mod.all_ids():
        with timed("selfcheck", assignment_id):
            problems = selfcheck(assignment_id, isolation=args.isolation,
                                 grading=not args.no_grading)
        print(f"{assignment_id}: {'ok' if not problems else 'PROBLEMS'}")
        for problem in problems:
            print(f"  - {problem}")
        failed |= bool(problems)
    return 1 if failed else 0


def _report(args: argparse.Namespace) -> int:
    from autograder.grading.report import write_report

    print(f"wrote {write_report(args.results)} and {args.results / 'feedback'}/")
    return 0


def _gradescope(args: argparse.Namespace) -> int:
    from autograder.integrations.gradescope import build

    out = args.out or Path(f"gradescope-{args.id}.zip")
    print(f"wrote {build(args.id, out)}: upload it as the Gradescope autograder")
    return 0


def _notebook_cells(args: argparse.Namespace) -> int:
    from autograder import assignment as assignment_mod
    from autograder.integrations.nbgrading import ensure_part_cells

    for assignment_id in args.ids or assignment_mod.all_ids():
        changed = ensure_part_cells(assignment_mod.load(assignment_id))
        print(f"{assignment_id}: {'graded part cells written' if changed else 'up to date'}")
    return 0


def _add_local_flag(command: argparse.ArgumentParser, variant: str) -> None:
    command.add_argument(
        "--local", dest="mode", action="store_const", const="local", default="sandbox",
        help=f"grade each {variant} in a fork of the warm judge, without a sandbox: the same "
        "graded tests in under half the time (CI uses it; the variants are the course's "
        "own code, and the sandbox is proved by the examples and the red-team suite)")


def _mutants(args: argparse.Namespace) -> int:
    import json

    from autograder import assignment as assignment_mod
    from autograder.authoring.mutants.run import run, summary, to_json
    from autograder.timings import timed

    failed = False
    for assignment_id in args.ids or assignment_mod.all_ids():
        spec = assignment_mod.load(assignment_id)
        gate = args.min_rate if args.min_rate is not None else spec.min_kill_rate
        if args.gated and gate is None:
            print(f"== {assignment_id}: skipped (no [mutation] min_kill_rate yet: a sample "
                  "would gate nothing)")
            continue
        with timed("mutants", assignment_id):
            report = run(spec, sample=args.sample, seed=args.seed,
                         isolation=args.isolation, mode=args.mode, workers=args.workers,
                         progress=lambda r: print(f"  {r.status:<11} {r.mutant.description}",
                                                  flush=True))
        rate = report.gate_rate()
        scope = (f"estimated from a sample of {args.sample} and {report.known_survivors} known "
                 f"survivors of {report.population}" if report.sampled else "all mutants")
        print(f"== {assignment_id}: kill rate {rate:.0%} ({scope}; "
              f"{'required ' + format(gate, '.0%') if gate is not None else 'report only'})")
        print(summary(report))
        if args.json:
            args.json.mkdir(parents=True, exist_ok=True)
            (args.json / f"{assignment_id}.json").write_text(json.dumps(to_json(report),
                                                                        indent=1))
        failed |= gate is not None and rate < gate
    return 1 if failed else 0


def _mistakes(args: argparse.Namespace) -> int:
    from autograder import assignment as assignment_mod
    from autograder.authoring import mistakes
    from autograder.timings import timed

    found: list[str] = []
    for assignment_id in args.ids or assignment_mod.all_ids():
        spec = assignment_mod.load(assignment_id)

        def show(r: mistakes.MistakeResult) -> None:
            public = "" if r.flagged is None else (
                "  public: flagged" if r.flagged else "  public: passes")
            print(f"  {'caught' if r.caught else 'MISSED':<7} {r.mistake.part:<14} "
                  f"{r.mistake.name}{public}  ({r.seconds:.1f} s)", flush=True)

        print(f"== {assignment_id}")
        with timed("mistakes", assignment_id):
            results = mistakes.check(spec, isolation=args.isolation, mode=args.mode,
                                     public=not args.no_public, progress=show)
        print(f"== {assignment_id}: {mistakes.summary(results)}")
        found += mistakes.problems(spec, results)
    for problem in found:
        print(f"PROBLEM: {problem}")
    return 1 if found else 0


def _examples(args: argparse.Namespace) -> int:
    import time

    from tqdm import tqdm

    from autograder import assignment as assignment_mod
    from autograder.assignment import EXAMPLES
    from autograder.authoring.examples import grade_examples, select, table
    from autograder.grading import results

    ids = args.ids or None
    start = time.monotonic()
    chosen = ids or sorted(p.parent.name for p in EXAMPLES.glob("*/expected_scores.toml"))
    bar = tqdm(unit="submission", disable=args.quiet, desc="grading examples",
               total=sum(len(select(i, args.all)) for i in chosen))

    def progress(assignment_id: str, name: str, result: dict[str, Any]) -> None:
        bar.set_postfix_str(f"{assignment_id}/{name}: {result['score']:g}")
        bar.update()

    summaries = grade_examples(ids, out=args.out, every=args.all, workers=args.workers,
                               isolation=args.isolation, device=args.device, progress=progress)
    bar.close()
    from autograder.timings import record

    for summary in summaries:
        record("examples", summary.assignment, summary.seconds)
        print(f"\n== {summary.assignment}")
        print(results.table(assignment_mod.load(summary.assignment),
                            list(summary.results.values())))
    print("\n" + table(summaries))
    problems = [p for s in summaries for p in s.problems]
    for problem in problems:
        print(f"PROBLEM: {problem}")
    graded = sum(len(s.results) for s in summaries)
    print(f"\n{graded} example submissions of {len(summaries)} assignment(s) graded in "
          f"{time.monotonic() - start:.0f} s; results in {args.out}")
    return 1 if problems else 0


def _check(args: argparse.Namespace) -> int:
    from rich.console import Console

    from autograder.student import render
    from autograder.student.check import check

    report = check(args.folder)
    render.check_report(report, Console())
    return 1 if report.problems else 0


def _pack(args: argparse.Namespace) -> int:
    from rich.console import Console

    from autograder.grading.intake import IntakeError
    from autograder.student import render
    from autograder.student.pack import pack

    try:
        result = pack(args.folder, args.out)
    except IntakeError as err:
        print(f"not packed: the grader would refuse this folder: {err}", file=sys.stderr)
        return 1
    render.packed(result, Console())
    return 1 if result.missing else 0


def _similarity(args: argparse.Namespace) -> int:
    from autograder import assignment as assignment_mod
    from autograder.instructor.similarity import similar_pairs, write_page

    spec = assignment_mod.load(args.assignment)
    pairs = similar_pairs(args.paths, spec, threshold=args.threshold)
    for pair in pairs:
        print(f"{pair.similarity:5.0%}  {pair.first}  {pair.second}")
    page = write_page(pairs, args.out, title=f"{spec.id} code similarity",
                      threshold=args.threshold)
    print(f"{len(pairs)} pairs above {args.threshold:.0%}; side by side in {page}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from autograder.grading.report import load_results
    from autograder.integrations import exports

    results = load_results(args.results)
    if not results:
        print(f"error: no results.json under {args.results}", file=sys.stderr)
        return 2
    name = args.column or results[0]["assignment"]
    text = (exports.canvas_csv(results, name, args.roster) if args.format == "canvas"
            else exports.moodle_csv(results, name))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out}: {len(results)} students, for {args.format}'s grade import")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="autograder", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="generate assignments/ from solutions/")
    release.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    release.add_argument("--check", action="store_true",
                         help="fail when assignments/ differs from what release would write")
    release.add_argument("--gradebook", type=Path, default=None,
                         help="also record the notebooks' cells in this nbgrader gradebook")
    release.set_defaults(run=_release)

    grade = commands.add_parser("grade", help="grade submissions (folders or .zip files)")
    grade.add_argument("submissions", nargs="+", type=Path,
                       help="submissions (folders or .zip), folders of them, or nbgrader's "
                            "submitted/ folder")
    grade.add_argument("--assignment", required=True)
    grade.add_argument("--out", type=Path, required=True, help="results folder")
    grade.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    grade.add_argument("--isolation", default="auto", choices=ISOLATIONS)
    grade.add_argument("--force", action="store_true", help="regrade finished submissions")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument("--workers", type=int, default=1,
                       help="grade N submissions at a time on a local Dask cluster")
    grade.add_argument("--scheduler", default=None,
                       help="grade on this Dask scheduler (e.g. tcp://10.0.0.1:8786)")
    grade.add_argument("--gradebook", type=Path, default=None,
                       help="also write the scores into this nbgrader gradebook")
    grade.add_argument("--part", action="append", default=[],
                       help="regrade only this part of every submission (repeatable), keeping "
                            "the other parts' results; the result records when")
    grade.add_argument("--timestamps", type=Path, default=None,
                       help="CSV student,timestamp: when each submission was made, for the late "
                            "policy of assignment.toml (default: nbgrader's timestamp.txt)")
    grade.add_argument("--cold-judge", action="store_true",
                       help="start a new Python process per submission instead of forking the "
                            "worker's warm judge (slower; for debugging)")
    grade.set_defaults(run=_grade)

    examples = commands.add_parser(
        "examples", help="grade the bundled example submissions and check their scores")
    examples.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    examples.add_argument("--all", action="store_true",
                          help="every example (default: perfect, partial and stub)")
    examples.add_argument("--out", type=Path, default=Path("results/examples"),
                          help="results folder (default: results/examples)")
    examples.add_argument("--workers", type=int, default=2, help="submissions at a time")
    examples.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    examples.add_argument("--isolation", default="auto", choices=ISOLATIONS)
    examples.add_argument("--quiet", action="store_true", help="no progress bar")
    examples.set_defaults(run=_examples)

    check = commands.add_parser("selfcheck", help="prove an assignment's tests mean something")
    check.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    check.add_argument("--isolation", default="auto", choices=ISOLATIONS)
    check.add_argument("--no-grading", action="store_true",
                       help="skip grading the solution and the stub (`autograder examples` "
                            "grades them as the perfect and stub examples)")
    check.set_defaults(run=_selfcheck)
    report = commands.add_parser("report", help="HTML report and per-student feedback pages")
    report.add_argument("results", type=Path, help="a results folder written by grade")
    report.set_defaults(run=_report)

    scope = commands.add_parser("gradescope", help="build the Gradescope autograder zip")
    scope.add_argument("id", help="assignment id")
    scope.add_argument("--out", type=Path, default=None, help="zip path")
    scope.set_defaults(run=_gradescope)

    cells = commands.add_parser(
        "notebook-cells", help="add one nbgrader-graded cell per part to lab.ipynb")
    cells.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    cells.set_defaults(run=_notebook_cells)

    mutate = commands.add_parser("mutants", help="grade mutants of the solution: kill rates")
    mutate.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    mutate.add_argument("--sample", type=int, default=None,
                        help="grade a fixed random sample of this many mutants (default: all)")
    mutate.add_argument("--seed", type=int, default=0, help="which sample")
    mutate.add_argument("--min-rate", type=float, default=None,
                        help="fail when a kill rate is lower (default: each assignment's "
                             "[mutation] min_kill_rate from assignment.toml)")
    mutate.add_argument("--isolation", default="auto", choices=ISOLATIONS)
    mutate.add_argument("--gated", action="store_true",
                        help="only the assignments with a kill-rate gate (what CI checks)")
    mutate.add_argument("--workers", type=int, default=2,
                        help="mutants graded at once (default: 2, the CPU count of CI)")
    mutate.add_argument("--json", type=Path, default=None, help="write each report here")
    _add_local_flag(mutate, "mutant")
    mutate.set_defaults(run=_mutants)

    mistakes = commands.add_parser(
        "mistakes", help="prove the catalogue of realistic mistakes (mistakes.toml) is caught")
    mistakes.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    mistakes.add_argument("--isolation", default="auto", choices=ISOLATIONS)
    mistakes.add_argument("--no-public", action="store_true",
                          help="do not run the public tests on each mistake")
    _add_local_flag(mistakes, "mistake")
    mistakes.set_defaults(run=_mistakes)

    student = commands.add_parser("check", help="before you submit: public tests per part and "
                                                "the checks the grader applies")
    student.add_argument("folder", nargs="?", type=Path, default=Path("."),
                         help="the assignment folder (default: the current one)")
    student.set_defaults(run=_check)

    packing = commands.add_parser("pack", help="zip exactly what the grader takes")
    packing.add_argument("folder", nargs="?", type=Path, default=Path("."),
                         help="the assignment folder (default: the current one)")
    packing.add_argument("--out", type=Path, default=None,
                         help="zip path (default: ID-submission.zip here)")
    packing.set_defaults(run=_pack)

    similar = commands.add_parser("similarity", help="pairs of submissions with too much code "
                                                    "in common (copydetect, stubs excluded)")
    similar.add_argument("paths", nargs="+", type=Path,
                         help="a results folder written by grade, or submissions as for grade")
    similar.add_argument("--assignment", required=True)
    similar.add_argument("--threshold", type=float, default=0.5,
                         help="report pairs sharing more than this share of code (0..1)")
    similar.add_argument("--out", type=Path, default=Path("similarity.html"))
    similar.set_defaults(run=_similarity)

    export = commands.add_parser("export", help="a gradebook CSV for Canvas or Moodle")
    export.add_argument("results", type=Path, help="a results folder written by grade")
    export.add_argument("--format", required=True, choices=["canvas", "moodle"])
    export.add_argument("--out", type=Path, required=True, help="CSV path")
    export.add_argument("--column", default=None,
                        help="the assignment column or grade item (default: the assignment id; "
                             "Canvas: 'NAME (ID)' to update an existing assignment)")
    export.add_argument("--roster", type=Path, default=None,
                        help="Canvas: its gradebook export, to copy each student's IDs from")
    export.set_defaults(run=_export)
    return top


def _absolute(args: argparse.Namespace) -> None:
    """Every path a user gives is relative to the directory the command runs in; the engine
    hands paths to processes that run elsewhere, so make them absolute once, here (without
    following links: a linked submission keeps its own name)."""
    for name, value in vars(args).items():
        if isinstance(value, Path):
            setattr(args, name, Path(os.path.abspath(value)))
        elif isinstance(value, list) and value and all(isinstance(v, Path) for v in value):
            setattr(args, name, [Path(os.path.abspath(v)) for v in value])


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _absolute(args)
    try:
        code: int = args.run(args)
    except SpecError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
