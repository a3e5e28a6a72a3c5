"""nbgrader end to end with real nbgrader: release into a gradebook, autograde submissions,
export; the part cells' scores equal the CLI's part scores, also for mangled notebooks."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.assignment import EXAMPLES, REPO, SOLUTIONS
from autograder.authoring import release
from autograder.grading.grade import grade

ID = "a01_foundations"
STUDENTS = ("perfect", "partial", "stub")


def _mangle(notebook: dict) -> dict:
    """What students do: delete a graded cell, reorder cells, retype one, change the kernel."""
    cells = notebook["cells"]
    graded = [i for i, c in enumerate(cells)
              if c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith("part_")]
    del cells[graded[0]]
    cells[-1], cells[-2] = cells[-2], cells[-1]
    first_code = next(c for c in cells if c["cell_type"] == "code")
    first_code.update(cell_type="markdown")
    first_code.pop("outputs", None)
    first_code.pop("execution_count", None)
    notebook["metadata"]["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia",
                                          "language": "julia"}
    return notebook


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1800, check=False)


@pytest.mark.slow
def test_nbgrader_autograde_matches_cli_scores(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(SOLUTIONS / ID, course / "solutions" / ID)
    shutil.copyfile(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    release.release([ID], solutions=course / "solutions", assignments=course / "assignments",
                    examples=tmp_path / "examples", gradebook=course / "gradebook.db")
    released = course / "assignments" / ID / "lab.ipynb"
    for student in (*STUDENTS, "mangled"):
        folder = course / "submitted" / student / ID
        shutil.copytree(EXAMPLES / ID / ("partial" if student == "mangled" else student),
                        folder)
        notebook = json.loads(released.read_text())
        if student == "mangled":
            notebook = _mangle(notebook)
        (folder / "lab.ipynb").write_text(json.dumps(notebook))

    run = _nbgrader(course, "autograde", ID)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert _nbgrader(course, "export").returncode == 0

    cli = {r["student"]: r for r in grade([EXAMPLES / ID / s for s in STUDENTS],
                                          assignment_id=ID, out=tmp_path / "cli")}
    cli["mangled"] = cli["partial"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, result in cli.items():
            for part, entry in result["parts"].items():
                got = gb.find_grade(f"part_{part}", "lab", ID, student).score
                assert got == entry["score"], (student, part, got, entry["score"])
    # The CLI's --gradebook path: the same part scores land in a fresh gradebook.
    from autograder import assignment as assignment_mod
    from autograder.integrations.nbgrading import write_gradebook

    fresh = tmp_path / "cli-gradebook.db"
    release.release([ID], solutions=course / "solutions", assignments=tmp_path / "again",
                    examples=tmp_path / "examples2", gradebook=fresh)
    write_gradebook(fresh, assignment_mod.load(ID), [cli[s] for s in STUDENTS])
    with Gradebook(f"sqlite:///{fresh}") as gb:
        for student in STUDENTS:
            for part, entry in cli[student]["parts"].items():
                assert gb.find_grade(f"part_{part}", "lab", ID, student).score == entry["score"]
    exported = {row["student_id"]: float(row["score"])
                for row in csv.DictReader((course / "grades.csv").open())}
    assert exported["perfect"] >= cli["perfect"]["score"] == 100.0
    assert exported["stub"] == 0.0
