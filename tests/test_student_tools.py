"""The student tools on a released folder alone: `autograder check` says the right sentence
for each packaging mistake, `autograder pack` grades the same as its folder, and a student's
part cell runs that part's public tests."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.assignment import REPO, Assignment
from autograder.authoring import release
from autograder.grading.grade import grade
from autograder.student.check import check
from autograder.student.pack import pack
from tests.test_judge import CORRECT


@pytest.fixture
def released(toy: Assignment, tmp_path: Path) -> Path:
    """The toy's release, as a student gets it, in a folder named as the student likes."""
    release.release(["toy"], solutions=toy.root.parent, assignments=tmp_path / "assignments",
                    examples=tmp_path / "examples")
    folder = tmp_path / "my work"
    shutil.copytree(tmp_path / "assignments" / "toy", folder)
    return folder


def test_the_stub_has_no_problems_and_everything_unfinished(released: Path) -> None:
    report = check(released)
    assert report.problems == []
    assert {p.part: p.unfinished for p in report.parts} == {
        "sums": ["vectors.add"], "scaling": ["vectors.Scaler.forward"]}
    assert report.public and not any(report.public.values())


def test_each_mistake_gets_its_sentence(released: Path) -> None:
    (released / "vectors.py").rename(released / "Vectors.py")
    (released / "notes.txt").write_text("my notes")
    report = check(released)
    assert any("vectors.py is missing" in p and "found Vectors.py" in p for p in report.problems)
    assert any("the grader would refuse this folder" in p for p in report.problems)

    (released / "Vectors.py").rename(released / "vectors.py")
    source = (released / "vectors.py").read_text()
    (released / "vectors.py").write_text("import torch\n" + source.replace(
        "def add(a: np.ndarray, b: np.ndarray)", "def add(a: np.ndarray)"))
    report = check(released)
    assert "ignored by the grader: notes.txt (not a module file)" in report.notes
    problems = report.problems
    assert any("vectors.add has the parameters" in p for p in problems), problems
    assert any("imports torch, which toy does not allow" in p for p in problems), problems

    (released / "vectors.py").write_text(source.replace("def add(", "def add(:"))
    problems = check(released).problems
    assert any(p.startswith("vectors.py line") and "does not parse" in p for p in problems)


def test_pack_grades_the_same_as_its_folder(released: Path, toy: Assignment,
                                            tmp_path: Path) -> None:
    (released / "vectors.py").write_text(CORRECT.replace("x * self.k", "x + self.k"))
    (released / "scratch.py").write_text("print('experiments')\n")
    packed = pack(released, tmp_path / "out" / "alice.zip")
    assert packed.included == ["vectors.py"] and packed.missing == []
    assert "scratch.py" in packed.left_out and "tests/test_public.py" in packed.left_out
    results = grade([released, packed.zip_path], assignment_id="toy", out=tmp_path / "graded",
                    solutions=toy.root.parent)
    assert [r["score"] for r in results] == [3.0, 3.0]


def test_a_students_part_cell_runs_that_parts_public_tests(released: Path,
                                                          tmp_path: Path) -> None:
    (released / "vectors.py").write_text(CORRECT.replace("x * self.k", "x + self.k"))
    (tmp_path / "no-solutions").mkdir()
    env = {**os.environ, "AUTOGRADER_SOLUTIONS": str(tmp_path / "no-solutions"),
           "PYTHONPATH": str(REPO)}
    code = ("from autograder.integrations.nbgrading import grade_part\n"
            "print('returned', grade_part('toy', 'sums'))\n"
            "print('returned', grade_part('toy', 'scaling'))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=released, env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    assert "PASS  test_public::test_add" in run.stdout and "returned None" in run.stdout
    assert "FAIL  test_public::test_scaler" in run.stdout, run.stdout
