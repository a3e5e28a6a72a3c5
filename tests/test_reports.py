"""Instructor report, feedback pages, and the Gradescope zip run against a fake /autograder."""

import json
import os
import subprocess
import sys
import zipfile

from autograder.grading.grade import grade
from autograder.grading.report import write_report
from autograder.integrations.gradescope import build
from tests.test_judge import CORRECT


def test_report_and_feedback_pages(toy, tmp_path, make_submission) -> None:
    good = make_submission({"vectors.py": CORRECT}, "alice")
    bad = make_submission({"vectors.py": CORRECT.replace("np.add", "np.subtract")}, "bob")
    grade([good, bad], assignment_id="toy", out=tmp_path / "out", solutions=toy.root.parent)
    page = write_report(tmp_path / "out").read_text()
    # one histogram per part and the total, pass rates, grading time; the histograms wrap
    assert "2 submissions" in page and page.count("data:image/png;base64") == 5
    assert "flex-wrap:wrap" in page
    assert "<a href='feedback/alice.md'>alice</a>" in page
    bob = (tmp_path / "out" / "feedback" / "bob.md").read_text()
    assert "**Score: 2 / 5**" in bob and "test_add_random** (0/2, FAILED)" in bob
    assert "worst absolute error" in bob


def test_gradescope_zip_runs_against_a_fake_autograder_tree(toy, tmp_path, make_submission
                                                             ) -> None:
    archive = build("toy", tmp_path / "toy.zip", solutions=toy.root.parent)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        z.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "solutions/toy/hidden/test_vectors.py",
            "autograder/cli.py", "dnn/data.py"} <= set(names)
    (root / "submission").mkdir()
    (root / "submission" / "vectors.py").write_text(CORRECT)
    source = root / "source"
    (root / "run_autograder").write_bytes((source / "run_autograder").read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable,
           "PYTHONPATH": str(source)}
    subprocess.run(["bash", str(root / "run_autograder")], env=env, check=True, timeout=300)
    result = json.loads((root / "results" / "results.json").read_text())
    assert result["score"] == 5.0 and len(result["tests"]) == 3

    (root / "submission" / "vectors.py").unlink()  # nothing to grade: still a results file
    (root / "results" / "results.json").unlink()
    subprocess.run(["bash", str(root / "run_autograder")], env=env, check=True, timeout=300)
    assert json.loads((root / "results" / "results.json").read_text())["score"] == 0
