"""Intake of folders and zips: clean copies, unsafe archives refused with a reason."""

import os
import stat
import zipfile
from pathlib import Path

import pytest

from autograder.grading.intake import IntakeError, take_in


def _zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def test_folder_copy_drops_links_and_startup_files(toy, tmp_path) -> None:
    source = tmp_path / "alice"
    source.mkdir()
    (source / "vectors.py").write_text("x = 1\n")
    (source / "conftest.py").write_text("import os\n")
    (source / "sitecustomize.py").write_text("import os\n")
    (source / "evil.pth").write_text("import os\n")
    os.symlink("/etc/passwd", source / "helper.py")
    intake = take_in(source, toy, tmp_path / "work")
    assert sorted(p.name for p in intake.folder.iterdir()) == ["vectors.py"]
    assert intake.name == "alice" and intake.notes == []


def test_zip_of_a_folder_is_lifted(toy, tmp_path) -> None:
    archive = _zip(tmp_path / "bob.zip", {"toy/vectors.py": b"x = 1\n"})
    intake = take_in(archive, toy, tmp_path / "work")
    assert (intake.folder / "vectors.py").read_text() == "x = 1\n"
    assert intake.name == "bob"


@pytest.mark.parametrize(("members", "links", "message"), [
    ({"../vectors.py": b""}, None, "unsafe path"),
    ({"/abs/vectors.py": b""}, None, "unsafe path"),
    ({"vectors.py": b""}, {"link.py": "/etc/passwd"}, "symbolic link"),
    ({f"f{i}.py": b"" for i in range(300)}, None, "files"),
    ({}, None, "none of the module files"),
    ({"lab.ipynb": b"{}"}, None, "notebook only"),
])
def test_unsafe_or_empty_zips_are_refused(toy, tmp_path, members, links, message) -> None:
    archive = _zip(tmp_path / "bad.zip", members, links)
    with pytest.raises(IntakeError, match=message):
        take_in(archive, toy, tmp_path / "work")


def test_zip_bomb_is_refused_before_extraction(toy, tmp_path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("vectors.py", b"\0" * (60 * 2**20))
    with pytest.raises(IntakeError, match="MiB"):
        take_in(archive, toy, tmp_path / "work")
    assert not any((tmp_path / "work").iterdir())


def test_not_a_zip_is_refused(toy, tmp_path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"not a zip")
    with pytest.raises(IntakeError, match="not a readable zip"):
        take_in(fake, toy, tmp_path / "work")
