"""Partial regrades: after a graded test is fixed, regrade one part of every submission and
keep the other parts' results as they were (`autograder grade ... --part P`)."""

from __future__ import annotations

import datetime
from typing import Any

from autograder.testing.outcomes import Outcome


def outcomes_of(result: dict[str, Any]) -> list[Outcome]:
    """The outcomes a results.json was built from (its tests' output is the docstring, then
    the feedback of a failure)."""
    found = []
    for test in result.get("tests", []):
        doc, _, feedback = str(test["output"]).partition("\n")
        found.append(Outcome(name=str(test["name"]), nodeid="", doc=doc,
                             part=str((test.get("tags") or [""])[0]),
                             max_points=float(test["max_score"]),
                             passed=test["status"] == "passed",
                             feedback=feedback if test["status"] != "passed" else "",
                             seconds=0.0))
    return found


def merged(previous: dict[str, Any], fresh: list[Outcome], parts: list[str]) -> list[Outcome]:
    """The previous outcomes of the other parts, then the fresh ones of `parts`."""
    kept = [o for o in outcomes_of(previous) if o.part not in parts]
    return kept + [o for o in fresh if o.part in parts]


def history(previous: dict[str, Any], parts: list[str]) -> list[dict[str, Any]]:
    """The regrade log of a result: every earlier entry and this one (parts, UTC time)."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return [*previous.get("regraded", []), {"parts": sorted(parts), "at": now}]
