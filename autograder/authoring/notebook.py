"""The lab notebook's release: nbgrader's own generate_assignment, run on the notebook alone.

nbgrader copies every file of a source folder into its release; run on solutions/ID it would
publish the hidden tests. So the notebook goes through nbgrader in a scratch course that holds
only the notebook, and the generated notebook is taken from there.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _venv_on_path() -> Iterator[None]:
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{saved}"
    try:
        yield
    finally:
        os.environ["PATH"] = saved


def generate_student_notebook(source: Path, dest: Path, assignment_id: str,
                              gradebook: Path | None = None) -> None:
    """Write the student version of `source` (solutions and hidden cells removed) to `dest`;
    with `gradebook`, also record the assignment and its cells there, as nbgrader's own
    generate_assignment does, so `nbgrader autograde` can grade submissions."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="autograder-nb-") as tmp:
        course = Path(tmp)
        (course / "source" / assignment_id).mkdir(parents=True)
        shutil.copyfile(source, course / "source" / assignment_id / source.name)
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.assignment_id = assignment_id
        if gradebook is None:
            config.GenerateAssignment.no_database = True
            config.GenerateAssignment.create_assignment = False
            config.SaveCells.enabled = False  # no gradebook: the scratch course is thrown away
        else:
            config.CourseDirectory.db_url = f"sqlite:///{gradebook.resolve()}"
            config.GenerateAssignment.create_assignment = True
        logging.getLogger("traitlets").setLevel(logging.ERROR)
        converter = GenerateAssignment(coursedir=CourseDirectory(config=config), config=config)
        converter.log.setLevel(logging.ERROR)
        with _venv_on_path():  # nbgrader runs the `alembic` command to set up a gradebook
            converter.start()
        shutil.copyfile(course / "release" / assignment_id / source.name, dest)
