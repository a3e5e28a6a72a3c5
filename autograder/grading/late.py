"""The late policy of assignment.toml, applied to a graded result.

    [late]
    deadline = "2026-12-10T23:59:00+01:00"   # ISO 8601 with its time zone
    penalty_per_day = 10    # percent of the maximum score per started day late
    max_penalty = 50        # percent: the cap
    grace_days = 0          # started days late that cost nothing

When a submission was made comes from nbgrader's `timestamp.txt` in the submission folder, or
from a CSV given with the batch (`--timestamps FILE`: student,timestamp). The result keeps the
raw score, the days late and the penalty; `score` is what remains.
"""

from __future__ import annotations

import csv
import datetime
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.assignment import Assignment, SpecError

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class LatePolicy:
    deadline: datetime.datetime
    penalty_per_day: float  # percent of the maximum score
    max_penalty: float  # percent
    grace_days: int = 0

    def days_late(self, submitted: datetime.datetime) -> int:
        """Started days after the deadline (0 when on time)."""
        late = submitted - self.deadline
        return max(0, math.ceil(late / DAY)) if late > datetime.timedelta(0) else 0

    def penalty(self, submitted: datetime.datetime, max_score: float) -> float:
        charged = max(0, self.days_late(submitted) - self.grace_days)
        return round(max_score * min(self.max_penalty, charged * self.penalty_per_day) / 100, 6)


def parse_time(text: str) -> datetime.datetime:
    """An ISO 8601 time, or nbgrader's '2026-12-11 10:00:00.123456 UTC'; it needs a zone."""
    text = text.strip()
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return value


def policy(spec: Assignment) -> LatePolicy | None:
    data = tomllib.loads((spec.root / "assignment.toml").read_text()).get("late")
    if not data:
        return None
    try:
        return LatePolicy(parse_time(str(data["deadline"])), float(data["penalty_per_day"]),
                          float(data.get("max_penalty", 100)), int(data.get("grace_days", 0)))
    except (KeyError, ValueError) as err:
        raise SpecError(f"{spec.root / 'assignment.toml'} [late]: {err}") from None


def read_timestamps(path: Path) -> dict[str, str]:
    """student -> timestamp, from a CSV with the columns student,timestamp."""
    with path.open(newline="") as handle:
        return {row["student"]: row["timestamp"] for row in csv.DictReader(handle)}


def submitted_at(source: Path, student: str, given: dict[str, str] | None) -> str | None:
    if given and student in given:
        return given[student]
    stamp = source / "timestamp.txt" if source.is_dir() else None
    return stamp.read_text() if stamp and stamp.is_file() else None


def apply(result: dict[str, Any], rule: LatePolicy, stamp: str | None) -> dict[str, Any]:
    """The result with raw_score, late and the penalised score."""
    raw = float(result["score"])
    late: dict[str, Any] = {"deadline": rule.deadline.isoformat(), "submitted": None,
                            "days_late": 0, "penalty": 0.0}
    if stamp is not None:
        when = parse_time(stamp)
        late.update(submitted=when.isoformat(), days_late=rule.days_late(when),
                    penalty=rule.penalty(when, float(result["max_score"])))
    return {**result, "raw_score": raw, "late": late,
            "score": round(max(0.0, raw - late["penalty"]), 6)}
