"""Isolation without namespaces, for a grader that runs as root ("uid" isolation).

Where bubblewrap cannot create namespaces (Docker's default seccomp profile refuses them, and so
do most Kubernetes pods), the sandbox cannot get a private view of the file system. What is left
is the kernel's oldest boundary, the user id. Each sandbox leases a uid and gid of its own (from
`AUTOGRADER_SANDBOX_UIDS`, default 60000-60999: no passwd or group entry, no running process)
and its processes run as that user with no supplementary groups, so for every file of the host
it gets the "other" permission bits only. A uid per sandbox, not one shared `nobody`: workers of a
parallel batch must not signal, trace or rewrite each other's submissions, and RLIMIT_NPROC
counts per uid.

What it may touch, set up here by root:
- a staging folder per sandbox (root, 0711): `engine/` (a root-owned copy of the engine's own
  packages, readable, not writable), `submission/` and `tmp/` (the sandbox user's, 0700): its
  only writable places besides the host's world-writable folders (/tmp, /dev/shm), where what
  it leaves is removed when it ends;
- the Python environment, which must be readable by any user (checked before it starts).
What it must not reach is checked before it starts (reach.py): the course tree, the
results folders; the judge's own temporary files are 0700 by construction (tempfile).
"""

from __future__ import annotations

import contextlib
import fcntl
import grp
import os
import pwd
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import reach
from autograder.sandbox.reach import UidSetupError

UID_RANGE = os.environ.get("AUTOGRADER_SANDBOX_UIDS", "60000-60999")
_LEASES = Path("/run/autograder-sandbox") if Path("/run").is_dir() else Path(
    tempfile.gettempdir()) / "autograder-sandbox-leases"
# Folders any user may write to: what the sandbox user leaves there is removed at the end.
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", tempfile.gettempdir())
_SKIP_COPY = shutil.ignore_patterns("__pycache__", "*.pyc")


@dataclass
class Lease:
    uid: int
    gid: int
    fd: int  # holds the flock on the lease file for as long as the sandbox lives

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _uid_range() -> range:
    first, _, last = UID_RANGE.partition("-")
    return range(int(first), int(last or first) + 1)


def _lease_dir() -> Path:
    _LEASES.mkdir(mode=0o700, exist_ok=True)
    info = _LEASES.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
        raise UidSetupError(f"{_LEASES} must be a folder of root's, mode 0700")
    return _LEASES


def _unknown_id(uid: int) -> bool:
    for lookup in (pwd.getpwuid, grp.getgrgid):
        try:
            lookup(uid)
            return False
        except KeyError:
            pass
    return True


