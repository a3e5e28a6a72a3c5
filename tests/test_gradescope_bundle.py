"""The Gradescope bundle where Gradescope runs it: a Docker container, as root, where bubblewrap
cannot create namespaces ("uid" isolation), and setup.sh's check of the image's Python."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder.integrations.gradescope import build
from tests.security.test_attacks_without_bwrap import in_container
from tests.security.test_attacks_without_bwrap import pytestmark as _container

FIXTURES = Path(__file__).parent / "fixtures"
PYTHON_310 = """#!/bin/bash
if [ "$1" = --version ]; then echo "Python 3.10.12"; else exit 1; fi
"""


def test_setup_sh_fails_at_build_time_naming_the_image_on_python_310(tmp_path: Path) -> None:
    """Ubuntu 22.04 ships Python 3.10: setup.sh stops before installing anything."""
    with zipfile.ZipFile(build("toy", tmp_path / "toy.zip", solutions=FIXTURES)) as archive:
        setup = archive.read("setup.sh").decode()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").write_text(PYTHON_310)
    os.chmod(bin_dir / "python3", 0o755)
    (tmp_path / "setup.sh").write_text(setup)
    run = subprocess.run(["/bin/bash", str(tmp_path / "setup.sh")], capture_output=True,
                         text=True, env={"PATH": str(bin_dir), "AUTOGRADER_ROOT": str(tmp_path)},
                         timeout=60)
    assert run.returncode == 1
    assert "Python 3.10.12" in run.stderr and "'Ubuntu 24.04'" in run.stderr, run.stderr
    assert not (tmp_path / "venv").exists()


@pytest.fixture(scope="module")
def graded() -> dict:
    return in_container("tests.security.gradescope_in_container", timeout=900)


@_container
def test_the_bundle_grades_in_a_container_as_root_with_uid_isolation(graded: dict) -> None:
    result = graded["correct"]
    assert result["score"] == 5.0 and len(result["tests"]) == 3, graded["log"]
    assert result["extra_data"]["isolation"] == "uid"
    assert "unprivileged user of its own" in result["output"]


@_container
def test_nothing_the_submission_writes_reaches_results_json(graded: dict) -> None:
    result = graded["forger"]
    assert result["score"] == 0 and len(result["tests"]) == 3, result
    assert result["extra_data"]["isolation"] == "uid"
    assert "FORGED []" in json.dumps(result), result


@_container
def test_a_failed_grading_still_writes_results_json(graded: dict) -> None:
    assert graded["nothing"]["score"] == 0
