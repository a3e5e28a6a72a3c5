"""Every solution lab notebook executes headless, top to bottom, with the solution modules.

The graded part cells are skipped here (they run the judge; tests/test_nbgrader.py covers them
through real nbgrader)."""

import os

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.assignment import SOLUTIONS, all_ids
from autograder.integrations.nbgrading import SKIP_ENV
from autograder.timings import timed


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", all_ids())
def test_lab_executes_headless(assignment_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SKIP_ENV, "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        monkeypatch.setenv(var, "1")  # two kernels at a time on two cores (test.sh)
    folder = SOLUTIONS / assignment_id
    notebook = nbformat.read(folder / "lab.ipynb", as_version=4)
    with timed("notebook", assignment_id):
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors[0].get("ename", "") + ": " + errors[0].get("evalue", "")
    assert os.environ[SKIP_ENV] == "1"
