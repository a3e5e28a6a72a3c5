"""The README's main job and relative paths: what a newcomer runs first must work from any
directory. (CI runs `bash scripts/main.sh --all` itself as a stage; these tests cover the rest.)"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.assignment import REPO, Assignment
from autograder.authoring.examples import ExamplesSummary, grade_examples
from tests.test_judge import CORRECT

AUTOGRADER = [sys.executable, "-m", "autograder.cli"]


def _examples_of_toy(tmp_path: Path, expected: str) -> Path:
    examples = tmp_path / "examples"
    for name, text in (("perfect", CORRECT), ("stub", "def add(a, b):\n    raise "
                                                      "NotImplementedError\n")):
        (examples / "toy" / name).mkdir(parents=True)
        (examples / "toy" / name / "vectors.py").write_text(text)
    (examples / "toy" / "expected_scores.toml").write_text(expected)
    return examples


def test_expected_scores_are_checked(toy: Assignment, tmp_path: Path) -> None:
    examples = _examples_of_toy(tmp_path, "perfect = 5\nstub = 0\n")
    [summary] = grade_examples(["toy"], out=tmp_path / "out", workers=1, examples=examples,
                               solutions=toy.root.parent)
    assert summary.problems == [] and summary.results["perfect"]["score"] == 5
    assert (tmp_path / "out" / "toy" / "scores.csv").is_file()

    examples = _examples_of_toy(tmp_path / "wrong", "perfect = 4\nstub = 0\n")
    [summary] = grade_examples(["toy"], out=tmp_path / "out2", workers=1, examples=examples,
                               solutions=toy.root.parent)
    assert summary.problems == ["toy/perfect: scored 5, expected 4"]


def test_a_grader_failure_is_a_problem_with_its_first_line() -> None:
    summary = ExamplesSummary("a01", expected={"perfect": 100.0}, results={"perfect": {
        "status": "error", "score": 0.0, "error": "the judge failed (exit 3):",
        "parts": {}, "tests": []}})
    assert summary.problems == ["a01/perfect: not graded: the judge failed (exit 3):"]


def test_every_path_is_relative_to_where_the_command_runs(toy: Assignment, tmp_path: Path
                                                         ) -> None:
    """grade, report and gradescope from a folder outside the repository, with relative paths
    only (AUTOGRADER_SOLUTIONS included); the judge runs in the assignment's folder."""
    work = tmp_path / "work"
    (work / "subs" / "alice").mkdir(parents=True)
    (work / "subs" / "alice" / "vectors.py").write_text(CORRECT)
    shutil.copytree(toy.root.parent, work / "course")
    env = {**os.environ, "AUTOGRADER_SOLUTIONS": "course", "PYTHONPATH": str(REPO)}
    run = subprocess.run([*AUTOGRADER, "grade", "subs", "--assignment", "toy", "--out", "out",
                          "--quiet"], cwd=work, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    result = (work / "out" / "alice" / "results.json").read_text()
    assert '"status": "graded"' in result and '"score": 5.0' in result
    for command in (["report", "out"], ["gradescope", "toy", "--out", "zips/toy.zip"]):
        run = subprocess.run([*AUTOGRADER, *command], cwd=work, env=env, capture_output=True,
                             text=True, timeout=300)
        assert run.returncode == 0, run.stderr
    assert (work / "out" / "report.html").is_file() and (work / "zips" / "toy.zip").is_file()
