"""A small AST mutator for solution regions: the mistakes students make, one at a time.

Why not mutmut or cosmic-ray: both mutate the project in place and run a test command in their
own process (mutmut 3 even switches mutants through trampolines inside the test process). Here a
mutant must be limited to the student regions, written as a separate submission copy, and graded
through the sandboxed judge, running only the graded tests that execute the mutated function.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from autograder.authoring.markers import find_regions

_SWAPS: dict[type, type] = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div,
                            ast.Div: ast.Mult, ast.Pow: ast.Mult, ast.FloorDiv: ast.Div,
                            ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                            ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.And: ast.Or, ast.Or: ast.And}
_AXIS_KEYWORDS = {"axis", "dim", "keepdims", "keepdim"}
# f(a, b) == f(b, a) for these (numpy, torch and builtin names): swapping their arguments makes
# an equivalent mutant, not a bug.
_COMMUTATIVE = {"maximum", "minimum", "fmax", "fmin", "max", "min", "logaddexp", "logaddexp2",
                "add", "multiply", "mul", "hypot", "equal", "not_equal", "eq", "ne",
                "logical_and", "logical_or", "logical_xor", "gcd", "lcm", "result_type",
                "promote_types",
                # x.transpose(1, 2) swaps the same two dimensions as x.transpose(2, 1)
                "transpose", "swapaxes", "swapdims"}
# Keywords whose value only adds a check (zip's strict=) or a hint: flipping them is no bug a
# test can see on correct inputs.
_CHECK_KEYWORDS = {"strict"}


@dataclass(frozen=True)
class Mutant:
    id: str  # module:line:col:operator, stable while the source does not change
    module: str
    line: int
    function_line: int  # first line of the enclosing function (links mutants to tests)
    description: str
    source: str  # the whole mutated module


Mutation = Callable[[ast.AST], tuple[str, str] | None]  # mutates in place -> (op, description)


def _swap_operator(node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.BinOp | ast.BoolOp) and type(node.op) in _SWAPS:
        old = type(node.op).__name__
        node.op = _SWAPS[type(node.op)]()
        return "swap-op", f"{old} -> {type(node.op).__name__}"
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _SWAPS:
        old = type(node.ops[0]).__name__
        node.ops[0] = _SWAPS[type(node.ops[0])]()
        return "swap-compare", f"{old} -> {type(node.ops[0]).__name__}"
    return None


def _constant(node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.Constant) and type(node.value) is bool:
        node.value = not node.value
        return "flip-bool", f"{not node.value} -> {node.value}"
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        old = node.value  # off by one for ints; doubled (or 1.0 for 0.0) for floats
        node.value = old + 1 if isinstance(old, int) else (old * 2 if old else 1.0)
        return "constant", f"{old!r} -> {node.value!r}"
    return None


def _negation(node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node.op = ast.UAdd()
        return "drop-minus", "-x -> +x"
    return None


def _swap_arguments(node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.Call) and len(node.args) == 2 and not any(
            isinstance(a, ast.Starred) for a in node.args) and _callee(node) not in _COMMUTATIVE:
        node.args.reverse()
        return "swap-args", f"{ast.unparse(node.func)}(a, b) -> (b, a)"
    return None


def _callee(call: ast.Call) -> str:
    """The called name without its module: `np.maximum` -> "maximum"."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _axis(node: ast.AST) -> tuple[str, str] | None:
    if isinstance(node, ast.keyword) and node.arg in _AXIS_KEYWORDS:
        old = ast.unparse(node.value)
        if node.arg.startswith("keep"):
            node.value = ast.UnaryOp(ast.Not(), node.value)
        else:
            node.value = ast.Constant(None) if old != "None" else ast.Constant(0)
        return "axis", f"{node.arg}={old} -> {ast.unparse(node.value)}"
    return None


MUTATIONS: list[Mutation] = [_swap_operator, _constant, _negation, _swap_arguments, _axis]


class _DropTerm(ast.NodeTransformer):
    """Replaces the target BinOp by its left operand (needs the parent, hence a transformer)."""

    def __init__(self, target: ast.BinOp) -> None:
        self.position = _position(target)
        self.done = ""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if not self.done and _position(node) == self.position:
            self.done = f"dropped '{type(node.op).__name__} {ast.unparse(node.right)}'"
            return node.left
        self.generic_visit(node)
        return node


