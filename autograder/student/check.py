"""`autograder check [FOLDER]`: what a student should know before submitting.

Works with the released folder alone (no solutions, no graded tests): runs the public tests,
sums them up per part, lists the functions that still raise NotImplementedError, and applies
the checks the grader applies (through the grader's own intake and static checks), each
problem as one plain sentence. It never claims a grade: the graded tests decide that.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.assignment import Assignment, find_root
from autograder.grading.intake import IntakeError, take_in
from autograder.sandbox.static_checks import blocked_modules
from autograder.student.api import API_FILE, load, signatures

# What a released folder holds besides the module files: not graded, not a problem.
RELEASE_FILES = {"README.md", "assignment.toml", "conftest.py", API_FILE, "lab.ipynb"}


@dataclass
class PartSummary:
    part: str
    points: float
    passed: int = 0
    tests: int = 0
    unfinished: list[str] = field(default_factory=list)  # names still NotImplementedError


@dataclass
class CheckReport:
    assignment: Assignment
    parts: list[PartSummary]
    problems: list[str]  # the grader would lose points or refuse: say what to fix
    notes: list[str]  # worth knowing, costs nothing
    public: dict[str, bool]  # public test id -> passed


def unfinished(source: str) -> list[str]:
    """Qualified names of the functions whose body still raises NotImplementedError."""
    found: list[str] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                raises = any(isinstance(n, ast.Raise) and n.exc is not None and "NotImplemented"
                             in ast.unparse(n.exc) for n in ast.walk(child))
                if raises:
                    found.append(prefix + child.name)

    visit(ast.parse(source), "")
    return found


def _misnamed(folder: Path, module: str) -> list[str]:
    """Files that look like a missing module under another name (Layers.py, layers (1).py,
    layers.py.txt, a copy in a subfolder)."""
    looks = []
    for path in folder.rglob("*"):
        name = path.name.lower()
        if path.is_file() and name != f"{module}.py" and name.startswith(module.lower()) and (
                ".py" in name or name.endswith(".ipynb")):
            looks.append(str(path.relative_to(folder)))
        elif path.is_file() and name == f"{module}.py":
            looks.append(str(path.relative_to(folder)))  # in a subfolder
    return sorted(looks)


def _module_problems(spec: Assignment, folder: Path, api: dict[str, Any] | None) -> list[str]:
    problems = []
    for module in spec.modules:
        path = folder / f"{module}.py"
        if not path.is_file():
            near = _misnamed(folder, module)
            hint = f"; found {', '.join(near)}: rename or move it" if near else ""
            problems.append(f"{module}.py is missing: the grader takes only {module}.py at the "
                            f"top of the folder, and every test of it scores 0{hint}")
            continue
        try:
            source = path.read_text()
            ast.parse(source, filename=str(path))
        except SyntaxError as err:
            problems.append(f"{module}.py line {err.lineno} does not parse ({err.msg}): no test "
                            f"of {module} can run")
            continue
        wanted = (api or {}).get("modules", {}).get(module, {})
        got = signatures(source)
        for name, signature in sorted(wanted.items()):
            if name not in got:
                problems.append(f"{module}.{name} is missing (the stub defines it)")
            elif got[name] != signature and signature != "class":
                problems.append(f"{module}.{name} has the parameters ({got[name]}) but the "
                                f"stub's are ({signature}): the grader calls it as the stub says")
    problems += sorted(blocked_modules(spec, folder).values())
    return problems


def _ignored(folder: Path, taken: Path, spec: Assignment) -> list[str]:
    """Files of the folder that the grader does not look at."""
    graded = {f"{m}.py" for m in spec.modules}
    kept = {str(p.relative_to(taken)) for p in taken.rglob("*") if p.is_file()}
    ignored = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.parts[0] in ("tests", "__pycache__", ".pytest_cache"):
            continue
        if str(relative) in RELEASE_FILES or str(relative) in graded:
            continue
        why = "dropped at intake" if str(relative) not in kept else "not a module file"
        ignored.append(f"{relative} ({why})")
    return ignored


def public_results(folder: Path, files: list[str] | None = None) -> dict[str, bool]:
    """Run the public tests (or only `files`, paths relative to `folder`) in their own process;
    test id -> passed. A test file that cannot even be collected (a module missing) counts as
    one failed entry, and the other files still run."""
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "junit.xml"
        subprocess.run([sys.executable, "-m", "pytest", *(files or ["tests"]), "-q",
                        "-p", "no:cacheprovider", "-o", "addopts=",
                        "--continue-on-collection-errors", f"--junitxml={xml}"], cwd=folder,
                       capture_output=True, text=True, timeout=900, check=False)
        if not xml.is_file():
            return {}
        return {f"{case.get('classname')}::{case.get('name')}":
                not any(c.tag in ("failure", "error", "skipped") for c in case)
                for case in ET.parse(xml).iter("testcase")}


def public_parts(folder: Path, api: dict[str, Any] | None) -> dict[str, set[str]]:
    """Public test file stem -> the parts whose graded names it uses (through its imports)."""
    functions = {part: set(info["functions"]) for part, info in (api or {}).get(
        "parts", {}).items()}
    found: dict[str, set[str]] = {}
    for path in sorted((folder / "tests").glob("test_*.py")):
        used: set[str] = set()
        try:
            tree = ast.parse(path.read_text())
        except SyntaxError:
            continue
        imported = {a.asname or a.name: a.name for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for a in node.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                used |= {f"{node.module}.{a.name}" for a in node.names}
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id in imported):  # `import vectors` ... `vectors.add`
                used.add(f"{imported[node.value.id]}.{node.attr}")
        modules = {u.split(".")[0] for u in used}
        found[path.stem] = {part for part, names in functions.items() if names & used or any(
            n.endswith(".*") and n.split(".")[0] in modules for n in names)}
    return found


def check(folder: Path) -> CheckReport:
    root = find_root(folder.resolve())
    spec = Assignment.load(root, any_folder_name=True)
    api = load(root)
    notes = [] if api else [f"{API_FILE} is missing: signatures are not checked"]
    problems = _module_problems(spec, root, api)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            take_in(root, spec, Path(tmp) / "taken")
            notes += [f"ignored by the grader: {f}" for f in _ignored(root, Path(tmp) / "taken",
                                                                       spec)]
        except IntakeError as err:
            problems.append(f"the grader would refuse this folder: {err}")
    public = public_results(root)
    by_file = public_parts(root, api)
    parts = [PartSummary(part, points) for part, points in spec.parts.items()]
    for test, passed in public.items():
        stem = test.split("::")[0].split(".")[-1]
        for summary in parts:
            if summary.part in by_file.get(stem, set()):
                summary.tests += 1
                summary.passed += passed
    todo = {f"{m}.{name}" for m in spec.modules if (root / f"{m}.py").is_file()
            for name in _safe_unfinished(root / f"{m}.py")}
    for summary in parts:
        names = set((api or {}).get("parts", {}).get(summary.part, {}).get("functions", []))
        summary.unfinished = sorted(t for t in todo if t in names or any(
            t.startswith(n[:-1]) if n.endswith(".*") else t.startswith(n + ".") for n in names))
    return CheckReport(spec, parts, problems, notes, public)


def _safe_unfinished(path: Path) -> list[str]:
    try:
        return unfinished(path.read_text())
    except (SyntaxError, OSError, ValueError):
        return []
