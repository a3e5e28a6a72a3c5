"""Batches: finding submissions, Dask workers and a real Dask cluster, and crash safety."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grading.batch import discover
from autograder.grading.grade import grade
from tests.test_judge import CORRECT

WRONG = CORRECT.replace("return np.add(a, b)", "return np.subtract(a, b)")


def _submissions(root: Path, n: int) -> list[Path]:
    """n student folders, every third one wrong in `add`."""
    folders = []
    for i in range(n):
        folder = root / f"student{i:02d}"
        folder.mkdir(parents=True)
        (folder / "vectors.py").write_text(WRONG if i % 3 == 0 else CORRECT)
        folders.append(folder)
    return folders


def _scores(results: list[dict]) -> dict[str, float]:
    return {r["student"]: r["score"] for r in results}


def test_discover_understands_the_three_layouts(tmp_path: Path) -> None:
    nbgrader = tmp_path / "submitted"
    (nbgrader / "ann" / "toy").mkdir(parents=True)
    (nbgrader / "ann" / "toy" / "vectors.py").write_text("")
    (nbgrader / "ben" / "other").mkdir(parents=True)
    flat = tmp_path / "flat"
    _submissions(flat, 2)
    (flat / "zed.zip").write_bytes(b"")
    found = discover([nbgrader, flat, flat / "student00"], "toy")
    assert [(name, str(path.relative_to(tmp_path))) for name, path in found] == [
        ("ann", "submitted/ann/toy"), ("student00", "flat/student00"),
        ("student01", "flat/student01"), ("zed", "flat/zed.zip"),
        ("student00", "flat/student00")]


@pytest.mark.slow
def test_local_dask_workers_give_the_sequential_results(toy, tmp_path: Path) -> None:
    folders = _submissions(tmp_path / "subs", 4)
    kwargs = {"assignment_id": "toy", "solutions": toy.root.parent}
    one = grade(folders, out=tmp_path / "one", **kwargs)
    two = grade(folders, out=tmp_path / "two", workers=2, **kwargs)
    assert _scores(one) == _scores(two) == {f"student{i:02d}": 2.0 if i % 3 == 0 else 5.0
                                            for i in range(4)}


@pytest.mark.slow
def test_a_real_dask_cluster_grades_like_local(toy, tmp_path: Path) -> None:
    folders = _submissions(tmp_path / "subs", 10)
    kwargs = {"assignment_id": "toy", "solutions": toy.root.parent}
    scheduler_file = tmp_path / "scheduler.json"
    dask = Path(sys.executable).parent / "dask"
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(300):
            if scheduler_file.is_file() and scheduler_file.read_text().strip():
                break
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        procs += [subprocess.Popen([str(dask), "worker", address, "--nthreads", "1",
                                    "--no-dashboard", "--host", "127.0.0.1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                  for _ in range(2)]
        remote = grade(folders, out=tmp_path / "remote", scheduler=address, **kwargs)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)
    local = grade(folders, out=tmp_path / "local", **kwargs)
    assert _scores(remote) == _scores(local)
    assert len(remote) == 10


@pytest.mark.slow
def test_killed_batch_resumes_without_loss_or_duplicates(toy, tmp_path: Path) -> None:
    folders = _submissions(tmp_path / "subs", 6)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder.cli", "grade", str(tmp_path / "subs"),
               "--assignment", "toy", "--out", str(out), "--quiet"]
    env = {**os.environ, "AUTOGRADER_SOLUTIONS": str(toy.root.parent)}
    batch = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)  # the batch and everything it started
    batch.wait()
    first = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/results.json")}
    assert 1 <= len(first) < 6
    for path in out.glob("*/results.json"):
        json.loads(path.read_text())  # every result on disk is whole
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    after = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/results.json")}
    assert sorted(after) == [f.name for f in folders]
    assert all(after[name] == stamp for name, stamp in first.items())  # not graded twice
    rows = (out / "scores.csv").read_text().splitlines()
    assert len(rows) == 7 and len(set(rows)) == 7
