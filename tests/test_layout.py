"""The engine's layout by job: imports run one way, from the people-facing packages down to the
sandbox, and no module imports itself back through another (function-level imports count)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[1] / "autograder"

# Lower layers never import higher ones. Packages of the same rank do not import each other.
LAYERS: dict[str, int] = {
    "base": 0,          # errors, assignment (the spec and its limits), timings
    "sandbox": 1,       # processes, limits, seccomp, the wire format, the proxy, local mode
    "testing": 2,       # what graded tests import: the plugin, the session, markers, compare
    "grading": 3,       # intake, static checks, the judge, scoring, results, batches, reports
    "student": 4,       # autograder check / pack
    "instructor": 4,    # autograder similarity
    "integrations": 5,  # nbgrader, Gradescope, LMS exports
    "authoring": 6,     # release, selfcheck, mistakes, examples, mutants
    "cli": 7,           # the one file that knows argparse
}
BASE = {"autograder", "autograder.errors", "autograder.assignment", "autograder.timings"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ENGINE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _group(module: str) -> str:
    if module in BASE:
        return "base"
    if module == "autograder.cli":
        return "cli"
    return module.split(".")[1]


def _imports(path: Path) -> set[str]:
    """Every autograder module `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("autograder")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograder"):
            assert node.module is not None
            for alias in node.names:  # `from autograder.grading import judge` names a module
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return found


MODULES = {_module_name(p): p for p in ENGINE.rglob("*.py")}
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def test_every_module_belongs_to_a_layer() -> None:
    assert sorted({_group(m) for m in MODULES} - set(LAYERS)) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_down_the_layers(module: str) -> None:
    mine = _group(module)
    wrong = [target for target in GRAPH[module] if _group(target) != mine
             and LAYERS[_group(target)] >= LAYERS[mine]]
    assert wrong == [], f"{module} ({mine}) imports {wrong}, which are not below it"


def test_no_import_cycle() -> None:
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module):] + [module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done or module not in GRAPH:
            return
        for target in sorted(GRAPH[module]):
            # a package's __init__ importing its own submodules is how packages work
            if target != "autograder" and not target.startswith(module + "."):
                visit(target, [*path, module])
        done.add(module)

    for module in sorted(MODULES):
        visit(module, [])
