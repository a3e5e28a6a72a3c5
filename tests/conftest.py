"""Shared fixtures of the engine's tests."""

import shutil
from pathlib import Path

import pytest

from autograder.assignment import Assignment

collect_ignore = ["fixtures", "security/attacks"]  # submissions, graded by tests, never collected

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def toy(tmp_path: Path) -> Assignment:
    """A private copy of the toy assignment (solutions/toy), loaded."""
    root = tmp_path / "solutions" / "toy"
    shutil.copytree(FIXTURES / "toy", root)
    return Assignment.load(root)


@pytest.fixture
def make_submission(tmp_path: Path):
    """Write a submission folder from {filename: source}."""

    def make(files: dict[str, str], name: str = "sub") -> Path:
        folder = tmp_path / "submissions" / name
        folder.mkdir(parents=True)
        for filename, text in files.items():
            (folder / filename).write_text(text)
        return folder

    return make
