"""The late policy and the LMS exports, on graded toy results."""

import csv
import io
from pathlib import Path

from autograder.assignment import Assignment
from autograder.grading.grade import grade
from autograder.grading.late import LatePolicy, parse_time, read_timestamps
from autograder.integrations.exports import canvas_csv, moodle_csv
from tests.conftest import FIXTURES
from tests.test_judge import CORRECT

LMS = FIXTURES / "lms"
POLICY = '''
[late]
deadline = "2026-12-10T23:59:00+01:00"
penalty_per_day = 10
max_penalty = 30
grace_days = 1
'''


def test_days_late_and_the_penalty_follow_the_policy() -> None:
    rule = LatePolicy(parse_time("2026-12-10T23:59:00+01:00"), 10, 30, grace_days=1)
    assert rule.days_late(parse_time("2026-12-10T23:58:59+01:00")) == 0
    assert rule.days_late(parse_time("2026-12-10 22:59:01.5 UTC")) == 1  # one second late
    assert rule.penalty(parse_time("2026-12-11T23:59:00+01:00"), 100) == 0  # the grace day
    assert rule.penalty(parse_time("2026-12-12T10:00:00+01:00"), 100) == 10
    assert rule.penalty(parse_time("2026-12-31T10:00:00+01:00"), 50) == 15  # capped at 30%


def _graded(toy: Assignment, tmp_path: Path, make_submission) -> list[dict]:
    (toy.root / "assignment.toml").write_text((toy.root / "assignment.toml").read_text()
                                              + POLICY)
    submitted = tmp_path / "submitted"
    for student, stamp in (("alice", "2026-12-10 20:00:00.000000 UTC"),
                           ("bob", "2026-12-13 12:00:00.000000 UTC")):
        folder = submitted / student / "toy"
        folder.mkdir(parents=True)
        (folder / "vectors.py").write_text(CORRECT)
        (folder / "timestamp.txt").write_text(stamp)  # as nbgrader writes it
    carol = make_submission({"vectors.py": CORRECT}, "carol")
    stamps = tmp_path / "stamps.csv"
    stamps.write_text("student,timestamp\ncarol,2026-12-12T09:00:00+01:00\n")
    return grade([submitted, carol], assignment_id="toy", out=tmp_path / "out",
                 solutions=toy.root.parent, timestamps=read_timestamps(stamps))


def test_late_submissions_lose_their_penalty_and_say_so(toy: Assignment, tmp_path: Path,
                                                       make_submission) -> None:
    results = {r["student"]: r for r in _graded(toy, tmp_path, make_submission)}
    assert results["alice"]["score"] == 5 and results["alice"]["late"]["days_late"] == 0
    assert results["bob"]["late"]["days_late"] == 3 and results["bob"]["raw_score"] == 5
    assert results["bob"]["score"] == 5 - 0.2 * 5  # 3 days, 1 free: 20%
    assert results["carol"]["late"]["days_late"] == 2 and results["carol"]["score"] == 4.5
    rows = {r["student"]: r for r in csv.DictReader(
        (tmp_path / "out" / "scores.csv").open())}
    assert (rows["bob"]["raw_total"], rows["bob"]["late_penalty"], rows["bob"]["total"]) == (
        "5.0", "1.0", "4.0")


def test_exports_follow_the_documented_layouts(toy: Assignment, tmp_path: Path,
                                               make_submission) -> None:
    results = _graded(toy, tmp_path, make_submission)
    sample = list(csv.reader((LMS / "canvas_gradebook_export.csv").open()))
    exported = list(csv.reader(io.StringIO(canvas_csv(results, "A01 (4711)",
                                                      LMS / "canvas_gradebook_export.csv"))))
    assert exported[0] == sample[0], "the same columns as Canvas's own export"
    assert exported[1][0].strip() == "Points Possible" and exported[1][5] == "5"
    by_login = {row[3]: row for row in exported[2:]}
    assert by_login["alice"][:5] == sample[2][:5] and by_login["alice"][5] == "5"
    assert by_login["bob"][5] == "4" and by_login["carol"][0] == "carol"

    moodle = list(csv.reader(io.StringIO(moodle_csv(results, "A01"))))
    sample = list(csv.reader((LMS / "moodle_grade_import.csv").open()))
    assert moodle[0] == sample[0] and len(moodle) == 4
    assert moodle[2][:2] == ["bob", "4"] and "late penalty 1" in moodle[2][2]
