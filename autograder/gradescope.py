"""`autograder gradescope ID`: the zip Gradescope's autograder expects.

Gradescope unpacks the zip into /autograder/source and copies its run_autograder to
/autograder/. The zip holds setup.sh (installs bubblewrap and the course), run_autograder
(grades /autograder/submission with the CLI and writes /autograder/results/results.json, also
when grading itself fails), and the course source: the engine, the library and solutions/ID.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from autograder import assignment as assignment_mod

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq bubblewrap python3-venv python3-pip
cd /autograder/source
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet -e .
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. AUTOGRADER_ROOT and AUTOGRADER_PYTHON exist for
# testing it outside Gradescope.
set -u
root=${{AUTOGRADER_ROOT:-/autograder}}
python=${{AUTOGRADER_PYTHON:-$root/venv/bin/python}}
mkdir -p "$root/results"
cd "$root/source"
"$python" -m autograder.cli grade "$root/submission" --assignment {assignment} \\
    --out "$root/work" --force --quiet > "$root/work.log" 2>&1
result="$root/work/submission/results.json"
if [ -f "$result" ]; then
  cp "$result" "$root/results/results.json"
else
  cat > "$root/results/results.json" <<'JSON'
{{"score": 0, "tests": [], "visibility": "visible",
 "output": "The grader failed before it could grade this submission. Tell the course staff."}}
JSON
fi
"""

_SOURCE_FILES = ("pyproject.toml", "README.md")
_SOURCE_PACKAGES = ("autograder", "dnn")
_SKIP = {"__pycache__", ".pytest_cache", ".mypy_cache"}


def _add_tree(archive: zipfile.ZipFile, folder: Path, arcname: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not _SKIP & set(path.parts):
            archive.write(path, f"{arcname}/{path.relative_to(folder).as_posix()}")


def build(assignment_id: str, out: Path, *, solutions: Path = assignment_mod.SOLUTIONS) -> Path:
    """Write the Gradescope autograder zip of one assignment to `out`."""
    spec = assignment_mod.load(assignment_id, solutions)
    repo = assignment_mod.REPO
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH),
                           ("run_autograder", RUN_AUTOGRADER.format(assignment=spec.id))):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
        for name in _SOURCE_FILES:
            archive.write(repo / name, name)
        for package in _SOURCE_PACKAGES:
            _add_tree(archive, repo / package, package)
        _add_tree(archive, spec.root, f"solutions/{spec.id}")
    return out
