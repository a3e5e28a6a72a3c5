"""`api.json`: what a released assignment promises, for the student tools (`autograder check`,
the notebook's part cells) on a machine that has only the released folder.

Written by `autograder release` into assignments/ID/api.json:

    {"modules": {"layers": {"Linear": "class", "Linear.forward": "(self, x) -> ..."}},
     "parts": {"layers": {"points": 25, "functions": ["layers.Linear", "layers.relu"]}}}

`functions` are the names of the stub modules that each part's graded tests call
(`student.<module>.<name>` in hidden/, found statically). Nothing of the tests themselves, no
inputs or reference values, goes into it.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from autograder.assignment import Assignment

API_FILE = "api.json"


def signatures(source: str) -> dict[str, str]:
    """Public functions, classes and methods of a module with their parameter lists."""
    found: dict[str, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                found[prefix + child.name] = ast.unparse(child.args) + " -> " + (
                    ast.unparse(child.returns) if child.returns else "")
            elif isinstance(child, ast.ClassDef):
                found[prefix + child.name] = "class"
                visit(child, f"{prefix}{child.name}.")

    visit(ast.parse(source), "")
    return found


def _part_of(function: ast.FunctionDef) -> str | None:
    for decorator in function.decorator_list:
        if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)
                and decorator.func.id == "part" and decorator.args
                and isinstance(decorator.args[0], ast.Constant)):
            return str(decorator.args[0].value)
    return None


def _student_names(function: ast.FunctionDef, modules: set[str]) -> set[str]:
    """`module.name` for every `student.<module>.<name>` the test body uses, and `module.*`
    for a module it reaches otherwise (e.g. `getattr(student.recurrent, kind)`)."""
    names, reached = set(), set()
    for node in ast.walk(function):
        if not isinstance(node, ast.Attribute):
            continue
        if isinstance(node.value, ast.Name) and node.value.id == "student" and (
                node.attr in modules):
            reached.add(node.attr)
        elif (isinstance(node.value, ast.Attribute) and isinstance(node.value.value, ast.Name)
                and node.value.value.id == "student" and node.value.attr in modules):
            names.add(f"{node.value.attr}.{node.attr}")
    named = {n.split(".")[0] for n in names}
    return names | {f"{m}.*" for m in reached - named}


def part_functions(spec: Assignment) -> dict[str, list[str]]:
    """Part -> the module names its graded tests call, sorted."""
    found: dict[str, set[str]] = {part: set() for part in spec.parts}
    modules = set(spec.modules)
    for path in sorted(spec.hidden_dir.glob("test_*.py")):
        functions = [n for n in ast.walk(ast.parse(path.read_text()))
                     if isinstance(n, ast.FunctionDef)]
        # helpers of the file (`pair(student, "LSTM", ...)`) count for the tests that call them
        helpers = {f.name: _student_names(f, modules) for f in functions if _part_of(f) is None}
        for function in functions:
            if (part := _part_of(function)) in found:
                called = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
                found[str(part)] |= _student_names(function, modules).union(
                    *(helpers[name] for name in called & set(helpers)))
    return {part: sorted(names) for part, names in found.items()}


def describe(spec: Assignment, stubs: dict[str, str]) -> str:
    """The api.json text of a release whose module texts are `stubs`."""
    functions = part_functions(spec)
    data: dict[str, Any] = {
        "assignment": spec.id,
        "modules": {module: signatures(text) for module, text in stubs.items()},
        "parts": {part: {"points": points, "functions": functions[part]}
                  for part, points in spec.parts.items()},
    }
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def load(folder: Path) -> dict[str, Any] | None:
    """The api.json of a released folder, or None when it has none."""
    path = folder / API_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    except (OSError, ValueError):
        return None
