"""Keeps conv.py, pooling.py and batchnorm.py NumPy-only: their source is read, never imported.

``forbidden_imports`` in assignment.toml applies to every module, and cnn.py needs torch, so the
rule for the NumPy modules is checked here, on the source text of the submission under test.
"""

import ast
from pathlib import Path

import pytest

ALLOWED = {"numpy", "math", "typing", "collections", "functools", "itertools", "__future__",
           "conv", "pooling", "batchnorm"}
SOLUTION = Path(__file__).resolve().parents[1]


def assert_numpy_only(request: pytest.FixtureRequest, module: str) -> None:
    """Fail when ``module``.py of the graded submission imports anything but NumPy, the
    standard-library helpers in ALLOWED or its NumPy siblings."""
    folder = Path(request.config.getoption("--ag-submission") or SOLUTION)
    try:
        tree = ast.parse((folder / f"{module}.py").read_text(errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return  # a missing or broken file fails when the sandbox imports it
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    extra = sorted(roots - ALLOWED)
    assert not extra, f"{module}.py must use NumPy only, but it imports {', '.join(extra)}"
