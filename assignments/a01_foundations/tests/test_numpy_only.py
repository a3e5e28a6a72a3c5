"""The network is numpy only: no forbidden import anywhere, and plain float64 arrays out."""

import ast
import tomllib
from pathlib import Path

import numpy as np
from activations import ReLU
from layers import Linear, Sequential

FOLDER = Path(__file__).resolve().parents[1]


def imported_roots(source: str) -> set[str]:
    """Top-level names of every module imported by ``source`` (``a.b`` gives ``a``)."""
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_numpy_only() -> None:
    config = tomllib.loads((FOLDER / "assignment.toml").read_text())
    forbidden = set(config["forbidden_imports"])
    for module in config["modules"]:
        found = imported_roots((FOLDER / f"{module}.py").read_text()) & forbidden
        assert not found, f"{module}.py imports {sorted(found)}"
    net = Sequential(Linear(3, 4, seed=0), ReLU(), Linear(4, 2, seed=1))
    out = net.forward(np.ones((5, 3)))
    assert type(out) is np.ndarray and out.dtype == np.float64 and out.shape == (5, 2)
