"""conv.py, pooling.py and batchnorm.py use NumPy only and return NumPy arrays."""

import ast
from pathlib import Path

import numpy as np
from batchnorm import batchnorm_forward
from conv import conv2d_forward
from pooling import max_pool2d_forward

FOLDER = Path(__file__).resolve().parents[1]
ALLOWED = {"numpy", "math", "typing", "collections", "functools", "itertools", "__future__"}
NUMPY_MODULES = ("conv", "pooling", "batchnorm")


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
    for module in NUMPY_MODULES:
        extra = imported_roots((FOLDER / f"{module}.py").read_text()) - ALLOWED - set(NUMPY_MODULES)
        assert not extra, f"{module}.py imports {sorted(extra)}"
    x = np.ones((2, 1, 4, 4))
    outputs = [conv2d_forward(x, np.ones((1, 1, 3, 3)), np.zeros(1)), max_pool2d_forward(x, 2),
               batchnorm_forward(x, np.ones(1), np.zeros(1), np.zeros(1), np.ones(1),
                                 training=True)[0]]
    assert all(type(out) is np.ndarray and out.dtype == np.float64 for out in outputs)
