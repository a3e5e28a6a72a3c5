"""Run a command as if in a default Docker container (tests only): no namespaces, own /tmp.

Usage (as root): unshare --mount --propagation private --pid --fork --mount-proc \
                    python -m tests.security.container -- CMD

What a Gradescope or Kubernetes grader looks like, made on this host for the tests:
- a container has its own pid namespace (the unshare above): /proc shows only its processes;
- Docker's default seccomp profile refuses unshare, setns and clone with CLONE_NEW* flags, so
  bubblewrap fails ("No permissions to create new namespace"): the same filter is installed
  here (`seccomp.forbid_namespaces`) and `--isolation auto` falls back for real;
- a container has its own /tmp, /var/tmp and /dev/shm (small tmpfs here: nothing of other
  users' work on this machine, and a disk-filling submission fills those, not the host's disk),
  and none of this host's extras: every top-level folder an image's root would not have
  (/opt with its 8 GB mirror of wheels, /home, /root, /srv, /work, another checkout of the
  course...) is an empty tmpfs;
- the image's Python is readable by every user (a pyenv under root's 0700 home is not: the
  folder that blocks it is replaced by a tmpfs that holds only that Python);
- the course checkout is closed as the README says (every folder but the venv and the engine
  is 0700; its sibling folders are not there), without changing a mode bit of the real tree:
  the checkout is rebuilt on a tmpfs from bind mounts (autograder/, dnn/ and tests/ are copies,
  so that others' edits of the shared tree during a run are not taken for the batch's).
Only this test harness uses mount namespaces; the grader under test sees none.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
from pathlib import Path

from autograder.sandbox import seccomp

REPO = Path(__file__).resolve().parents[2]
# Top-level folders of a Debian image; every other folder of this host's / is hidden.
IMAGE = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin",
         "sys", "tmp", "usr", "var"}
OPEN = {".venv", "autograder", "dnn"}  # what of the checkout stays readable by others
FROZEN = {"autograder", "dnn", "tests"}  # copied: edits made meanwhile in the real tree do not
# show up as changes the batch made
_MS_BIND, _MS_REC, _MNT_DETACH = 4096, 16384, 2
_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source: str, target: Path, fstype: str = "", flags: int = 0, data: str = "") -> None:
    if _libc.mount(source.encode(), str(target).encode(), fstype.encode() or None, flags,
                   data.encode() or None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _tmpfs(target: Path, mode: str, size: str) -> None:
    _mount("tmpfs", target, "tmpfs", 0, f"mode={mode},size={size}")


def _bind(source: Path, target: Path) -> None:
    """Bind `source` on a new mount point `target` (made to match: folder, file or link)."""
    if source.is_symlink():
        target.symlink_to(os.readlink(source))
        return
    if source.is_dir():
        target.mkdir(exist_ok=True)
    else:
        target.touch()
    _mount(str(source), target, flags=_MS_BIND | _MS_REC)


def _first_private(path: Path) -> Path | None:
    """The highest folder above `path` that other users may not search."""
    for folder in reversed(path.parents):
        if not folder.stat().st_mode & 0o001:
            return folder
    return None


def _rebuild_checkout(stash: Path) -> None:
    """The checkout on a tmpfs: open folders bound whole, the others 0700 with their entries
    bound inside (root sees everything as before; other users see the open folders only)."""
    if REPO.is_relative_to("/tmp") or _top(REPO).name not in IMAGE:  # an empty tmpfs holds it
        REPO.mkdir(parents=True, exist_ok=True)
    elif REPO.parent != Path("/"):
        _tmpfs(REPO.parent, "0755", "1m")
        REPO.mkdir()
    else:
        _tmpfs(REPO, "0711", "1m")
    os.chmod(REPO, 0o711)
    for entry in sorted((stash / "repo").iterdir()):
        target = REPO / entry.name
        if entry.name in FROZEN:
            target.mkdir()
            _tmpfs(target, "0755" if entry.name in OPEN else "0700", "64m")
            shutil.copytree(entry, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
            os.chmod(target, 0o755 if entry.name in OPEN else 0o700)  # copytree copied 0755
            continue
        if entry.name in OPEN or not entry.is_dir() or entry.is_symlink():
            _bind(entry, target)
            continue
        target.mkdir(mode=0o700)
        os.chmod(target, 0o700)
        for inner in sorted(entry.iterdir()):
            _bind(inner, target / inner.name)


def _top(path: Path) -> Path:
    """The top-level folder `path` lies in (/work for /work/main)."""
    return Path("/", path.parts[1]) if len(path.parts) > 1 else path


def _hide_host_folders() -> None:
    """Cover every top-level folder an image would not have with an empty tmpfs: a copy of
    the course elsewhere on this host (CI's machine has one) is no container's to read."""
    for entry in sorted(Path("/").iterdir()):
        if entry.name not in IMAGE and entry.is_dir() and not entry.is_symlink():
            _tmpfs(entry, "0755", "1m")


def setup() -> None:
    """Make this mount namespace look like a container (see the module docstring)."""
    python = Path(sys.base_prefix)  # the real executable lies inside it
    # The stash lies outside /tmp (a tmpfs of its own under /run), so that a checkout in /tmp
    # (a CI clone, say) is kept before the container's own /tmp covers it.
    outer = Path("/run/autograder-container")
    outer.mkdir(mode=0o700, exist_ok=True)
    _tmpfs(outer, "0700", "1m")
    stash = outer / ".host"
    stash.mkdir(mode=0o700)
    _bind(REPO, stash / "repo")
    saved = [stash / "repo"]
    _tmpfs(Path("/tmp"), "1777", "1g")
    hidden = _top(python).name not in IMAGE
    private = None if python.is_relative_to(REPO) else _first_private(python)
    if hidden or private is not None:  # e.g. a pyenv under /root (0700): only it shows there
        saved.append(stash / "python")
        _bind(python, saved[-1])
    _hide_host_folders()
    if private is not None and not hidden:
        _tmpfs(private, "0755", "1m")
    if len(saved) > 1:
        python.mkdir(parents=True, exist_ok=True)
        _bind(saved[-1], python)
    _rebuild_checkout(stash)
    for target, mode, size in (("/var/tmp", "1777", "64m"), ("/dev/shm", "1777", "256m")):
        if Path(target).is_dir():
            _tmpfs(Path(target), mode, size)
    for folder in saved:  # the binds above keep what they need
        if _libc.umount2(str(folder).encode(), _MNT_DETACH) != 0:
            raise OSError(ctypes.get_errno(), f"umount {folder}")
        folder.rmdir()
    stash.rmdir()
    if _libc.umount2(str(outer).encode(), _MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), f"umount {outer}")


def main(argv: list[str]) -> None:
    """Set up, then run the command as the container's init would (`docker run --init`):
    reap every orphan until the command ends, and exit with its status."""
    command = argv[argv.index("--") + 1:]
    setup()
    os.chdir(REPO)  # through the rebuilt checkout
    seccomp.forbid_namespaces()
    child = os.fork()
    if child == 0:
        os.execvp(command[0], command)
    while True:
        pid, status = os.wait()
        if pid == child:
            sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main(sys.argv)
