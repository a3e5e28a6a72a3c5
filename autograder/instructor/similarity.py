"""`autograder similarity DIR --assignment ID`: pairs of submissions whose code is too alike.

copydetect computes winnowing fingerprints (the algorithm behind MOSS) of each submission's
module files, with the released stubs as boilerplate so that the code everyone was given does
not count. Each submission is compared as one file (its modules concatenated in a fixed order),
so copying across modules and reordered functions are found as well. The HTML page lists the
pairs above the threshold with the matching regions side by side.
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.assignment import Assignment
from autograder.grading.batch import discover
from autograder.grading.intake import IntakeError, take_in


@dataclass(frozen=True)
class SimilarPair:
    first: str
    second: str
    similarity: float  # the larger of the two shares of copied tokens, 0..1
    first_code: str  # HTML with the matching regions highlighted
    second_code: str


def _joined(folder: Path, modules: list[str]) -> str:
    return "\n".join((folder / f"{m}.py").read_text(errors="replace") for m in modules
                     if (folder / f"{m}.py").is_file())


def _submissions(paths: list[Path], spec: Assignment, work: Path) -> dict[str, Path]:
    """Student -> the work copy of their module files. A results folder (from `grade`) holds
    each student's submission copy under NAME/submission."""
    found: dict[str, Path] = {}
    for path in paths:
        copies = sorted(path.glob("*/submission")) if path.is_dir() else []
        if copies:
            found.update({copy.parent.name: copy for copy in copies})
            continue
        for name, source in discover([path], spec.id):
            try:
                found[name] = take_in(source, spec, work / "intake" / name).folder
            except IntakeError:
                continue  # nothing gradable, nothing to compare
    return found


def similar_pairs(paths: list[Path], spec: Assignment, *, threshold: float = 0.5
                  ) -> list[SimilarPair]:
    """Every pair of submissions sharing more than `threshold` of either one's code."""
    from copydetect import CopyDetector

    with tempfile.TemporaryDirectory(prefix="autograder-similarity-") as tmp:
        work = Path(tmp)
        detector = CopyDetector(extensions=["py"], display_t=threshold, silent=True,
                                autoopen=False, noise_t=25, guarantee_t=30)
        for name, folder in sorted(_submissions(paths, spec, work).items()):
            target = work / "joined" / name / "submission.py"  # one folder per student
            target.parent.mkdir(parents=True)
            target.write_text(_joined(folder, spec.modules))
            detector.add_file(str(target))
        stub = work / "stub" / "stub.py"
        stub.parent.mkdir()
        stub.write_text(_joined(spec.released, spec.modules))
        detector.add_file(str(stub), type="boilerplate")
        if len(detector.test_files) < 2:
            return []
        detector.run()
        pairs = [SimilarPair(Path(a).parent.name, Path(b).parent.name, max(sa, sb), ca, cb)
                 for sa, sb, a, b, ca, cb, _ in detector.get_copied_code_list()]
    return sorted(pairs, key=lambda p: -p.similarity)


def write_page(pairs: list[SimilarPair], out: Path, *, title: str, threshold: float) -> Path:
    """The HTML page: one section per pair, the two submissions side by side."""
    sections = "".join(
        f"<h2>{html.escape(p.first)} and {html.escape(p.second)}: {p.similarity:.0%}</h2>"
        f"<div class='pair'><pre>{p.first_code}</pre><pre>{p.second_code}</pre></div>"
        for p in pairs) or "<p>No pair above the threshold.</p>"
    page = ("<!doctype html><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width'><title>{html.escape(title)}</title><style>"
            "body{font-family:sans-serif;margin:2em}.pair{display:flex;gap:1em}"
            "pre{flex:1;overflow:auto;max-height:40em;background:#f6f6f6;padding:.5em;"
            "font-size:12px}.highlight-red{background:#f8c0c0}.highlight-green"
            "{background:#c0f0c0}</style>"
            f"<h1>{html.escape(title)}: {len(pairs)} pairs above {threshold:.0%} similarity"
            "</h1><p>Highlighted: code the two submissions share beyond the released stubs. "
            "Similarity is a reason to look, not proof.</p>" + sections)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page)
    return out
