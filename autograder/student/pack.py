"""`autograder pack [FOLDER]`: the zip a student submits, with exactly what the grader takes.

The folder goes through the grader's own intake first (the same limits, the same files
dropped), then the zip gets the module files and the lab notebook; everything else is listed as
left out, so nothing is a surprise after the deadline.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.assignment import Assignment, find_root
from autograder.grading.intake import take_in

NOTEBOOK = "lab.ipynb"


@dataclass(frozen=True)
class Packed:
    zip_path: Path
    included: list[str]
    left_out: list[str]
    missing: list[str]  # module files the assignment needs and the folder lacks


def pack(folder: Path, out: Path | None = None) -> Packed:
    """Write the submission zip of the assignment folder at or above `folder` (IntakeError
    when the grader would refuse it)."""
    root = find_root(folder.resolve())
    spec = Assignment.load(root, any_folder_name=True)
    zip_path = out or Path.cwd() / f"{spec.id}-submission.zip"
    wanted = [f"{m}.py" for m in spec.modules] + [NOTEBOOK]
    with tempfile.TemporaryDirectory() as tmp:
        taken = take_in(root, spec, Path(tmp) / "taken").folder
        included = [name for name in wanted if (taken / name).is_file()]
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in included:
                archive.write(taken / name, name)
    left_out = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                      and str(p.relative_to(root)) not in included
                      and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts)
    missing = [f"{m}.py" for m in spec.modules if f"{m}.py" not in included]
    return Packed(zip_path, included, left_out, missing)
