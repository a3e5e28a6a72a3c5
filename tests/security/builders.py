"""Attack submissions that cannot live in git as plain files (zips, links, sparse files, names
that are not UTF-8): each builder makes its submission under `root` and returns its path."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path
from typing import Any


def messages(attack: dict[str, Any]) -> list[str]:
    """What an attack's result may say: its message, or one of `also` (the same points, a
    different stop, e.g. the call limit first on a busy machine)."""
    return [attack["message"], *attack.get("also", [])]

CORRECT = """import numpy as np


def add(a, b):
    return np.add(a, b)


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
"""

# Reads the links next to it and reports what it saw: any secret in the feedback is a leak.
READ_LINKS = '''import os

import numpy as np


def add(a, b):
    seen = []
    for name in sorted(os.listdir(".")):
        try:
            with open(name, errors="replace") as linked:
                seen.append(f"{name}: {linked.read(4000)}")
        except OSError as err:
            seen.append(f"{name}: {err}")
    raise RuntimeError("LOOT " + " | ".join(seen))


class Scaler:
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return self.k * x
'''


def _zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def zip_dotdot(root: Path, secrets: Path) -> Path:
    return _zip(root / "zip_dotdot.zip", {"vectors.py": CORRECT.encode(),
                                          "../../escaped.py": b"print('out')"})


def zip_absolute(root: Path, secrets: Path) -> Path:
    return _zip(root / "zip_absolute.zip", {"vectors.py": CORRECT.encode(),
                                            str(secrets / "overwritten.txt"): b"gotcha"})


def zip_symlink(root: Path, secrets: Path) -> Path:
    return _zip(root / "zip_symlink.zip", {"vectors.py": CORRECT.encode()},
                links={"hidden": str(secrets)})


def zip_bomb(root: Path, secrets: Path) -> Path:
    # 1 GiB of zeros in one member, about 1 MB compressed: refused before extraction.
    path = root / "zip_bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("vectors.py", CORRECT)
        with archive.open("weights.bin", "w", force_zip64=True) as member:
            block = bytes(2**24)
            for _ in range(2**30 // len(block)):
                member.write(block)
    return path


def big_file(root: Path, secrets: Path) -> Path:
    folder = root / "big_file"
    folder.mkdir()
    (folder / "vectors.py").write_text(CORRECT)
    with open(folder / "weights.bin", "wb") as sparse:  # 2 GB that takes no disk
        sparse.truncate(2 * 2**30)
    return folder


def non_utf8_names(root: Path, secrets: Path) -> Path:
    folder = root / "non_utf8_names"
    folder.mkdir()
    (folder / "vectors.py").write_text(CORRECT)
    (Path(os.fsdecode(bytes(folder)) + os.fsdecode(b"/notes-\xff\xfe.txt"))).write_text("hi")
    return folder


def symlinks_in_folder(root: Path, secrets: Path) -> Path:
    folder = root / "symlinks_in_folder"
    folder.mkdir()
    (folder / "vectors.py").write_text(READ_LINKS)
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "hidden").symlink_to(secrets)
    (folder / "secret.txt").symlink_to(secrets / "secret.txt")
    return folder


def empty_zip(root: Path, secrets: Path) -> Path:
    return _zip(root / "empty_zip.zip", {})


def no_modules(root: Path, secrets: Path) -> Path:
    folder = root / "no_modules"
    folder.mkdir()
    (folder / "README.txt").write_text("I did the assignment, promise.")
    return folder


def wrong_module_names(root: Path, secrets: Path) -> Path:
    folder = root / "wrong_module_names"
    folder.mkdir()
    (folder / "Vectors.py").write_text(CORRECT)
    (folder / "vector.py").write_text(CORRECT)
    return folder


def notebook_only(root: Path, secrets: Path) -> Path:
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": CORRECT,
                           "outputs": [], "execution_count": None}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return _zip(root / "notebook_only.zip", {"lab.ipynb": json.dumps(notebook).encode()})
