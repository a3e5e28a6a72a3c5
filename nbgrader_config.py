"""nbgrader course configuration: the course works as cloned, from the repository root.

Releases are made by `autograder release [--gradebook gradebook.db]`, which runs nbgrader's own
generate_assignment on each lab notebook alone (and records its cells in the gradebook):
nbgrader's generate_assignment on a whole solutions/ID folder would copy the hidden tests and
the solution modules into the release. Autograding is plain `nbgrader autograde ID`.
"""

import tomllib
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute, SaveAutoGrades

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (injected by nbgrader)
root = Path(__file__).resolve().parent


def _module_files() -> dict[str, list[str]]:
    """assignment id -> its module files: autograde must keep the student's copies of these."""
    found = {}
    for toml in sorted((root / "solutions").glob("*/assignment.toml")):
        spec = tomllib.loads(toml.read_text())
        found[spec["id"]] = [f"{m}.py" for m in spec["modules"]]
    return found


c.CourseDirectory.root = str(root)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
# hidden/ and tests/ are never copied into autograded/ (they are graded by the judge instead).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "hidden",
                            "tests", "conftest.py"]
c.Autograde.exclude_overwriting = _module_files()
c.OverwriteCells.add_missing_cells = True  # a student who deleted a graded cell still gets it
# The part cells' scores come from the judge, run in nbgrader's own process on the module files
# before the student's notebook executes; what the kernel prints in a part cell is replaced
# (autograder/integrations/nbgrader_judge.py). Nothing else in autograde changes.
_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
_steps.insert(_steps.index(Execute), "autograder.integrations.nbgrader_judge.GradeModules")
_steps.insert(_steps.index(SaveAutoGrades),
              "autograder.integrations.nbgrader_judge.WriteJudgedParts")
c.Autograde.autograde_preprocessors = _steps
c.Execute.kernel_name = "python3"
c.Execute.timeout = 600  # per cell: a part cell runs that part's graded tests in the sandbox
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
