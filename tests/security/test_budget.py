"""Stalling the batch, measured: a module whose import never returns is found once per
submission, and a submission slow in every test is stopped by its grading budget with the
results of the tests that ran kept."""

import shutil
from pathlib import Path

from autograder.assignment import Assignment
from autograder.grading.grade import grade_one
from autograder.grading.judge import run_hidden_tests
from tests.security.test_attacks import HERE, TOY

SLOW_EVERYWHERE = '''
import time

def add(a, b):
    time.sleep(4)  # under the call limit of 5 s, every time
    return a + b

class Scaler:
    def __init__(self, k):
        self.k = k
    def forward(self, x):
        return self.k * x
'''


def _toy(root: Path, suite_seconds: float | None = None) -> Assignment:
    toy = root / "solutions" / "toy"
    shutil.copytree(TOY, toy)
    if suite_seconds is not None:
        config = toy / "assignment.toml"
        config.write_text(config.read_text() + f"suite_seconds = {suite_seconds}\n")
    return Assignment.load(toy)


def test_an_import_that_never_returns_costs_one_call_limit(tmp_path: Path) -> None:
    """The first test that imports the module waits for the call limit; every later test
    fails at once with the same sentence (each would otherwise wait its own limit)."""
    toy = _toy(tmp_path)
    for name in ("sleep_on_import", "busy_loop_on_import"):
        report = run_hidden_tests(toy, HERE / "attacks" / name)
        assert not report.error and len(report.outcomes) == 3, report
        first, *later = report.outcomes
        assert all("importing vectors.py did not finish" in o.feedback
                   for o in report.outcomes), report.outcomes
        assert first.seconds >= toy.limits.call_seconds
        assert all(o.seconds < toy.limits.call_seconds for o in later), later


def test_a_slow_submission_stops_at_its_budget_and_keeps_what_ran(tmp_path: Path) -> None:
    toy = _toy(tmp_path, suite_seconds=6)
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "vectors.py").write_text(SLOW_EVERYWHERE)
    result = grade_one(tmp_path / "slow", toy, tmp_path / "out", name="slow")
    by_name = {t["name"]: t for t in result["tests"]}
    assert result["status"] == "graded", result
    # 4 s per call: test_add_random starts in time; test_scaler, two calls later, does not
    assert by_name["test_add_random"]["status"] == "passed", "the first test keeps its points"
    assert "time budget of 6 s" in by_name["test_scaler"]["output"]
    assert result["score"] == sum(t["score"] for t in result["tests"] if t["status"] == "passed")
