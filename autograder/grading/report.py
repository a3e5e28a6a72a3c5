"""`autograder report RESULTS_DIR`: an HTML report for the instructor and a feedback page per
student, from the results.json files of a graded batch."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

from autograder.grading import results as results_mod


def load_results(folder: Path) -> list[dict[str, Any]]:
    found = (results_mod.load(p) for p in sorted(folder.glob("*/results.json")))
    return [r for r in found if r is not None]


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _plots(results: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Score histogram per part, pass rate per test (a broken test stands out at 0% or far
    below its neighbours), and the distribution of grading time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parts = list(results[0]["parts"])
    plots: dict[str, list[str]] = {"Scores per part": []}
    # One small figure per part: the page wraps them to the screen's width (seven parts in
    # one wide figure ran off a laptop screen).
    for part in [*parts, "total"]:
        scores = [r["score"] if part == "total" else r["parts"][part]["score"] for r in results]
        top = results[0]["max_score"] if part == "total" else results[0]["parts"][part][
            "max_score"]
        fig, ax = plt.subplots(figsize=(3, 2.4))
        ax.hist(scores, bins=10, range=(0, top or 1), color="#4878a8")
        ax.set_title(f"{part} (max {top:g})", fontsize=9)
        ax.set_xlabel("score", fontsize=8)
        plots["Scores per part"].append(_png(fig))
        plt.close(fig)

    tests: dict[str, list[bool]] = {}
    for r in results:
        for t in r["tests"]:
            tests.setdefault(t["name"], []).append(t["status"] == "passed")
    names = sorted(tests)
    fig, ax = plt.subplots(figsize=(8, 0.25 * len(names) + 1))
    ax.barh(names, [100 * sum(v) / len(v) for v in (tests[n] for n in names)], color="#5a9b5a")
    ax.set_xlabel("% of submissions passing")
    ax.set_xlim(0, 100)
    plots["Pass rate per test"] = [_png(fig)]
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 2.6))
    ax.hist([r.get("execution_time", 0.0) for r in results], bins=20, color="#a86048")
    ax.set_xlabel("grading time per submission (s)")
    plots["Grading time"] = [_png(fig)]
    plt.close(fig)
    return plots


def feedback_markdown(result: dict[str, Any]) -> str:
    """What a student can be sent: score, parts, and each test with its feedback."""
    lines = [f"# {result['assignment']}: feedback for {result['student']}", "",
             f"**Score: {result['score']:g} / {result['max_score']:g}**", ""]
    if result.get("output"):
        lines += ["```", result["output"], "```", ""]
    lines += ["| part | score |", "|---|---|"]
    lines += [f"| {p} | {e['score']:g} / {e['max_score']:g} |"
              for p, e in result["parts"].items()]
    lines.append("")
    for test in result["tests"]:
        mark = "passed" if test["status"] == "passed" else "FAILED"
        lines.append(f"- **{test['name']}** ({test['score']:g}/{test['max_score']:g}, {mark}): "
                     + test["output"].replace("\n", "\n  "))
    return "\n".join(lines) + "\n"


def _regraded(result: dict[str, Any]) -> str:
    """'losses at 2026-12-02T10:00:00+00:00; ...' for a result with partial regrades."""
    return "; ".join(f"{', '.join(e['parts'])} at {e['at']}" for e in result.get("regraded", []))


def write_report(folder: Path) -> Path:
    """Write FOLDER/report.html and FOLDER/feedback/STUDENT.md; returns the report's path."""
    results = load_results(folder)
    if not results:
        raise ValueError(f"no results.json under {folder}")
    for result in results:
        results_mod.write_atomic(folder / "feedback" / f"{result['student']}.md",
                                 feedback_markdown(result))
    parts = list(results[0]["parts"])
    rows = "".join(
        "<tr><td><a href='feedback/{0}.md'>{0}</a></td>{1}<td>{2:g}</td><td>{3}</td>"
        "<td>{4}</td><td>{5}</td></tr>".format(
            html.escape(r["student"]),
            "".join(f"<td>{r['parts'][p]['score']:g}</td>" for p in parts), r["score"],
            html.escape(r["status"]), html.escape(r["isolation"]), html.escape(_regraded(r)))
        for r in results)
    images = "".join(
        f"<h2>{html.escape(title)}</h2><div class='plots'>"
        + "".join(f"<img src='data:image/png;base64,{data}' alt='{html.escape(title)}'>"
                  for data in figures) + "</div>"
        for title, figures in _plots(results).items())
    mean = sum(r["score"] for r in results) / len(results)
    page = (f"<!doctype html><meta charset='utf-8'><title>{results[0]['assignment']}</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px}"
            "table{border-collapse:collapse}tr:nth-child(even){background:#f3f3f3}"
            ".plots{display:flex;flex-wrap:wrap;gap:8px}img{max-width:100%;height:auto}"
            "</style><meta name='viewport' content='width=device-width'>"
            f"<h1>{html.escape(results[0]['assignment'])}: {len(results)} submissions, "
            f"mean {mean:.1f} / {results[0]['max_score']:g}</h1>{images}<h2>Students</h2>"
            "<table><tr><th>student</th>" + "".join(f"<th>{html.escape(p)}</th>" for p in parts)
            + "<th>total</th><th>status</th><th>isolation</th><th>regraded</th></tr>"
            + f"{rows}</table>")
    results_mod.write_atomic(folder / "report.html", page)
    return folder / "report.html"
