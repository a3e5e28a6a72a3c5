"""Gradebook exports from a results folder, in the CSV layouts the LMSs document for import.

- Canvas (Grades > Import): the columns Student, ID, SIS User ID, SIS Login ID, Section, then
  one column per assignment titled "NAME (ID)" or just NAME for a new one; the second row may
  be "Points Possible". Canvas matches rows by ID, SIS User ID or SIS Login ID. Without a
  roster, the student names of the batch (nbgrader's student ids are usually logins) go into
  SIS Login ID; with `roster` (Canvas's own gradebook export) every column is copied from it.
- Moodle (Grades > Import > CSV file): a header row, one row per user, a column that identifies
  the user (here "username", mapped on import) and one column per grade item, plus a feedback
  column that may be mapped to the item's feedback.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _roster(path: Path | None) -> dict[str, dict[str, str]]:
    """SIS Login ID -> the roster row (a Canvas gradebook export)."""
    if path is None:
        return {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("Student", "").strip()
                and "Points Possible" not in r.get("Student", "")]
    return {r["SIS Login ID"]: r for r in rows if r.get("SIS Login ID")}


def canvas_csv(results: list[dict[str, Any]], column: str, roster: Path | None = None) -> str:
    """The Canvas import file: one row per student, `column` holding the (final) score."""
    known = _roster(roster)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CANVAS_IDENTITY, column])
    max_score = results[0]["max_score"] if results else 0
    writer.writerow(["Points Possible", "", "", "", "", f"{max_score:g}"])
    for r in sorted(results, key=lambda r: r["student"]):
        row = known.get(r["student"], {"Student": r["student"], "SIS Login ID": r["student"]})
        writer.writerow([row.get(c, "") for c in CANVAS_IDENTITY] + [f"{r['score']:g}"])
    return out.getvalue()


def moodle_csv(results: list[dict[str, Any]], item: str) -> str:
    """The Moodle import file: username, the grade item, and a one-line feedback."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", item, f"{item} feedback"])
    for r in sorted(results, key=lambda r: r["student"]):
        parts = ", ".join(f"{p} {e['score']:g}/{e['max_score']:g}" for p, e in r["parts"].items())
        late = r.get("late", {}).get("penalty", 0.0)
        note = f"; late penalty {late:g}" if late else ""
        writer.writerow([r["student"], f"{r['score']:g}", f"{parts}{note}"])
    return out.getvalue()
