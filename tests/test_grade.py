"""The grading pipeline end to end on the toy assignment: result files, CSV, resume, bad input."""

import csv
import json
import zipfile

from autograder.grading.grade import grade
from tests.test_judge import CORRECT


def _batch(toy, tmp_path, sources, **kwargs):
    return grade(sources, assignment_id="toy", out=tmp_path / "out",
                 solutions=toy.root.parent, **kwargs)


def test_batch_writes_gradescope_results_and_a_csv(toy, tmp_path, make_submission) -> None:
    good = make_submission({"vectors.py": CORRECT}, "alice")
    broken_zip = tmp_path / "bob.zip"
    broken_zip.write_bytes(b"garbage")
    empty = make_submission({"notes.txt": "hi"}, "carol")
    results = _batch(toy, tmp_path, [good, broken_zip, empty])
    assert [r["score"] for r in results] == [5.0, 0.0, 0.0]

    alice = json.loads((tmp_path / "out" / "alice" / "results.json").read_text())
    assert alice["max_score"] == 5.0 and alice["status"] == "graded"
    assert {t["name"] for t in alice["tests"]} == {"test_add_random", "test_add_ints",
                                                  "test_scaler"}
    assert all({"score", "max_score", "output", "visibility", "tags"} <= set(t)
               for t in alice["tests"])
    assert alice["parts"]["sums"] == {"score": 3.0, "max_score": 3.0}
    assert alice["isolation"] in ("bwrap", "process") and "execution_time" in alice

    bob = json.loads((tmp_path / "out" / "bob" / "results.json").read_text())
    assert bob["status"] == "error" and "not a readable zip" in bob["output"]
    carol = json.loads((tmp_path / "out" / "carol" / "results.json").read_text())
    assert "none of the module files" in carol["output"]

    rows = list(csv.DictReader((tmp_path / "out" / "scores.csv").open()))
    assert [(r["student"], r["total"]) for r in rows] == [("alice", "5.0"), ("bob", "0.0"),
                                                          ("carol", "0.0")]


def test_rerun_skips_finished_submissions_unless_forced(toy, tmp_path, make_submission) -> None:
    good = make_submission({"vectors.py": CORRECT}, "alice")
    _batch(toy, tmp_path, [good])
    result_file = tmp_path / "out" / "alice" / "results.json"
    stamp = result_file.stat().st_mtime_ns
    _batch(toy, tmp_path, [good])
    assert result_file.stat().st_mtime_ns == stamp
    _batch(toy, tmp_path, [good], force=True)
    assert result_file.stat().st_mtime_ns != stamp


def test_zip_submissions_grade_like_folders(toy, tmp_path) -> None:
    archive = tmp_path / "dave.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("dave/vectors.py", CORRECT)
    assert _batch(toy, tmp_path, [archive])[0]["score"] == 5.0


def test_missing_module_is_noted(toy, tmp_path, make_submission) -> None:
    toy_two = toy.root / "assignment.toml"
    toy_two.write_text(toy_two.read_text().replace('modules = ["vectors"]',
                                                   'modules = ["vectors", "extra"]'))
    (toy.root / "extra.py").write_text("")
    result = _batch(toy, tmp_path, [make_submission({"vectors.py": CORRECT}, "erin")])[0]
    assert "missing module files: extra.py" in result["output"]
    assert result["score"] == 5.0
