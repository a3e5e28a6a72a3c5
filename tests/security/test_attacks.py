"""The red-team suite: hostile and broken submissions, graded in one batch through the whole
pipeline (intake, static checks, sandboxed judge, scoring, result files).

Each attack must end with a result that gives exactly the points it really computed and says
what was stopped; the batch goes on; nothing outside a submission's result folder changes; no
secret (hidden tests, solution, the grader's environment) reaches anything a student sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import threading
import tomllib
from dataclasses import dataclass
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any

import pytest

from autograder.grading import judge_server
from autograder.grading.grade import grade
from autograder.sandbox.launcher import bwrap_works
from tests.security import builders

HERE = Path(__file__).parent
TOY = HERE.parent / "fixtures" / "toy"
ATTACKS = tomllib.loads((HERE / "attacks.toml").read_text())["attack"]
# Planted where an attacker would look; none may appear in any output a student sees.
HIDDEN_CANARY = "CANARY-HIDDEN-TEST-3f9c1e"
SOLUTION_CANARY = "CANARY-SOLUTION-8d2b7a"
SECRET_FILE_CANARY = "CANARY-SECRET-FILE-51ae04"
ENV_CANARY = "CANARY-GRADER-ENV-c0ffee"
CANARIES = (HIDDEN_CANARY, SOLUTION_CANARY, SECRET_FILE_CANARY, ENV_CANARY)
# The batch is graded on Dask workers, three at a time, as `autograder grade --workers 3` would:
# most attacks wait on a limit (sleeps, stalls, killed workers), so one at a time left the CPU
# idle (234 s for the batch serially on 2026-12-07).
WORKERS = 3

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="the red-team suite needs bubblewrap "
                                "(apt-get install bubblewrap); scripts/bootstrap.sh installs it")


@dataclass
class Batch:
    root: Path
    out: Path
    results: dict[str, dict[str, Any]]
    before: dict[str, str]  # file -> sha256 of every file outside out/, before grading
    after: dict[str, str]
    connections: list[str]  # what reached the loopback listener


def _tree_hashes(root: Path, skip: Path) -> dict[str, str]:
    hashes = {}
    for folder, dirs, files in os.walk(root):
        if Path(folder) == skip:
            dirs[:] = []
            continue
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                hashes[str(path)] = "link:" + os.readlink(path)
            elif path.stat().st_size < 2**26:
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:  # the sparse 2 GB file: size and mtime are enough
                hashes[str(path)] = f"size:{path.stat().st_size}:{path.stat().st_mtime_ns}"
    return hashes


def _toy_with_canaries(root: Path) -> Path:
    """A private toy assignment: torch allowed (for the Tensor attack) and canaries planted."""
    toy = root / "solutions" / "toy"
    shutil.copytree(TOY, toy)
    config = toy / "assignment.toml"
    config.write_text(config.read_text().replace('forbidden_imports = ["torch"]',
                                                 "forbidden_imports = []"))
    hidden = toy / "hidden" / "test_vectors.py"
    hidden.write_text(f"# {HIDDEN_CANARY}\n" + hidden.read_text())
    solution = toy / "vectors.py"
    solution.write_text(solution.read_text().replace(
        "return a + b", f"return a + b  # {SOLUTION_CANARY}"))
    return toy


class _Listener:
    """A loopback TCP server on the grader's side that records every connection."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.seen: list[str] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, peer = self.server.accept()
            except OSError:
                return
            self.seen.append(str(peer))
            conn.close()


def _build(attack: dict[str, Any], submissions: Path, secrets: Path) -> Path:
    if "build" in attack:
        return getattr(builders, attack["build"])(submissions, secrets)
    folder = submissions / attack["name"]
    shutil.copytree(HERE / "attacks" / attack["name"], folder)
    return folder


def run_batch(root: Path) -> Batch:
    """Build every attack under `root` and grade them all in one batch, as an instructor would;
    the grader's environment holds a secret and a loopback server listens meanwhile."""
    toy = _toy_with_canaries(root)
    secrets = root / "secrets"  # a folder of the grader's that links and zips point at
    secrets.mkdir()
    (secrets / "secret.txt").write_text(SECRET_FILE_CANARY)
    submissions = root / "submissions"
    submissions.mkdir()
    paths = [_build(attack, submissions, secrets) for attack in ATTACKS]
    listener = _Listener()
    (submissions / "network" / "port.txt").write_text(str(listener.port))
    out = root / "out"
    before = _tree_hashes(root, skip=out)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTOGRADER_TEST_SECRET", ENV_CANARY)
        results = grade(paths, assignment_id="toy", out=out, solutions=toy.parent,
                        workers=WORKERS)
    listener.server.close()
    return Batch(root, out, {r["student"]: r for r in results}, before,
                 _tree_hashes(root, skip=out), listener.seen)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return run_batch(tmp_path_factory.mktemp("redteam"))


