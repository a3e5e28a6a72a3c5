"""Solution regions in module source: find them, validate them, replace them with stubs.

A region is the lines between `### BEGIN SOLUTION` and `### END SOLUTION`, inside one function
body. Its first line may be `# HINT: text`, kept in the stub's message.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HINT = "# HINT:"


class MarkerError(ValueError):
    """A solution marker is unbalanced, nested, or outside a function body."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class Region:
    begin: int  # 1-based line numbers of the marker lines
    end: int
    function: str  # qualified name, e.g. "Linear.forward"
    indent: str
    hint: str


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((prefix + child.name, child))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def _enclosing(functions: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]],
               line: int) -> str | None:
    """The innermost function whose body (not its signature) contains `line`."""
    best: tuple[int, str] | None = None
    for name, node in functions:
        body_start = node.body[0].lineno
        if body_start <= line <= (node.end_lineno or 0) and (best is None or body_start > best[0]):
            best = (body_start, name)
    return best[1] if best else None


def find_regions(path: Path, source: str) -> list[Region]:
    """Every region of `source`, validated; raises MarkerError naming the file and line."""
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as err:
        raise MarkerError(path, err.lineno or 0, f"syntax error: {err.msg}") from None
    functions = _functions(tree)
    lines = source.splitlines()
    regions: list[Region] = []
    open_at: int | None = None
    for number, text in enumerate(lines, start=1):
        marker = text.strip()
        if marker == BEGIN:
            if open_at is not None:
                raise MarkerError(path, number, f"nested {BEGIN} (the region at line "
                                                f"{open_at} is still open)")
            open_at = number
        elif marker == END:
            if open_at is None:
                raise MarkerError(path, number, f"{END} without a {BEGIN}")
            regions.append(_region(path, lines, functions, open_at, number))
            open_at = None
        elif BEGIN in text or END in text:
            raise MarkerError(path, number, "a solution marker must be alone on its line")
    if open_at is not None:
        raise MarkerError(path, open_at, f"{BEGIN} is never closed")
    return regions


def _region(path: Path, lines: list[str], functions: list[tuple[str, ast.FunctionDef |
            ast.AsyncFunctionDef]], begin: int, end: int) -> Region:
    code = [n for n in range(begin + 1, end)
            if lines[n - 1].strip() and not lines[n - 1].strip().startswith("#")]
    if not code:
        raise MarkerError(path, begin, "a solution region holds no code")
    outer = _enclosing(functions, code[0])
    node = dict(functions).get(outer) if outer else None
    indent = lines[begin - 1][: len(lines[begin - 1]) - len(lines[begin - 1].lstrip())]
    if node is None or code[-1] > (node.end_lineno or 0) or len(indent) < node.body[0].col_offset:
        raise MarkerError(path, begin, "a solution region must lie inside one function body")
    first = lines[begin].strip()
    hint = first[len(HINT):].strip() if first.startswith(HINT) else ""
    return Region(begin, end, outer or "", indent, hint)


def stub_source(path: Path, source: str, module: str) -> str:
    """`source` with each region replaced by a `raise NotImplementedError(...)` line."""
    lines = source.splitlines()
    out: list[str] = []
    cursor = 0
    for region in find_regions(path, source):
        out += lines[cursor: region.begin - 1]
        message = f"implement {region.function} in {module}.py"
        if region.hint:
            message += f" (hint: {region.hint})"
        out.append(f"{region.indent}raise NotImplementedError({message!r})")
        cursor = region.end
    out += lines[cursor:]
    return "\n".join(out) + "\n"


def solution_source(path: Path, source: str) -> str:
    """`source` as a student who solved everything would hand it in: markers and hints gone."""
    drop: set[int] = set()
    for region in find_regions(path, source):
        drop |= {region.begin, region.end}
        if region.hint:
            drop.add(region.begin + 1)
    lines = source.splitlines()
    return "\n".join(line for n, line in enumerate(lines, start=1) if n not in drop) + "\n"
