"""The part scores of `nbgrader autograde`, from the judge, never from the student's kernel.

nbgrader scores a code cell from the outputs its kernel produced, and the kernel runs the
student's own cells first: whatever a part cell prints or returns there is the student's to
forge (replace `grade_part`, patch the display, print a number). So two preprocessors run in
nbgrader's own process, configured in nbgrader_config.py:

- `GradeModules`, before `Execute`: grades the module files next to the notebook with the
  assignment's graded tests through the judge (student code only in the sandbox), before any
  cell of this notebook has run, and keeps the result in nbgrader's resources;
- `WriteJudgedParts`, just before `SaveAutoGrades`: replaces every part cell's outputs with the
  judge's feedback and points, so that what the kernel printed there never reaches the gradebook.

A failure of the grader itself stops the autograde of that submission with the reason (nbgrader
reports it), rather than recording a zero the student did not earn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.integrations.nbgrading import PART_CELL_PREFIX

_RESOURCE = "autograder_parts"  # part -> (points, feedback text)


def judge_folder(assignment_id: str, folder: Path) -> dict[str, tuple[float, str]]:
    """Grade the module files in `folder`: part -> (points earned, one line per test)."""
    import shutil
    import tempfile

    from autograder import assignment as assignment_mod
    from autograder.grading import judge_server
    from autograder.grading.judge import judge_env, run_hidden_tests
    from autograder.grading.scoring import score

    spec = assignment_mod.load(assignment_id)
    with tempfile.TemporaryDirectory(prefix="autograder-nbgrader-") as tmp:
        copy = Path(tmp) / "submission"
        copy.mkdir()
        for module in spec.modules:  # a copy: nothing the kernel does later can reach it
            if (folder / f"{module}.py").is_file():
                shutil.copyfile(folder / f"{module}.py", copy / f"{module}.py")
        report = run_hidden_tests(spec, copy, server=judge_server.shared(judge_env()))
    if report.error:
        raise RuntimeError(f"the grader could not grade {folder}: {report.error.splitlines()[0]}")
    earned = score(spec, report.outcomes).parts
    feedback: dict[str, list[str]] = {part: [] for part in spec.parts}
    for outcome in report.outcomes:
        lines = feedback.setdefault(outcome.part, [])
        lines.append(f"{'PASS' if outcome.passed else 'FAIL'} {outcome.max_points:g} pt  "
                     f"{outcome.doc}")
        if not outcome.passed:
            lines.append("      " + outcome.feedback.replace("\n", "\n      "))
    isolation = f"(graded by the judge from your module files; isolation: {report.isolation})"
    return {part: (earned.get(part, 0.0), "\n".join([*feedback[part], isolation]) + "\n")
            for part in spec.parts}


class GradeModules(NbGraderPreprocessor):
    """Runs before `Execute`: the judge grades the submission's module files."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        assignment_id = str(resources["nbgrader"]["assignment"])
        folder = Path(str(resources.get("metadata", {}).get("path") or "."))
        resources[_RESOURCE] = judge_folder(assignment_id, folder.resolve())
        return nb, resources


class WriteJudgedParts(NbGraderPreprocessor):
    """Runs before `SaveAutoGrades`: each part cell shows the judge's feedback and points."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        grade_id = str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        if cell.get("cell_type") != "code" or not grade_id.startswith(PART_CELL_PREFIX):
            return cell, resources
        judged = resources.get(_RESOURCE)
        if judged is None:
            raise RuntimeError("GradeModules did not run before WriteJudgedParts: check "
                               "c.Autograde.autograde_preprocessors in nbgrader_config.py")
        part = grade_id[len(PART_CELL_PREFIX):]
        points, text = judged.get(part, (0.0, f"no graded part {part!r}\n"))
        cell.outputs = [
            from_dict({"output_type": "stream", "name": "stdout", "text": text}),
            from_dict({"output_type": "execute_result", "execution_count": None,
                       "metadata": {}, "data": {"text/plain": repr(float(points))}}),
        ]
        return cell, resources
