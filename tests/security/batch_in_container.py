"""The red-team batch inside the Docker-like container (see container.py), as root.

Usage: python -m tests.security.batch_in_container FD [NAME...]. Grades every attack of
attacks.toml and attacks_uid.toml (or only NAMEs) in one batch, as test_attacks.py does, and
writes what the checks need as one JSON document to file descriptor FD: the results, and what
only this side can see (the container's /tmp is its own): files changed outside the result
folders, forged result files, canaries in result folders, connections, processes and files of
the sandbox users left behind, and whether the engine or the venv changed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from autograder.grading.grade import grade
from autograder.sandbox import uid as uid_mod
from tests.security import builders
from tests.security.test_attacks import (
    ATTACKS,
    CANARIES,
    ENV_CANARY,
    HERE,
    SECRET_FILE_CANARY,
    _Listener,
    _toy_with_canaries,
    _tree_hashes,
)

UID_ATTACKS = tomllib.loads((HERE / "attacks_uid.toml").read_text())
EXTRA = [{**a, "folder": "attacks_uid"} for a in UID_ATTACKS["attack"]]
REPO = HERE.parents[1]


def _build(attack: dict[str, Any], submissions: Path, secrets: Path) -> Path:
    if "build" in attack:
        return Path(getattr(builders, attack["build"])(submissions, secrets))
    folder = submissions / attack["name"]
    shutil.copytree(HERE / attack.get("folder", "attacks") / attack["name"], folder)
    return folder


def _engine_state() -> dict[str, str]:
    """Hashes of the engine (frozen copies in the container) and of what in the venv runs at
    every start (.pth files, sitecustomize), and the owner of every venv file: others may pip
    install into the shared venv meanwhile, a sandbox user owns nothing there."""
    state = {}
    for package in ("autograder", "dnn", "tests"):
        state.update(_tree_hashes(REPO / package, skip=REPO / "none"))
    users = set(uid_mod._uid_range())
    for prefix in {sys.prefix, sys.base_prefix}:
        for folder, _, files in os.walk(prefix):
            for name in files:
                path = os.path.join(folder, name)
                if os.lstat(path).st_uid in users:
                    state[path] = "owned by a sandbox user"
                elif folder.endswith("site-packages") and (
                        name.endswith(".pth") or name.endswith("customize.py")):
                    state[path] = Path(path).read_text(errors="replace")
    return state


def _shared_tmp_state(skip: Path) -> dict[str, str]:
    state = {}
    for top in sorted(set(uid_mod.SHARED_TMP)):
        if os.path.isdir(top):
            state.update(_tree_hashes(Path(top), skip=skip))
    return {p: h for p, h in state.items() if not p.startswith(str(skip))}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


def _left_by_sandbox_users() -> tuple[list[str], list[str]]:
    users = set(uid_mod._uid_range())
    processes = [f"{pid} {_cmdline(pid)}" for uid in users for pid in uid_mod.processes_of(uid)]
    files = []
    for top in sorted(set(uid_mod.SHARED_TMP)):
        for folder, dirs, names in os.walk(top):
            for name in dirs + names:
                path = os.path.join(folder, name)
                if os.lstat(path).st_uid in users:
                    files.append(path)
    return processes, files


def _leaks(out: Path, name: str) -> list[str]:
    leaked = []
    for path in (out / name).rglob("*"):
        if path.is_file() and "submission" not in path.parts:
            text = path.read_text(errors="replace")
            leaked += [f"{path.name}: {c}" for c in CANARIES if c in text]
    return leaked


def _result_files(root: Path, out: Path) -> set[str]:
    """Every results.json, outcomes.json, junit.xml or score.txt under the batch's folder and
    the folders every user may write to, but the grader's own result folders."""
    return {str(p) for n in ("results.json", "outcomes.json", "junit.xml", "score.txt")
            for top in [root, *map(Path, sorted(set(uid_mod.SHARED_TMP)))]
            if top.is_dir() for p in top.rglob(n) if p.parent.parent != out}


def run(attacks: list[dict[str, Any]]) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="redteam-"))
    toy = _toy_with_canaries(root)
    secrets = root / "secrets"
    secrets.mkdir()
    (secrets / "secret.txt").write_text(SECRET_FILE_CANARY)
    submissions = root / "submissions"
    submissions.mkdir()
    paths = [_build(attack, submissions, secrets) for attack in attacks]
    listener = _Listener()
    if (submissions / "network").is_dir():
        (submissions / "network" / "port.txt").write_text(str(listener.port))
    out = root / "out"
    before, engine_before = _tree_hashes(root, skip=out), _engine_state()
    tmp_before = _shared_tmp_state(skip=root)
    results_before = _result_files(root, out)
    start = time.perf_counter()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTOGRADER_TEST_SECRET", ENV_CANARY)
        # One at a time, unlike test_attacks.py: with uid isolation the submissions share the
        # container's disk, and disk_fill graded beside another made that one's judge fail
        # ("No space left on device", reported as the judge's failure; 2026-12-07).
        results = grade(paths, assignment_id="toy", out=out, solutions=toy.parent)
    seconds = time.perf_counter() - start
    listener.server.close()
    after, engine_after = _tree_hashes(root, skip=out), _engine_state()
    tmp_after = _shared_tmp_state(skip=root)
    processes, files = _left_by_sandbox_users()

    def changed(a: dict[str, str], b: dict[str, str]) -> list[str]:
        return sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))

    # only what the batch created counts: /tmp may hold a checkout with the main job's results
    forged = sorted(_result_files(root, out) - results_before)
    return {"results": {r["student"]: r for r in results}, "seconds": seconds,
            "changed": changed(before, after) + changed(tmp_before, tmp_after),
            "engine_changed": changed(engine_before, engine_after), "forged": forged,
            "leaks": {a["name"]: _leaks(out, a["name"]) for a in attacks},
            "connections": listener.seen, "left_processes": processes, "left_files": files,
            "result_files": sorted(p.name for p in out.iterdir()),
            "csv_rows": len((out / "scores.csv").read_text().splitlines())}


def main(argv: list[str]) -> None:
    wanted = set(argv[2:])
    attacks = [a for a in ATTACKS + EXTRA if not wanted or a["name"] in wanted]
    report = run(attacks)
    with os.fdopen(int(argv[1]), "w") as out:
        json.dump(report, out)


if __name__ == "__main__":
    main(sys.argv)
