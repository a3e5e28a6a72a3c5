"""Files inside the sandbox: graded tests write a checkpoint there before a student loads it
(the sandbox has its own private /tmp, so a file written by the test process is not visible)."""

from __future__ import annotations

from pathlib import Path


def write_bytes(path: str, data: bytes) -> str:
    """Write ``data`` to ``path`` (parent folders created); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return str(target)
