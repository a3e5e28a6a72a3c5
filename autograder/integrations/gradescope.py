"""`autograder gradescope ID`: the zip Gradescope's autograder expects.

Gradescope unpacks the zip into /autograder/source and copies its run_autograder to
/autograder/. The zip holds setup.sh (checks the image's Python, installs bubblewrap and the
course), run_autograder (grades /autograder/submission with the CLI, then writes
/autograder/grading/results/results.json itself, also when grading itself fails), and the course
source: the engine, the library and solutions/ID.

Gradescope runs each submission in a Docker container as root, where bubblewrap cannot create
namespaces: the grader falls back to "uid" isolation (each sandbox runs as a user of its own).
So both scripts keep every course file out of other users' reach (the source, the submission,
the work and results folders are 0700; only the venv, outside the source, stays readable), and
the final results.json is rebuilt by `python -m autograder.integrations.gradescope finish` from
the grader's own report (in the 0700 work folder) with Gradescope's fields only: nothing the
submission wrote can reach it.
"""

from __future__ import annotations

import json
import math
import sys
import zipfile
from pathlib import Path
from typing import Any

from autograder import assignment as assignment_mod
from autograder.grading.results import write_atomic

SANDBOX_UIDS = "60000-60999"  # no user of the image may have these (setup.sh checks)

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
root=${{AUTOGRADER_ROOT:-/autograder}}
# The course needs Python 3.11 or newer (Ubuntu 22.04 ships 3.10): fail here, at build time.
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$(command -v "$candidate")
    break
  fi
done
if [ -z "$python" ]; then
  found=$(python3 --version 2>&1 || echo "no python3")
  echo "setup.sh: this autograder needs Python 3.11 or newer; this image has: $found." >&2
  echo "setup.sh: in the assignment's Autograder settings choose the base image" \\
       "'Ubuntu 24.04' (Python 3.12); Ubuntu 22.04 ships Python 3.10." >&2
  exit 1
fi
# The sandbox users: uids {uids}, which no user or group of the image may have.
taken=$(getent passwd | awk -F: -v lo={lo} -v hi={hi} '$3 >= lo && $3 <= hi {{print $1}}')
if [ -n "$taken" ]; then
  echo "setup.sh: users $taken have uids in {uids}, kept for the sandbox" >&2
  exit 1
fi
apt-get update -qq && apt-get install -y -qq bubblewrap python3-venv
"$python" -m venv "$root/venv"
"$root/venv/bin/pip" install --quiet -e "$root/source"
chmod -R a+rX "$root/venv"    # the sandbox users read the venv, never write it
chmod 0700 "$root/source"     # solutions, hidden tests: root only
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission, as root. AUTOGRADER_ROOT and AUTOGRADER_PYTHON exist
# for testing it outside Gradescope.
set -u
root=${{AUTOGRADER_ROOT:-/autograder}}
python=${{AUTOGRADER_PYTHON:-$root/venv/bin/python}}
export AUTOGRADER_SANDBOX_UIDS=${{AUTOGRADER_SANDBOX_UIDS:-{uids}}}
umask 077
# Without namespaces each sandbox runs as a user of its own: only the venv may be readable.
mkdir -p "$root/results"
chmod 0711 "$root"  # the sandbox users may pass through to the venv, not list
rm -rf "$root/work"
mkdir -m 0700 "$root/work"
chmod 0700 "$root/source" "$root/results" "$root/submission" 2>/dev/null
cd "$root/source"
"$python" -m autograder.cli grade "$root/submission" --assignment {assignment} \\
    --out "$root/work/out" --force --quiet > "$root/work/grade.log" 2>&1
# results.json is rebuilt from the grader's report, which only root could write
"$python" -m autograder.integrations.gradescope finish "$root/work/out/submission/results.json" \\
    "$root/results/results.json" >> "$root/work/grade.log" 2>&1 ||
  cat > "$root/results/results.json" <<'JSON'
{{"score": 0, "tests": [], "visibility": "visible",
 "output": "The grader failed before it could grade this submission. Tell the course staff."}}
JSON
"""

FAILED = {"score": 0, "tests": [], "visibility": "visible",
          "output": "The grader failed before it could grade this submission. Tell the course "
                    "staff."}
_TEST_STRINGS = ("name", "output", "status")

_SOURCE_FILES = ("pyproject.toml", "README.md")
_SOURCE_PACKAGES = ("autograder", "dnn")
_SKIP = {"__pycache__", ".pytest_cache", ".mypy_cache"}


def _number(value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _test(entry: dict[str, Any]) -> dict[str, Any]:
    test: dict[str, Any] = {k: str(entry[k]) for k in _TEST_STRINGS if k in entry}
    test.update(score=_number(entry["score"]), max_score=_number(entry["max_score"]),
                visibility="visible", tags=[str(t) for t in entry.get("tags", [])])
    return test


def final_result(report: dict[str, Any]) -> dict[str, Any]:
    """Gradescope's results.json from the grader's own: its fields only, each of its type."""
    return {"score": _number(report["score"]), "max_score": _number(report["max_score"]),
            "execution_time": _number(report.get("execution_time", 0)),
            "output": str(report.get("output", "")), "visibility": "visible",
            "tests": [_test(t) for t in report["tests"]],
            "extra_data": {"isolation": str(report.get("isolation", "")),
                           "status": str(report.get("status", ""))}}


def finish(report_path: Path, out: Path) -> None:
    """Write `out` from the grader's report at `report_path` (the failure document when it is
    missing or malformed)."""
    try:
        result = final_result(json.loads(report_path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as err:
        print(f"autograder gradescope: no usable report ({err})", file=sys.stderr)
        result = FAILED
    write_atomic(out, json.dumps(result, indent=1))


def _add_tree(archive: zipfile.ZipFile, folder: Path, arcname: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not _SKIP & set(path.parts):
            archive.write(path, f"{arcname}/{path.relative_to(folder).as_posix()}")


def build(assignment_id: str, out: Path, *, solutions: Path = assignment_mod.SOLUTIONS) -> Path:
    """Write the Gradescope autograder zip of one assignment to `out`."""
    spec = assignment_mod.load(assignment_id, solutions)
    repo = assignment_mod.REPO
    lo, _, hi = SANDBOX_UIDS.partition("-")
    scripts = (("setup.sh", SETUP_SH.format(uids=SANDBOX_UIDS, lo=lo, hi=hi)),
               ("run_autograder", RUN_AUTOGRADER.format(assignment=spec.id,
                                                        uids=SANDBOX_UIDS)))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in scripts:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
        for name in _SOURCE_FILES:
            archive.write(repo / name, name)
        for package in _SOURCE_PACKAGES:
            _add_tree(archive, repo / package, package)
        _add_tree(archive, spec.root, f"solutions/{spec.id}")
    return out


if __name__ == "__main__" and sys.argv[1:2] == ["finish"]:
    finish(Path(sys.argv[2]), Path(sys.argv[3]))
