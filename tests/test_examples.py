"""The bundled example submissions are complete: every assignment has them, and every example
folder has its expected score. Grading them is CI's examples stage (`bash scripts/main.sh
--all`, which fails on any missed score), so that no example is graded twice in one CI run."""

import pytest

from autograder.assignment import EXAMPLES, all_ids
from autograder.authoring.examples import DEFAULT_SELECTION, expected_scores

ASSIGNMENTS = sorted(p.parent.name for p in EXAMPLES.glob("*/expected_scores.toml"))


def test_every_assignment_has_graded_examples() -> None:
    assert all_ids() == ASSIGNMENTS


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_example_has_an_expected_score(assignment_id: str) -> None:
    folders = sorted(p.name for p in (EXAMPLES / assignment_id).iterdir() if p.is_dir())
    expected = expected_scores(assignment_id)
    assert folders == sorted(expected), "an example lacks a score, or a score its example"
    assert set(DEFAULT_SELECTION) <= set(folders), "the main job grades these by default"
    assert expected["stub"] == 0
    assert expected["perfect"] == 100 and expected["alternative"] == 100
