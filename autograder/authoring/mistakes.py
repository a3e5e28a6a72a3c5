"""`autograder mistakes ID`: the catalogue of realistic student mistakes, each proved caught.

solutions/ID/mistakes.toml (private, never released) lists one-edit variants of the solution:

    [[mistake]]
    name = "softmax_without_max_shift"
    part = "activations"     # where it must lose points
    module = "activations"
    why = "exp of large logits overflows: no max subtracted"
    find = "..."             # occurs exactly once in the solved module text
    replace = "..."

Each mistake becomes a temporary submission (never a committed folder). It is graded with only
its part's graded tests, stopping at the first failure, so the whole catalogue costs seconds;
the public test files that import the edited module run on it too (stopping at their first
failure), beside the grading, to measure how many mistakes a student's own `pytest` flags.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from autograder.assignment import Assignment, SpecError
from autograder.authoring.release import solved_modules
from autograder.grading import judge_server
from autograder.grading.judge import judge_env, run_hidden_tests

CATALOGUE = "mistakes.toml"
MIN_MISTAKES = 12


@dataclass(frozen=True)
class Mistake:
    name: str
    part: str
    module: str
    why: str
    find: str
    replace: str


@dataclass(frozen=True)
class MistakeResult:
    mistake: Mistake
    caught: bool  # a graded test of its part failed (or the judge stopped it)
    flagged: bool | None  # a public test failed; None when the public tests were not run
    seconds: float
    detail: str = ""  # the first failing graded test, or the judge's error


def load(spec: Assignment) -> list[Mistake]:
    """The catalogue, validated against the assignment (SpecError naming the entry)."""
    path = spec.root / CATALOGUE
    if not path.is_file():
        return []
    try:
        entries = tomllib.loads(path.read_text()).get("mistake", [])
        found = [Mistake(**{k: str(e[k]) for k in Mistake.__dataclass_fields__})
                 for e in entries]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as err:
        raise SpecError(f"{path}: malformed catalogue: {err}") from None
    solved = solved_modules(spec)
    names: set[str] = set()
    for m in found:
        where = f"{path} [{m.name}]"
        if m.name in names:
            raise SpecError(f"{where}: the name is used twice")
        names.add(m.name)
        if m.part not in spec.parts:
            raise SpecError(f"{where}: unknown part {m.part!r} (parts: {', '.join(spec.parts)})")
        if m.module not in solved:
            raise SpecError(f"{where}: unknown module {m.module!r}")
        if (count := solved[m.module].count(m.find)) != 1:
            raise SpecError(f"{where}: `find` occurs {count} times in {m.module}.py, not once")
    return found


def _write_submission(spec: Assignment, mistake: Mistake, folder: Path) -> None:
    """The solved modules with the mistake's edit, and next to them what a student's released
    folder holds for the public tests (tests/, conftest.py, assignment.toml)."""
    folder.mkdir(parents=True)
    for module, text in solved_modules(spec).items():
        if module == mistake.module:
            text = text.replace(mistake.find, mistake.replace)
        (folder / f"{module}.py").write_text(text)
    if (spec.root / "tests").is_dir():
        shutil.copytree(spec.root / "tests", folder / "tests",
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conftest.py", "assignment.toml"):  # public tests may read them
        if (spec.root / name).is_file():
            shutil.copyfile(spec.root / name, folder / name)


def public_files(folder: Path, module: str) -> list[str]:
    """The public test files that import `module` (the ones a student runs for it); all of
    them when none does by name."""
    files = sorted(folder.glob("tests/test_*.py"))
    named = []
    for path in files:
        try:
            tree = ast.parse(path.read_text())
        except SyntaxError:
            continue
        imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                    for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                     if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
        if module in imported:
            named.append(path)
    return [str(p.relative_to(folder)) for p in named or files]


def _public_flags(folder: Path, module: str) -> bool:
    """True when the public tests of `module` fail on `folder` (pytest's exit code 1)."""
    run = subprocess.run([sys.executable, "-m", "pytest", *public_files(folder, module), "-x",
                          "-q",
                          "-p", "no:cacheprovider", "-o", "addopts="], cwd=folder,
                         env=judge_env(), capture_output=True, timeout=600, check=False)
    return run.returncode == 1


def _grade(spec: Assignment, mistake: Mistake, folder: Path, isolation: str, mode: str,
           judges: judge_server.JudgePool) -> tuple[bool, str, float]:
    """(caught, the first failing test or the judge's error, seconds)."""
    start = time.monotonic()
    report = run_hidden_tests(spec, folder, mode=mode, isolation=isolation,
                              parts=[mistake.part],
                              stop_at_first_failure=True, server=judges.mine())
    failing = [o.name for o in report.outcomes if not o.passed]
    caught = bool(report.error) or bool(failing)
    detail = report.error.splitlines()[0] if report.error else ", ".join(failing) or (
        "" if report.outcomes else f"no graded test of part {mistake.part!r} ran")
    return caught, detail, time.monotonic() - start


def check(spec: Assignment, *, isolation: str = "auto", mode: str = "sandbox",
          public: bool = True, workers: int = 2,
          progress: Callable[[MistakeResult], None] | None = None) -> list[MistakeResult]:
    """Grade every mistake of the catalogue with its part's graded tests, `workers` at a time
    (the public checks, when asked for, share the same pool). `mode="local"` runs each variant
    in a fork of the warm judge instead of a new sandbox: the same tests, comparisons and
    proxy, in under half the time (a02: 86 s -> 40 s); the catalogue is the course's own code,
    never a student's."""
    catalogue = load(spec)
    results: list[MistakeResult] = []
    judges = judge_server.JudgePool(judge_env())
    with tempfile.TemporaryDirectory(prefix="autograder-mistakes-") as tmp, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        graded: dict[str, Future[tuple[bool, str, float]]] = {}
        flags: dict[str, Future[bool]] = {}
        for mistake in catalogue:
            folder = Path(tmp) / mistake.name
            _write_submission(spec, mistake, folder)
            graded[mistake.name] = pool.submit(_grade, spec, mistake, folder, isolation, mode,
                                                judges)
            if public:
                flags[mistake.name] = pool.submit(_public_flags, folder, mistake.module)
        try:
            for mistake in catalogue:
                caught, detail, seconds = graded[mistake.name].result()
                flagged = flags[mistake.name].result() if public else None
                results.append(MistakeResult(mistake, caught, flagged, seconds, detail))
                if progress:
                    progress(results[-1])
        finally:
            pool.shutdown(wait=True)
            judges.close()
    return results


def problems(spec: Assignment, results: list[MistakeResult]) -> list[str]:
    """What CI fails on: a short catalogue, a mistake not caught in its part, and public tests
    that flag fewer than half of the mistakes."""
    found = []
    if len(results) < MIN_MISTAKES:
        found.append(f"{spec.id}: {len(results)} mistakes in {CATALOGUE}, at least "
                     f"{MIN_MISTAKES} wanted")
    found += [f"{spec.id}: mistake {r.mistake.name!r} loses no points in part "
              f"{r.mistake.part!r}" for r in results if not r.caught]
    flagged = [r for r in results if r.flagged]
    if results and results[0].flagged is not None and 2 * len(flagged) < len(results):
        found.append(f"{spec.id}: the public tests flag {len(flagged)} of {len(results)} "
                     "mistakes, fewer than half")
    return found


def summary(results: list[MistakeResult]) -> str:
    caught = sum(r.caught for r in results)
    text = f"caught by the graded tests {caught}/{len(results)}"
    if results and results[0].flagged is not None:
        text += f", flagged by the public tests {sum(bool(r.flagged) for r in results)}"
        text += f"/{len(results)}"
    return text
