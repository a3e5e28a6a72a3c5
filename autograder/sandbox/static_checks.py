"""Checks on a submission's source before anything runs: forbidden imports."""

from __future__ import annotations

import ast
from pathlib import Path

from autograder.assignment import Assignment


def imported_packages(source: str) -> set[str]:
    """Top-level package names imported by `source` (absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def blocked_modules(assignment: Assignment, submission: Path) -> dict[str, str]:
    """Module name -> why it may not be loaded, for modules that import a forbidden package.
    (A syntax error is left to the import itself, which reports it with the student's line.)"""
    blocked: dict[str, str] = {}
    forbidden = set(assignment.forbidden_imports)
    for module in assignment.modules:
        path = submission / f"{module}.py"
        try:
            found = imported_packages(path.read_text(errors="replace")) & forbidden
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        if found:
            blocked[module] = (f"{module}.py imports {', '.join(sorted(found))}, which "
                               f"{assignment.id} does not allow")
    return blocked
