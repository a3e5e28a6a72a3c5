"""nbgrader course configuration: the course works as cloned, from the repository root.

Releases are made by `autograder release`, which runs nbgrader's own generate_assignment on
each lab notebook alone: nbgrader's generate_assignment on a whole solutions/ID folder would
copy the hidden tests and the solution modules into the release.
"""

from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (injected by nbgrader)

c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "hidden"]
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.ExecutePreprocessor.timeout = 600
c.Execute.timeout = 600
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
