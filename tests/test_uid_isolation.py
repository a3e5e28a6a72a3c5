"""uid isolation's parts that need no container: what a user can reach, the course tree it must
not, uid leases, and which isolation a host gets."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.grading.results import ISOLATION_NOTES
from autograder.sandbox import launcher, reach, uid

NOBODY = 60999  # a uid and gid that own nothing here


@pytest.fixture
def public_tmp() -> Iterator[Path]:
    """A folder every user can reach (pytest's own temp folders are 0700)."""
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    yield folder
    shutil.rmtree(folder)


def test_reachable_follows_the_other_bits_of_every_folder_above(public_tmp: Path) -> None:
    tmp_path = public_tmp
    open_dir, closed = tmp_path / "open", tmp_path / "closed"
    for folder in (open_dir, closed):
        folder.mkdir()
        (folder / "f.txt").write_text("x")
    os.chmod(tmp_path, 0o755)
    os.chmod(closed, 0o700)
    if not all(p.stat().st_mode & 0o001 for p in tmp_path.parents):
        pytest.skip("a folder above the test's temp folder is private")
    assert reach.reachable(open_dir / "f.txt", NOBODY, NOBODY, 4)
    assert not reach.reachable(closed / "f.txt", NOBODY, NOBODY, 4)
    assert reach.exposed(open_dir, NOBODY, NOBODY) and not reach.exposed(closed, NOBODY, NOBODY)
    with pytest.raises(reach.UidSetupError, match="other users can read"):
        reach.require_hidden([closed, open_dir], NOBODY, NOBODY)
    with pytest.raises(reach.UidSetupError, match="Python environment"):
        reach.require_readable([closed], NOBODY, NOBODY)


def test_the_course_tree_is_the_checkout_or_every_folder_of_it_but_the_venv(tmp_path: Path
                                                                             ) -> None:
    repo = tmp_path / "course"
    for name in (".venv", "autograder", "dnn", "solutions", "examples", ".git", "x.egg-info"):
        (repo / name).mkdir(parents=True)
    (repo / "README.md").write_text("")
    assert reach.course_tree(repo, [tmp_path / "elsewhere"]) == [repo]
    assert reach.course_tree(repo, [repo / ".venv"]) == [repo / ".git", repo / "examples",
                                                         repo / "solutions"]


@pytest.mark.skipif(os.geteuid() != 0, reason="leases live in a folder of root's")
def test_every_sandbox_leases_a_uid_of_its_own() -> None:
    first, second = uid.lease(), uid.lease()
    try:
        assert first.uid != second.uid and {first.uid, second.uid} <= set(uid._uid_range())
        assert first.gid == first.uid and uid.processes_of(first.uid) == []
    finally:
        first.release()
        second.release()
    again = uid.lease()
    again.release()
    assert again.uid == min(first.uid, second.uid)


def test_which_isolation_a_host_gets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launcher, "bwrap_works", lambda: False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert launcher.resolve_isolation("auto") == "uid"
    assert launcher.resolve_isolation("process") == "process"
    with pytest.raises(RuntimeError, match="not usable"):
        launcher.resolve_isolation("bwrap")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert launcher.resolve_isolation("auto") == "process"
    with pytest.raises(RuntimeError, match="root"):
        launcher.resolve_isolation("uid")
    monkeypatch.setattr(launcher, "bwrap_works", lambda: True)
    assert launcher.resolve_isolation("auto") == "bwrap"


def test_every_result_without_bubblewrap_says_what_it_protects() -> None:
    assert "unprivileged user of its own" in ISOLATION_NOTES["uid"]
    assert "world-readable" in ISOLATION_NOTES["uid"]
    assert "does not hold against a dishonest submission" in ISOLATION_NOTES["process"]