@pytest.mark.parametrize("attack", ATTACKS, ids=[a["name"] for a in ATTACKS])
def test_attack_earns_only_what_it_computed(batch: Batch, attack: dict[str, Any]) -> None:
    result = batch.results[attack["name"]]
    text = json.dumps(result)
    assert result["score"] == attack["points"], text
    assert any(m in text for m in builders.messages(attack)), text
    if result["status"] == "graded":
        assert result["isolation"] == "bwrap"


@pytest.mark.parametrize("attack", ATTACKS, ids=[a["name"] for a in ATTACKS])
def test_no_secret_reaches_what_a_student_sees(batch: Batch, attack: dict[str, Any]) -> None:
    folder = batch.out / attack["name"]
    for path in [p for p in folder.rglob("*") if p.is_file() and "submission" not in p.parts]:
        text = path.read_text(errors="replace")
        leaked = [c for c in CANARIES if c in text]
        assert not leaked, f"{path.name} shows {leaked}"


def test_every_attack_has_a_result_and_the_batch_went_on(batch: Batch) -> None:
    assert sorted(batch.results) == sorted(a["name"] for a in ATTACKS)
    for attack in ATTACKS:
        assert (batch.out / attack["name"] / "results.json").is_file()
    csv = (batch.out / "scores.csv").read_text().splitlines()
    assert len(csv) == 1 + len(ATTACKS)


def test_nothing_outside_the_result_folders_changed(batch: Batch) -> None:
    changed = {p for p in batch.before.keys() | batch.after.keys()
               if batch.before.get(p) != batch.after.get(p)}
    assert changed == set()


def test_only_the_grader_writes_result_files(batch: Batch) -> None:
    """Attacks spray results.json/junit.xml/score.txt wherever they can: none may land."""
    forged = [p for name in ("results.json", "outcomes.json", "junit.xml", "score.txt")
              for p in batch.root.rglob(name) if p.parent.parent != batch.out]
    assert forged == []


def test_no_connection_reached_the_grader(batch: Batch) -> None:
    assert batch.connections == []


def test_no_process_outlives_the_batch(batch: Batch) -> None:
    """Fork bombs, spinning threads and setsid children all end with their sandbox: nothing
    this test process started (judge runs, bubblewrap, zygotes, workers) is still running."""
    parents = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:  # the fields after the command name: state, ppid, ...
            parents[int(stat_file.parent.name)] = int(
                stat_file.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue

    def descends_from_us(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    # The warm judge itself stays up between batches, idle: its runs must all have ended. So
    # does multiprocessing's resource tracker, which the Dask workers' start-up began.
    server = judge_server._shared.get("server")
    warm = server.process.pid if server is not None and server.process is not None else None
    tracker = resource_tracker._resource_tracker._pid  # type: ignore[attr-defined]
    assert [pid for pid in parents if descends_from_us(pid) and pid not in (warm, tracker)] == []


def test_the_leak_detector_sees_a_leak_without_bubblewrap(tmp_path: Path, make_submission
                                                          ) -> None:
    """Proof that the canary checks can fail: under `--isolation process` (a plain subprocess,
    flagged in every result) a search of the grader's temp tree finds the hidden tests and the
    solution. (The search is bounded: a walk of the whole host takes longer than a call may.)"""
    toy = _toy_with_canaries(tmp_path)
    probe = make_submission({"vectors.py": """
import os


def add(a, b):
    found = []
    for folder, _, files in os.walk(os.path.join(os.getcwd(), "..", "..", "..")):
        for name in files:
            try:
                text = open(os.path.join(folder, name), errors="replace").read(100000)
            except OSError:
                continue
            found += [line for line in text.splitlines() if "CANARY" in line][:3]
    raise RuntimeError(f"LOOT {found!r}")


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
"""}, "probe")
    result = grade([probe], assignment_id="toy", out=tmp_path / "out", isolation="process",
                   solutions=toy.parent)[0]
    assert result["isolation"] == "process" and result["score"] == 2
    text = json.dumps(result)
    assert HIDDEN_CANARY in text or SOLUTION_CANARY in text, text
