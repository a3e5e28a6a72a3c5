"""What a user with no supplementary groups can reach on this host, from the permission bits.

"uid" isolation (uid.py) has no private view of the file system: before a sandbox starts, the
launcher checks that its user can read the Python environment and cannot reach the course tree
or the results. ACLs are not read (a course tree with ACLs granting others access is not
detected).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


class UidSetupError(RuntimeError):
    """uid isolation cannot be set up safely on this host (the message says how to fix it)."""


def _grants(info: os.stat_result, uid: int, gid: int, bits: int) -> bool:
    """`bits` (r=4, w=2, x=1) granted to uid/gid by this inode's mode (ACLs are not read)."""
    shift = 6 if info.st_uid == uid else 3 if info.st_gid == gid else 0
    return (info.st_mode >> shift) & bits == bits


def reachable(path: Path, uid: int, gid: int, bits: int) -> bool:
    """Whether uid/gid (no supplementary groups) may search every folder above `path` and has
    `bits` on `path` itself."""
    path = Path(os.path.abspath(path))
    for folder in reversed(path.parents):
        if not _grants(folder.stat(), uid, gid, 1):
            return False
    return _grants(path.stat(), uid, gid, bits)


def require_readable(paths: Iterable[Path], uid: int, gid: int) -> None:
    for path in paths:
        bits = 5 if path.is_dir() else 4
        if not reachable(path, uid, gid, bits):
            raise UidSetupError(
                f"uid isolation needs the Python environment readable by every user, and "
                f"{path} is not (a folder above it is private, e.g. /root is 0700): install "
                f"Python and the venv under /usr, /opt or /srv (as Docker images do)")


def exposed(path: Path, uid: int, gid: int) -> bool:
    """Whether uid/gid can list or enter `path` (a folder it can only search counts: names
    are guessable)."""
    return path.exists() and (reachable(path, uid, gid, 4) or reachable(path, uid, gid, 1))


def course_tree(repo: Path, keep: Iterable[Path]) -> list[Path]:
    """What of the checkout must stay out of reach: the checkout itself, or, when the Python
    environment lives inside it (`keep`: .venv), each of its folders but the environment and
    the engine's own packages (solutions, examples with their perfect submissions, .git with
    every past solution, results, ...)."""
    inside = [k.resolve() for k in keep if k.resolve().is_relative_to(repo.resolve())]
    if not inside:
        return [repo]
    allowed = {p.parts[len(repo.resolve().parts)] for p in inside} | {"autograder", "dnn"}
    return [child for child in sorted(repo.iterdir()) if child.is_dir()
            and not child.is_symlink() and child.name not in allowed
            and not child.name.endswith(".egg-info") and child.name != "__pycache__"]


def require_hidden(paths: Iterable[Path], uid: int, gid: int) -> None:
    """Refuse to start while a secret place is within the sandbox user's reach."""
    open_ = [str(p) for p in paths if exposed(p, uid, gid)]
    if open_:
        raise UidSetupError(
            "uid isolation: other users can read " + ", ".join(open_) + "; the sandbox would "
            "too. Close them (chmod o-rwx PATH; for results, grade into a folder only root can "
            "read) or grade where bubblewrap works")
