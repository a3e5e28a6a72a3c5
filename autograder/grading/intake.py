"""Intake: turn a submitted folder or .zip into a clean work copy of its files, or say why not.

Only regular files are taken (no links), zip members are checked before anything is extracted
(no absolute or `..` paths, bounded count and size, no bombs), and files that could change how
Python or pytest start (conftest.py, sitecustomize.py, .pth, pytest.ini) are dropped.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.assignment import Assignment

MAX_FILES = 200
MAX_TOTAL_BYTES = 50 * 2**20
IGNORED_NAMES = {"conftest.py", "sitecustomize.py", "usercustomize.py", "pytest.ini",
                 "tox.ini", "setup.cfg", "pyproject.toml", "__pycache__", ".ipynb_checkpoints"}


class IntakeError(ValueError):
    """The submission cannot be graded at all; the message says why."""


@dataclass
class Intake:
    name: str
    folder: Path  # the clean work copy
    notes: list[str] = field(default_factory=list)  # what a student should know (missing files)


def submission_name(path: Path) -> str:
    return path.stem if path.suffix == ".zip" else path.name


def _ignored(relative: PurePosixPath) -> bool:
    return any(p in IGNORED_NAMES or p.endswith(".pth") or p.startswith(".")
               for p in relative.parts)


def _copy_folder(source: Path, dest: Path) -> None:
    files = [p for p in sorted(source.rglob("*")) if not p.is_symlink() and p.is_file()
             and not _ignored(PurePosixPath(p.relative_to(source).as_posix()))]
    if len(files) > MAX_FILES:
        raise IntakeError(f"the submission has {len(files)} files (at most {MAX_FILES})")
    if sum(p.stat().st_size for p in files) > MAX_TOTAL_BYTES:
        raise IntakeError(f"the submission is larger than {MAX_TOTAL_BYTES // 2**20} MiB")
    for path in files:
        target = dest / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _extract_zip(source: Path, dest: Path) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as err:
        raise IntakeError(f"{source.name} is not a readable zip file ({err})") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_FILES:
            raise IntakeError(f"the zip has {len(members)} files (at most {MAX_FILES})")
        if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
            raise IntakeError(f"the zip unpacks to more than {MAX_TOTAL_BYTES // 2**20} MiB")
        for member in members:
            name = PurePosixPath(member.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts:
                raise IntakeError(f"the zip has an unsafe path: {member.filename!r}")
            if stat.S_ISLNK(member.external_attr >> 16):
                raise IntakeError(f"the zip has a symbolic link: {member.filename!r}")
            if _ignored(name):
                continue
            target = dest.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(target, "wb") as out:
                # Read at most the declared size: a member that lies about it is cut there.
                out.write(src.read(member.file_size + 1)[: member.file_size])


def _lift_single_folder(dest: Path) -> None:
    """A zip of the folder (`a01_foundations/layers.py`) counts as a zip of its files."""
    entries = list(dest.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
        for child in list(inner.iterdir()):
            child.rename(dest / child.name)
        inner.rmdir()


def take_in(source: Path, assignment: Assignment, work: Path) -> Intake:
    """Copy `source` into `work` (emptied first) and note which module files are missing."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    if source.is_dir() and not source.is_symlink():
        _copy_folder(source, work)
    elif source.is_file() and source.suffix == ".zip":
        _extract_zip(source, work)
    else:
        raise IntakeError(f"{source} is neither a folder nor a .zip file")
    _lift_single_folder(work)
    intake = Intake(submission_name(source), work)
    missing = [m for m in assignment.modules if not (work / f"{m}.py").is_file()]
    if len(missing) == len(assignment.modules):
        found = sorted(p.name for p in work.rglob("*") if p.is_file())[:10]
        hint = " (it holds a notebook only: submit the module files)" if any(
            f.endswith(".ipynb") for f in found) else ""
        raise IntakeError(f"the submission has none of the module files "
                          f"{', '.join(m + '.py' for m in assignment.modules)}{hint}; "
                          f"found: {', '.join(found) or 'nothing'}")
    if missing:
        intake.notes.append("missing module files: " + ", ".join(f"{m}.py" for m in missing))
    return intake
