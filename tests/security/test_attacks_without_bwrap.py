"""The red-team suite again, where bubblewrap cannot create namespaces (Docker, Gradescope,
Kubernetes), with the grader as root: `--isolation auto` must fall back to "uid".

The batch runs in a Docker-like container made by container.py (Docker's seccomp refusal of
namespaces, a container's own /tmp, a world-readable Python, the checkout closed as the README
says); batch_in_container.py grades every attack of attacks.toml and attacks_uid.toml there in
one batch and reports what it saw. For each attack: exactly its points (the same as under
bubblewrap), its message (attacks_uid.toml lists where a message legitimately differs), no
canary in its result folder; for the batch: no file changed outside the result folders (the
container's /tmp, /var/tmp and /dev/shm included), no forged result file, the engine and the
venv unchanged, no connection, and nothing of the sandbox users left: no process, no file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from autograder.sandbox import seccomp
from tests.security import builders
from tests.security.batch_in_container import EXTRA, UID_ATTACKS
from tests.security.test_attacks import ATTACKS

REPO = Path(__file__).resolve().parents[2]
ALL = ATTACKS + EXTRA
DIFFERENT = {d["name"]: d for d in UID_ATTACKS["different"]}
_BUDGET_SECONDS = 1500

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or not seccomp.supported(),
    reason="needs root, unshare(1) and seccomp: the test builds a Docker-like container")


def in_container(module: str, *args: str, timeout: float = _BUDGET_SECONDS
                 ) -> dict[str, Any]:
    """Run `python -m module FD args` in the Docker-like container; the JSON it writes to FD."""
    read, write = os.pipe()
    command = ["unshare", "--mount", "--propagation", "private", "--pid", "--fork",
               "--mount-proc", sys.executable, "-m",
               "tests.security.container", "--", sys.executable, "-m", module, str(write),
               *args]
    with subprocess.Popen(command, pass_fds=[write], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as child:
        os.close(write)
        with os.fdopen(read) as report:
            text = report.read()
        output = child.communicate(timeout=timeout)[0].decode(errors="replace")
    assert child.returncode == 0 and text, output[-4000:]
    report_data: dict[str, Any] = json.loads(text)
    return report_data


@pytest.fixture(scope="module")
def batch() -> dict[str, Any]:
    report = in_container("tests.security.batch_in_container")
    if os.environ.get("AUTOGRADER_REDTEAM_REPORT"):  # for the figures in the README
        Path(os.environ["AUTOGRADER_REDTEAM_REPORT"]).write_text(json.dumps(report))
    return report


def _own_loot_only(text: str) -> bool:
    """read_files may list its own submission copy (outside /submission in uid mode) only."""
    listed = re.findall(r"'(/[^:']+): b", text)
    return all(p.startswith("/tmp/autograder-uid-") and "/submission/" in p for p in listed)


@pytest.mark.parametrize("attack", ALL, ids=[a["name"] for a in ALL])
def test_attack_earns_only_what_it_computed(batch: dict[str, Any], attack: dict[str, Any]
                                            ) -> None:
    result = batch["results"][attack["name"]]
    text = json.dumps(result)
    assert result["score"] == attack["points"], text
    if result["status"] == "graded":
        assert result["isolation"] == "uid", text
        assert "unprivileged user of its own" in result["output"], text
    different = DIFFERENT.get(attack["name"])
    if different is None:
        assert any(m in text for m in builders.messages(attack)), text
    else:
        assert any(m in text for m in different["messages"]), text
        assert not different.get("own_loot") or _own_loot_only(text), text


@pytest.mark.parametrize("attack", ALL, ids=[a["name"] for a in ALL])
def test_no_secret_reaches_what_a_student_sees(batch: dict[str, Any], attack: dict[str, Any]
                                               ) -> None:
    assert batch["leaks"][attack["name"]] == []


def test_every_attack_has_a_result_and_the_batch_went_on(batch: dict[str, Any]) -> None:
    assert sorted(batch["results"]) == sorted(a["name"] for a in ALL)
    assert batch["result_files"] == sorted([a["name"] for a in ALL] + ["scores.csv"])
    assert batch["csv_rows"] == 1 + len(ALL)


def test_nothing_outside_the_result_folders_changed(batch: dict[str, Any]) -> None:
    """The batch's folder, and the folders every user may write to (/tmp, /dev/shm...)."""
    assert batch["changed"] == []


def test_the_engine_and_the_venv_are_unchanged(batch: dict[str, Any]) -> None:
    assert batch["engine_changed"] == []


def test_only_the_grader_writes_result_files(batch: dict[str, Any]) -> None:
    assert batch["forged"] == []


def test_no_connection_reached_the_grader(batch: dict[str, Any]) -> None:
    assert batch["connections"] == []


def test_nothing_of_the_sandbox_users_is_left(batch: dict[str, Any]) -> None:
    """No process of a sandbox uid still runs; no file of one is left where it could write."""
    assert batch["left_processes"] == [] and batch["left_files"] == []
