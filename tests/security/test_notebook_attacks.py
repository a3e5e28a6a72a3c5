"""Notebook attacks under real `nbgrader autograde`: each forges the part cells in its kernel,
and each ends with exactly the points its module files earn (a01's partial example).

The part cells' scores come from the judge in nbgrader's own process (autograder/
nbgrader_judge.py); these attacks are what a student's notebook can do in the kernel."""

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
MODULES = "partial"  # 52 points of 100 with the CLI

# name -> code cell put at the top of the released notebook
ATTACKS = {
    "replaces_grade_part": (
        "import autograder.integrations.nbgrading as nbg\n"
        "nbg.grade_part = lambda assignment, part, folder=None: 25.0\n"),
    "replaces_the_module": (
        "import sys, types\n"
        "fake = types.ModuleType('autograder.integrations.nbgrading')\n"
        "fake.grade_part = lambda *args, **kwargs: 25.0\n"
        "sys.modules['autograder.integrations.nbgrading'] = fake\n"),
    "patches_the_display": (
        "ip = get_ipython()\n"
        "ip.events.register('post_run_cell', lambda result: ip.displayhook(25.0))\n"),
    "prints_a_score": (
        "import builtins\n"
        "_print = builtins.print\n"
        "builtins.print = lambda *args, **kwargs: _print('PASS 25 pt  all tests\\n25.0')\n"),
    "raises_in_part_cells": (
        "import autograder.integrations.nbgrading as nbg\n"
        "def grade_part(*args, **kwargs):\n"
        "    raise RuntimeError('no points for anyone')\n"
        "nbg.grade_part = grade_part\n"),
}


def _edit_part_cells(notebook: dict) -> dict:
    """Deletes one part cell, rewrites another to output 1000, retypes a third."""
    cells = notebook["cells"]
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in cells}
    cells.remove(by_id["part_layers"])
    by_id["part_losses"]["source"] = "1000.0"
    by_id["part_losses"]["metadata"]["nbgrader"]["points"] = 1000
    by_id["part_activations"].update(cell_type="markdown", source="25.0")
    by_id["part_activations"].pop("outputs", None)
    by_id["part_activations"].pop("execution_count", None)
    return notebook


def _with_attack(notebook: dict, source: str) -> dict:
    cell = {"cell_type": "code", "execution_count": None, "id": "attack", "metadata": {},
            "outputs": [], "source": source}
    notebook["cells"].insert(0, cell)
    return notebook


@pytest.mark.slow
def test_notebook_attacks_earn_exactly_the_module_points(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(SOLUTIONS / ID, course / "solutions" / ID)
    shutil.copyfile(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    release.release([ID], solutions=course / "solutions", assignments=course / "assignments",
                    examples=tmp_path / "examples", gradebook=course / "gradebook.db")
    released = json.loads((course / "assignments" / ID / "lab.ipynb").read_text())
    students = {name: _with_attack(json.loads(json.dumps(released)), source)
                for name, source in ATTACKS.items()}
    students["edits_part_cells"] = _edit_part_cells(json.loads(json.dumps(released)))
    for student, notebook in students.items():
        folder = course / "submitted" / student / ID
        shutil.copytree(EXAMPLES / ID / MODULES, folder)
        (folder / "lab.ipynb").write_text(json.dumps(notebook))

    env = {**os.environ, "MPLBACKEND": "Agg",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ID], cwd=course,
                         env=env, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    [cli] = grade([EXAMPLES / ID / MODULES], assignment_id=ID, out=tmp_path / "cli")
    assert 0 < cli["score"] < 100, "partial: some parts earned, some not"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            got = {part: gb.find_grade(f"part_{part}", "lab", ID, student).score
                   for part in cli["parts"]}
            want = {part: entry["score"] for part, entry in cli["parts"].items()}
            assert got == want, (student, got, want)
    graded = json.loads((course / "autograded" / "replaces_grade_part" / ID / "lab.ipynb")
                        .read_text())
    layers = next(c for c in graded["cells"]
                  if c["metadata"].get("nbgrader", {}).get("grade_id") == "part_layers")
    texts = [o.get("text", "") for o in layers["outputs"]]  # a str, or a list of lines
    shown = "".join("".join(t) if isinstance(t, list) else t for t in texts)
    assert "graded by the judge from your module files" in shown, "the student sees why"
