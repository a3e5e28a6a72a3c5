"""`autograder selfcheck ID`: prove an assignment's tests mean something.

The solution scores 100% under the judge and the released stub scores 0; the tests' points
match assignment.toml; every public test passes on the solution and fails on the stub; the stubs
expose the solution's names and signatures; the solution keeps its own forbidden-imports rule.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from autograder import assignment as assignment_mod
from autograder.assignment import Assignment
from autograder.grading import judge_server
from autograder.grading.judge import judge_env, run_hidden_tests
from autograder.grading.scoring import points_by_part, score
from autograder.integrations.nbgrading import PART_CELL_PREFIX
from autograder.sandbox.static_checks import blocked_modules
from autograder.student.api import signatures as api_signatures
from autograder.student.check import public_results
from autograder.timings import timed


def _module_copy(source: Path, modules: list[str], dest: Path) -> Path:
    dest.mkdir(parents=True)
    for module in modules:
        shutil.copyfile(source / f"{module}.py", dest / f"{module}.py")
    return dest


def signatures(path: Path) -> dict[str, str]:
    """Public functions, classes and methods of a module file with their parameter lists."""
    return api_signatures(path.read_text())


def public_test_results(folder: Path, timing: str = "") -> dict[str, bool]:
    """Run pytest on folder/tests in its own process (as `autograder check` does); test id ->
    passed. With `timing` (an assignment id), its wall time is recorded as that assignment's
    public-test time."""
    with timed("public", timing) if timing else nullcontext():
        return public_results(folder)


def _notebook_problems(spec: Assignment) -> list[str]:
    """The lab notebook has one graded cell per part, worth that part's points."""
    import json

    path = spec.root / "lab.ipynb"
    if not path.is_file():
        return [f"{path} is missing"]
    found = {}
    for cell in json.loads(path.read_text())["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if str(meta.get("grade_id", "")).startswith(PART_CELL_PREFIX):
            found[meta["grade_id"][len(PART_CELL_PREFIX):]] = float(meta.get("points", 0))
    if found != spec.parts:
        return [f"lab.ipynb's graded part cells {found} do not match the parts {spec.parts}: "
                f"run `autograder notebook-cells {spec.id}`"]
    return []


def selfcheck(assignment_id: str, *, isolation: str = "auto", grading: bool = True
              ) -> list[str]:
    """Every problem found (empty: the assignment is sound). `grading=False` leaves out
    grading the solution and the stub: CI's `autograder examples` grades them once, as the
    perfect and stub examples, and checks the same (full marks per part, zero)."""
    spec: Assignment = assignment_mod.load(assignment_id)
    problems = [f"the solution breaks its own rule: {why}"
                for why in blocked_modules(spec, spec.root).values()]
    problems += _notebook_problems(spec)
    released = spec.released
    if not released.is_dir():
        return [f"{released} does not exist: run `autograder release {assignment_id}`"]
    for module in spec.modules:
        want, got = signatures(spec.root / f"{module}.py"), signatures(released / f"{module}.py")
        if want != got:
            diff = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
            problems.append(f"stub {module}.py differs from the solution in: {', '.join(diff)}")
    # The public tests on the solution and on the stub run beside the grading: both cores busy.
    with ThreadPoolExecutor(max_workers=2) as pool:
        public = [pool.submit(public_test_results, spec.root, spec.id),
                  pool.submit(public_test_results, released)]
        if grading:
            problems += _grading_problems(spec, isolation)
        on_solution, on_stub = (future.result() for future in public)
    if not on_solution:
        problems.append("no public test ran on the solution")
    problems += [f"public test fails on the solution: {t}" for t, ok in on_solution.items()
                 if not ok]
    problems += [f"public test passes on the stub: {t}" for t, ok in on_stub.items() if ok]
    return problems


def _grading_problems(spec: Assignment, isolation: str) -> list[str]:
    """The solution scores full marks with the points assignment.toml gives; the stub 0."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="autograder-selfcheck-") as tmp:
        for label, source, expected in (("solution", spec.root, spec.max_score),
                                        ("stub", spec.released, 0.0)):
            copy = _module_copy(source, spec.modules, Path(tmp) / label)
            report = run_hidden_tests(spec, copy, isolation=isolation,
                                      server=judge_server.shared(judge_env()))
            if report.error:
                problems.append(f"graded tests on the {label}: {report.error}")
                continue
            total = score(spec, report.outcomes).total
            if total != expected:
                failing = [o.name for o in report.outcomes if o.passed != (label == "solution")]
                problems.append(f"the {label} scores {total:g}, expected {expected:g} "
                                f"(tests: {', '.join(failing)})")
            if label == "solution" and points_by_part(report.outcomes) != spec.parts:
                problems.append(f"graded tests give {points_by_part(report.outcomes)} per part; "
                                f"assignment.toml says {spec.parts}")
    return problems