def processes_of(uid: int) -> list[int]:
    """Pids of live processes (zombies, which hold nothing, are left out: a container's pid 1
    may never reap the workers of a killed warm process) whose real, effective or saved uid
    is `uid`."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError, ValueError, IndexError, StopIteration):
            fields = dict(x.split(":", 1) for x in status.read_text().splitlines() if ":" in x)
            if fields["State"].split()[0] != "Z" and uid in {
                    int(v) for v in fields["Uid"].split()[:3]}:
                found.append(int(status.parent.name))
    return found


def lease() -> Lease:
    """A uid (and gid of the same number) that nothing else on this host uses, held until
    `release` (or until this process dies: the lease is a flock)."""
    folder = _lease_dir()
    for uid in _uid_range():
        if not _unknown_id(uid):
            continue
        fd = os.open(folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if processes_of(uid):  # a process we do not know of: leave that uid alone
            os.close(fd)
            continue
        clean_shared_tmp(uid)  # what a grader that was killed left behind
        return Lease(uid, uid, fd)
    raise UidSetupError(f"no free sandbox uid in {UID_RANGE} (AUTOGRADER_SANDBOX_UIDS)")


@dataclass(frozen=True)
class Staging:
    root: Path
    engine: Path
    submission: Path
    tmp: Path
    free_at_start: dict[str, int]  # folder -> free bytes of its file system


def prepare(submission: Path, *, repo: Path, packages: Iterable[str], python: Iterable[Path],
            secrets: Iterable[Path]) -> tuple[Lease, Staging]:
    """Lease a user, check that it can read `python` (the interpreter, the venv's and the base
    prefixes) and cannot reach the checkout `repo` nor any of `secrets`, and stage its folder.
    Raises UidSetupError (or OSError), having released what it took."""
    lease_ = lease()
    try:
        python = list(python)
        reach.require_readable(python, lease_.uid, lease_.gid)
        reach.require_hidden([*reach.course_tree(repo, python[1:]), *secrets],
                             lease_.uid, lease_.gid)
        return lease_, stage(submission, [repo / p for p in packages], lease_)
    except BaseException:
        finish(None, lease_)
        raise


def _chown_tree(folder: Path, uid: int, gid: int) -> None:
    os.lchown(folder, uid, gid)
    for base, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.lchown(os.path.join(base, name), uid, gid)


def stage(submission: Path, packages: Iterable[Path], lease: Lease) -> Staging:
    """The sandbox's own folder: the engine (root's, read-only), the submission copy and a
    private tmp (the sandbox user's)."""
    root = Path(tempfile.mkdtemp(prefix="autograder-uid-"))
    os.chmod(root, 0o711)
    engine = root / "engine"
    engine.mkdir()
    os.chmod(engine, 0o755)  # not mkdir's mode: the umask (077 in run_autograder) masks it
    for package in packages:
        shutil.copytree(package, engine / package.name, ignore=_SKIP_COPY)
    for base, dirs, files in os.walk(engine):
        for name in dirs:
            os.chmod(os.path.join(base, name), 0o755)
        for name in files:
            os.chmod(os.path.join(base, name), 0o644)
    copy = root / "submission"
    shutil.copytree(submission, copy, symlinks=True)
    tmp = root / "tmp"
    tmp.mkdir()
    for folder in (copy, tmp):
        _chown_tree(folder, lease.uid, lease.gid)
        os.chmod(folder, 0o700)
    return Staging(root, engine, copy, tmp, free_space())


def _usage(folder: Path) -> int:
    """Bytes of disk the files under `folder` take."""
    used = 0
    for base, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                used += os.lstat(os.path.join(base, name)).st_blocks * 512
    return used


def _free_bytes(folder: str) -> tuple[int, int]:
    """(free, size) in bytes of the file system holding `folder`."""
    info = os.statvfs(folder)
    return info.f_bavail * info.f_frsize, info.f_blocks * info.f_frsize


def free_space() -> dict[str, int]:
    """Free bytes of every file system the sandbox user may write to, by folder."""
    found = {}
    for folder in sorted(set(SHARED_TMP)):
        with contextlib.suppress(OSError):
            found[folder] = _free_bytes(folder)[0]
    return found


def low_on_space(staging: Staging, margin_bytes: int) -> bool:
    """Whether a file system the sandbox user writes to is nearly full, by its own doing: less
    free than `margin_bytes`, a tenth of its size, and half of what was free when the sandbox
    started (a host that is already nearly full does not stop every test). One statvfs per
    folder: cheap enough after every call."""
    for folder, before in staging.free_at_start.items():  # the staging folder's is among them
        with contextlib.suppress(OSError):
            free, size = _free_bytes(folder)
            if free < min(margin_bytes, size // 10, before // 2):
                return True
    return False


def reset_if_over(staging: Staging, submission: Path, lease: Lease, cap_bytes: int,
                  force: bool = False) -> bool:
    """After a test: remove what the sandbox user left in the shared folders, and when its own
    folders hold more than `cap_bytes` (bubblewrap's private /tmp has that size), put them
    back as they were at the start. Without a tmpfs of its own nothing caps its writes while
    a test runs; this keeps one test's flood from filling the disk for the next, or for the
    judge's own result files."""
    clean_shared_tmp(lease.uid)
    if not force and _usage(staging.submission) + _usage(staging.tmp) <= cap_bytes:
        return False
    for folder in (staging.submission, staging.tmp):  # the same folders: the zygote's cwd
        for entry in list(folder.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    shutil.copytree(submission, staging.submission, symlinks=True, dirs_exist_ok=True)
    _chown_tree(staging.submission, lease.uid, lease.gid)
    return True


def kill_all(uid: int, rounds: int = 50) -> None:
    """SIGKILL every process of `uid` (a lease's uid: only its sandbox runs as it)."""
    for _ in range(rounds):
        pids = processes_of(uid)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


def clean_shared_tmp(uid: int) -> None:
    """Remove what `uid` owns in the folders every user may write to (and in world-writable
    folders below them, the only others it could have written to there)."""
    for top in sorted(set(SHARED_TMP)):
        if not os.path.isdir(top) or os.path.islink(top):
            continue
        for base, dirs, files in os.walk(top):
            for name in list(dirs) + files:
                path = os.path.join(base, name)
                with contextlib.suppress(OSError):
                    info = os.lstat(path)
                    if info.st_uid == uid:
                        if stat.S_ISDIR(info.st_mode):
                            shutil.rmtree(path, ignore_errors=True)
                        else:
                            os.unlink(path)
                        if name in dirs:
                            dirs.remove(name)
                    elif name in dirs and not (stat.S_ISDIR(info.st_mode)
                                               and info.st_mode & 0o002):
                        dirs.remove(name)  # it could not write there: do not descend


def finish(staging: Staging | None, lease: Lease) -> None:
    """After the sandbox: no process of its uid, no file of it anywhere it could write."""
    kill_all(lease.uid)
    if staging is not None:
        shutil.rmtree(staging.root, ignore_errors=True)
    clean_shared_tmp(lease.uid)
    lease.release()
