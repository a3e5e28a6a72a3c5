"""Every bundled example submission gets exactly its expected score, through the real judge."""

import tomllib
from pathlib import Path

import pytest

from autograder.assignment import EXAMPLES
from autograder.grade import grade

ASSIGNMENTS = sorted(p.parent.name for p in EXAMPLES.glob("*/expected_scores.toml"))


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_examples_get_their_expected_scores(assignment_id: str, tmp_path: Path) -> None:
    folder = EXAMPLES / assignment_id
    expected = tomllib.loads((folder / "expected_scores.toml").read_text())
    submissions = sorted(p for p in folder.iterdir() if p.is_dir())
    assert sorted(p.name for p in submissions) == sorted(expected), "an example lacks a score"
    results = grade(submissions, assignment_id=assignment_id, out=tmp_path)
    got = {r["student"]: r["score"] for r in results}
    assert got == {name: float(score) for name, score in expected.items()}
    assert all(r["status"] == "graded" for r in results)


def test_every_assignment_has_graded_examples() -> None:
    from autograder.assignment import all_ids

    assert all_ids() == ASSIGNMENTS
