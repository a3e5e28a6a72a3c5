"""An assignment as `solutions/ID/assignment.toml` describes it."""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# AUTOGRADER_SOLUTIONS points the CLI at another course's solutions tree.
SOLUTIONS = Path(os.path.abspath(os.environ.get("AUTOGRADER_SOLUTIONS", REPO / "solutions")))
ASSIGNMENTS = REPO / "assignments"
EXAMPLES = REPO / "examples" / "submissions"


class SpecError(ValueError):
    """assignment.toml is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Limits:
    """What one test's worker may use. Wall-clock limits are enforced from the trusted side."""

    memory_mb: int = 4096  # address space on top of what the warm process already maps
    cpu_seconds: int = 120
    call_seconds: float = 60.0
    test_seconds: float = 120.0
    file_size_mb: int = 64
    open_files: int = 256
    processes: int = 64

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Limits:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    root: Path  # solutions/ID
    modules: list[str]
    parts: dict[str, float]
    forbidden_imports: list[str] = field(default_factory=list)
    private: list[str] = field(default_factory=list)  # extra paths never released
    limits: Limits = field(default_factory=Limits)
    # CI fails when a sample of mutants shows a lower kill rate; None: report only (the
    # assignment's tests have not been raised to the course's 90% yet).
    min_kill_rate: float | None = None
    # [limits] suite_seconds: the most one submission's whole graded suite may take; tests that
    # would start later fail at once (0: derived from the number of tests, see judge.py).
    suite_seconds: float = 0.0
    # Modules the graded tests import that are slow to import (an oracle library such as
    # transformers: about 3 s): the warm judge imports them once, before it forks a run.
    judge_imports: list[str] = field(default_factory=list)
    # Trusted library modules the sandbox's warm process imports, beside numpy and torch, before
    # it forks a worker per graded test (the course's dnn modules that `student.lib` reaches or
    # the student's modules import, and the packages behind them): a module that only a worker
    # imports is imported again by every test (a04's dnn.backbone pulls torchvision, ~2 s).
    # Nothing is allowed by being here: forbidden_imports still apply to the student's modules.
    sandbox_imports: list[str] = field(default_factory=list)

    @property
    def hidden_dir(self) -> Path:
        return self.root / "hidden"

    @property
    def max_score(self) -> float:
        return float(sum(self.parts.values()))

    @property
    def released(self) -> Path:
        return self.root.parent.parent / "assignments" / self.id

    @classmethod
    def load(cls, root: Path, *, any_folder_name: bool = False) -> Assignment:
        """The assignment at `root`; its folder must be named after its id, unless
        `any_folder_name` (a student's copy may sit in a folder of any name)."""
        path = root / "assignment.toml"
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise SpecError(f"{path}: {err}") from None
        try:
            spec = cls(id=str(data["id"]), title=str(data["title"]), root=root.resolve(),
                       modules=[str(m) for m in data["modules"]],
                       parts={str(k): float(v) for k, v in data["parts"].items()},
                       forbidden_imports=[str(m) for m in data.get("forbidden_imports", [])],
                       private=[str(p) for p in data.get("private", [])],
                       limits=Limits.from_json(data.get("limits", {})),
                       min_kill_rate=data.get("mutation", {}).get("min_kill_rate"),
                       suite_seconds=float(data.get("limits", {}).get("suite_seconds", 0.0)),
                       judge_imports=[str(m) for m in data.get("judge_imports", [])],
                       sandbox_imports=[str(m) for m in data.get("sandbox_imports", [])])
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise SpecError(f"{path}: missing or malformed field: {err}") from None
        if spec.id != root.name and not any_folder_name:
            raise SpecError(f"{path}: id {spec.id!r} does not match the folder {root.name!r}")
        return spec


def find_root(start: Path) -> Path:
    """The assignment folder (the one with assignment.toml) at or above `start`."""
    for folder in [start, *start.parents]:
        if (folder / "assignment.toml").is_file():
            return folder
    raise SpecError(f"no assignment.toml at or above {start}")


def load(assignment_id: str, solutions: Path = SOLUTIONS) -> Assignment:
    root = solutions / assignment_id
    if not root.is_dir():
        known = ", ".join(all_ids(solutions)) or "none"
        raise SpecError(f"unknown assignment {assignment_id!r} (known: {known})")
    return Assignment.load(root)


def all_ids(solutions: Path = SOLUTIONS) -> list[str]:
    return sorted(p.parent.name for p in solutions.glob("*/assignment.toml"))