def _position(node: ast.AST) -> tuple[int, int, int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
            getattr(node, "end_lineno", 0), getattr(node, "end_col_offset", 0))


def _annotation_nodes(tree: ast.Module) -> set[int]:
    """ids of the nodes inside type annotations: mutating them changes nothing at run time."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            roots.append(node.returns)
    return {id(n) for root in roots for n in ast.walk(root)}


def _seed_nodes(nodes: list[ast.AST]) -> set[int]:
    """ids of nodes inside seed expressions (`seed=...`, `manual_seed(...)`, `default_rng(...)`):
    any seed is as correct as another, so mutating one is not a bug."""
    roots: list[ast.AST] = []
    for node in nodes:
        if isinstance(node, ast.keyword) and node.arg and "seed" in node.arg:
            roots.append(node.value)
        elif isinstance(node, ast.Call) and any(
                name in ast.unparse(node.func) for name in ("seed", "default_rng", "Generator")):
            roots += node.args
    return {id(n) for root in roots for n in ast.walk(root)}


def _in_regions(node: ast.AST, spans: list[tuple[int, int, int]]) -> int | None:
    line = getattr(node, "lineno", None)
    if line is None:
        return None
    return next((fn for begin, end, fn in spans if begin < line < end), None)


def _function_lines(tree: ast.Module) -> list[tuple[int, int, int]]:
    """(body start, end, first line) per function; the first line is that of the first
    decorator when there is one, as in the code object's co_firstlineno."""
    return [(n.body[0].lineno, n.end_lineno or 0,
             min([n.lineno, *(d.lineno for d in n.decorator_list)])) for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _enclosing_def(line: int, functions: list[tuple[int, int, int]]) -> int:
    best = max(((start, fn) for start, end, fn in functions if start <= line <= end),
               default=(0, 0))
    return best[1]


def mutants(path: Path, module: str) -> Iterator[Mutant]:
    """Every single-point mutant of the solution regions of `path`."""
    source = path.read_text()
    tree = ast.parse(source)
    functions = _function_lines(tree)
    spans = [(r.begin, r.end, _enclosing_def(r.begin + 1, functions))
             for r in find_regions(path, source)]
    original = ast.unparse(tree)
    seen: set[str] = set()
    for found in _all_mutants(tree, spans, module):
        if found.id not in seen and found.source != original + "\n":
            seen.add(found.id)
            yield found


def _all_mutants(tree: ast.Module, spans: list[tuple[int, int, int]], module: str
                 ) -> Iterator[Mutant]:
    nodes = list(ast.walk(tree))
    skip = _annotation_nodes(tree)
    # `dim=-1` -> `dim=1` is usually the same axis; the axis operator mutates these instead.
    axis_values = {id(k.value) for k in nodes
                   if isinstance(k, ast.keyword) and k.arg in _AXIS_KEYWORDS}
    skip |= _seed_nodes(nodes)
    skip |= {id(k.value) for k in nodes if isinstance(k, ast.keyword) and k.arg in _CHECK_KEYWORDS}
    for index, node in enumerate(nodes):
        fn = _in_regions(node, spans)
        if fn is None or id(node) in skip:
            continue
        for mutation in MUTATIONS:
            if mutation is _negation and id(node) in axis_values:
                continue
            mutated = copy.deepcopy(tree)
            target = list(ast.walk(mutated))[index]
            change = mutation(target)
            if change is not None:
                yield _mutant(module, node, fn, change, mutated)
    for node in nodes:
        fn = _in_regions(node, spans)
        if not isinstance(node, ast.BinOp) or fn is None or id(node) in skip or isinstance(
                node.op, ast.Pow):
            continue
        dropper = _DropTerm(node)
        mutated = dropper.visit(copy.deepcopy(tree))
        yield _mutant(module, node, fn, ("drop-term", dropper.done), mutated)


def _mutant(module: str, node: ast.AST, fn: int, change: tuple[str, str],
            mutated: ast.AST) -> Mutant:
    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    op, description = change
    return Mutant(f"{module}:{line}:{col}:{op}", module, line, fn,
                  f"{module}.py line {line}: {description}", ast.unparse(mutated) + "\n")
