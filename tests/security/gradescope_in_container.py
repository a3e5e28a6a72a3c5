"""The Gradescope bundle inside the Docker-like container (see container.py), as root.

Usage: python -m tests.security.gradescope_in_container FD. Builds the toy's zip, unpacks it
into a fake /autograder (at /tmp/autograder: Gradescope's own folders are world-readable), and
runs its run_autograder on three submissions: a correct one, one that forges results.json
everywhere it can and returns zeros, and none at all. Writes {name: results.json} to FD.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder.integrations.gradescope import build
from tests.security.builders import CORRECT

FORGER = '''"""Forgery: a perfect results.json wherever Gradescope or the grader could read one."""
import glob
import json
import os

FULL = json.dumps({"score": 100, "tests": [{"name": "all", "score": 100, "max_score": 100}]})


def _forge():
    forged = []
    for root in ("/autograder", "/tmp/autograder"):
        for folder in [root, *glob.glob(root + "/*"), *glob.glob(root + "/*/*"),
                       *glob.glob(root + "/*/*/*")]:
            try:
                with open(os.path.join(folder, "results.json"), "w") as out:
                    out.write(FULL)
                forged.append(folder)
            except OSError:
                pass
    return forged


def add(a, b):
    raise RuntimeError(f"FORGED {_forge()!r}")


class Scaler:
    def __init__(self, k): pass
    def forward(self, x): return np.zeros(np.shape(x))
'''


def run_bundle(root: Path, files: dict[str, str] | None) -> dict:
    """Grade one submission (None: an empty submission folder) with the unpacked bundle."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    for name, text in (files or {}).items():
        (root / "submission" / name).write_text(text)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable,
           "PYTHONPATH": str(root / "source")}
    subprocess.run(["bash", str(root / "run_autograder")], env=env, check=True, timeout=600)
    return json.loads((root / "results" / "results.json").read_text())


def main(argv: list[str]) -> None:
    root = Path("/tmp/autograder")
    root.mkdir(mode=0o755)
    toy = Path(__file__).resolve().parents[1] / "fixtures"
    with zipfile.ZipFile(build("toy", root / "toy.zip", solutions=toy)) as archive:
        archive.extractall(root / "source")
    for script in ("run_autograder", "setup.sh"):
        os.chmod(root / "source" / script, 0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    report = {"correct": run_bundle(root, {"vectors.py": CORRECT}),
              "forger": run_bundle(root, {"vectors.py": FORGER}),
              "nothing": run_bundle(root, None),
              "log": (root / "work" / "grade.log").read_text()[-3000:]}
    with os.fdopen(int(argv[1]), "w") as out:
        json.dump(report, out)


if __name__ == "__main__":
    main(sys.argv)
