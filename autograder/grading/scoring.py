"""All point arithmetic, in one place: outcomes in, per-part and total scores out."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.assignment import Assignment
from autograder.testing.outcomes import Outcome


@dataclass(frozen=True)
class Score:
    parts: dict[str, float]  # part -> points earned
    part_max: dict[str, float]  # part -> points possible (from assignment.toml)
    total: float
    max_total: float


def score(assignment: Assignment, outcomes: list[Outcome]) -> Score:
    """Each passing test earns its points; a part never earns more than assignment.toml gives
    it. Parts with no outcome (a judge that could not run) earn 0."""
    earned = dict.fromkeys(assignment.parts, 0.0)
    for outcome in outcomes:
        if outcome.passed and outcome.part in earned:
            earned[outcome.part] += outcome.max_points
    capped = {p: round(min(v, assignment.parts[p]), 6) for p, v in earned.items()}
    return Score(capped, dict(assignment.parts), round(sum(capped.values()), 6),
                 assignment.max_score)


def points_by_part(outcomes: list[Outcome]) -> dict[str, float]:
    """What the tests declare per part (for checking them against assignment.toml)."""
    declared: dict[str, float] = {}
    for outcome in outcomes:
        declared[outcome.part] = declared.get(outcome.part, 0.0) + outcome.max_points
    return declared
