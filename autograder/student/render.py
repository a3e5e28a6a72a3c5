"""Terminal output of the student commands, with rich: tables and colour on a terminal, plain
text in CI logs, pipes and notebooks (rich detects which)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from autograder.student.check import CheckReport
from autograder.student.pack import Packed


def check_report(report: CheckReport, console: Console) -> None:
    spec = report.assignment
    table = Table(title=f"{spec.id}: public tests per part (the grade comes from the graded "
                        "tests, not from these)")
    for column in ("part", "points", "public tests passed", "still NotImplementedError"):
        table.add_column(column)
    for part in report.parts:
        style = "green" if part.tests and part.passed == part.tests and not part.unfinished \
            else "red" if part.unfinished else "yellow"
        table.add_row(part.part, f"{part.points:g}",
                      f"{part.passed}/{part.tests}" if part.tests else "-",
                      ", ".join(part.unfinished) or "-", style=style)
    console.print(table)
    passed = sum(report.public.values())
    console.print(f"public tests: {passed} of {len(report.public)} passed")
    if report.problems:
        console.print("[bold red]Fix before you submit:[/]")
        for problem in report.problems:
            console.print(f"  - {problem}", highlight=False)
    else:
        console.print("[green]The grader's checks find nothing wrong with this folder.[/]")
    for note in report.notes:
        console.print(f"  note: {note}", highlight=False)


def packed(result: Packed, console: Console) -> None:
    console.print(f"wrote {result.zip_path}", highlight=False)
    console.print("included: " + (", ".join(result.included) or "nothing"), highlight=False)
    if result.missing:
        console.print(f"[bold red]missing (their tests score 0):[/] {', '.join(result.missing)}",
                      highlight=False)
    if result.left_out:
        console.print("left out (the grader ignores them): " + ", ".join(result.left_out),
                      highlight=False)
