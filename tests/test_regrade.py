"""Partial regrades: `grade(..., parts=[P])` reruns only P's graded tests on every submission,
keeps the other parts' results, and records when; the report shows it."""

from pathlib import Path

import pytest

from autograder.assignment import Assignment, SpecError
from autograder.grading.grade import grade
from autograder.grading.report import write_report
from tests.test_judge import CORRECT


def test_only_the_named_part_is_regraded(toy: Assignment, tmp_path: Path,
                                        make_submission) -> None:
    alice = make_submission({"vectors.py": CORRECT}, "alice")
    out = tmp_path / "out"
    [first] = grade([alice], assignment_id="toy", out=out, solutions=toy.root.parent)
    assert first["score"] == 5 and "regraded" not in first
    hidden = toy.root / "hidden" / "test_vectors.py"
    # A "fix" to the scaling test that alice now fails, and a change to a sums test that a
    # partial regrade of scaling must not pick up.
    hidden.write_text(hidden.read_text()
                      .replace("Scaler(2.5).forward(x), name=", "Scaler(3.5).forward(x), name=")
                      .replace('== 3, "add(1, 2) should be 3"', '== 4, "add(1, 2) should be 4"'))
    [again] = grade([alice], assignment_id="toy", out=out, solutions=toy.root.parent,
                    parts=["scaling"])
    assert again["parts"]["scaling"]["score"] == 0 and again["parts"]["sums"]["score"] == 3
    assert [e["parts"] for e in again["regraded"]] == [["scaling"]]
    assert {t["name"] for t in again["tests"]} == {t["name"] for t in first["tests"]}
    assert "scaling at 20" in write_report(out).read_text()
    with pytest.raises(SpecError, match="no part products"):
        grade([alice], assignment_id="toy", out=out, solutions=toy.root.parent,
              parts=["products"])
