"""Grade mutants of an assignment's solution and report kill rates per part.

A mutant is killed when any graded test that runs its function fails (or the judge stops it);
it survives when they all pass. Mutants listed in solutions/ID/mutants.toml as equivalent
(computing the same function) are reported with their reason and left out of the rate.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignment import Assignment
from autograder.authoring.mutants.operators import Mutant, mutants
from autograder.grading import judge_server
from autograder.grading.judge import judge_env, run_hidden_tests


@dataclass
class MutantResult:
    mutant: Mutant
    parts: list[str]
    status: str  # killed | survived | equivalent | not-covered
    reason: str = ""


@dataclass
class MutationReport:
    results: list[MutantResult] = field(default_factory=list)
    sampled: bool = False
    population: int = 0  # the assignment's counted (not equivalent) mutants
    known_survivors: int = 0  # of them, those mutants.toml lists as survivors of a full run

    def gate_rate(self) -> float:
        """The rate CI compares with the gate. A full run: the kill rate. A sample: the kill
        rate among sampled mutants not listed as known survivors, times the share of those in
        the population, i.e. the full run's recorded rate when the sample finds no new
        survivor (with 8 mutants a raw sample rate fails on any one survivor, even at 95%)."""
        if not self.sampled:
            return self.rate()
        fresh = [r for r in self.results if r.status in ("killed", "survived", "not-covered")
                 and r.reason != KNOWN_REASON]
        rate = sum(r.status == "killed" for r in fresh) / len(fresh) if fresh else 1.0
        return rate * (1 - self.known_survivors / max(self.population, 1))

    def rate(self, part: str | None = None) -> float:
        """Killed / (killed + survived + not covered); equivalents do not count."""
        counted = [r for r in self.results if r.status != "equivalent" and (
            part is None or part in r.parts or (r.status == "not-covered" and part == "-"))]
        return sum(r.status == "killed" for r in counted) / len(counted) if counted else 1.0

    def parts(self) -> list[str]:
        return sorted({p for r in self.results for p in r.parts})


KNOWN_REASON = "a known survivor (mutants.toml); not graded in a sample"


def _listed(spec: Assignment, kind: str) -> dict[str, str]:
    path = spec.root / "mutants.toml"
    if not path.is_file():
        return {}
    entries = tomllib.loads(path.read_text()).get(kind, [])
    return {str(e["id"]): str(e.get("reason", "")) for e in entries}


def equivalent_mutants(spec: Assignment) -> dict[str, str]:
    """Mutant id -> why it computes the same function, from solutions/ID/mutants.toml."""
    return _listed(spec, "equivalent")


def known_survivors(spec: Assignment) -> dict[str, str]:
    """Mutant id -> note, for the survivors of the last full run (`[[survivor]]` entries of
    mutants.toml): gaps the instructor accepted. They count as survivors."""
    return _listed(spec, "survivor")


def function_tests(spec: Assignment, workers: int = 2) -> dict[str, list[tuple[str, str]]]:
    """'module:first_line' -> [(test node id, part)] of the graded tests that run it: the hidden
    suite on the solution in local mode, traced, its test files split over `workers` processes."""
    files = sorted(spec.hidden_dir.glob("test_*.py"))
    shares = [files[i::workers] for i in range(workers) if files[i::workers]]
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for index, share in enumerate(shares):
            env = {**os.environ, "AUTOGRADER_TRACE_ROOT": str(spec.root) + "/",
                   "AUTOGRADER_TRACE_OUT": str(Path(tmp) / f"trace-{index}.json")}
            runs.append(subprocess.Popen(
                [sys.executable, "-m", "pytest", *map(str, share), "-q", "--assert=plain",
                 "-p", "no:cacheprovider", "-o", "addopts=", f"--rootdir={spec.root}", "-p",
                 "autograder.authoring.mutants.trace_plugin"],
                cwd=spec.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for run in runs:
            run.wait(timeout=900)
        trace: dict[str, dict[str, object]] = {}
        for index in range(len(shares)):
            trace |= json.loads((Path(tmp) / f"trace-{index}.json").read_text())
    mapping: dict[str, list[tuple[str, str]]] = {}
    for nodeid, info in trace.items():
        for function in info["functions"]:  # type: ignore[attr-defined]
            mapping.setdefault(function, []).append((nodeid, str(info["part"])))
    return mapping


def all_mutants(spec: Assignment) -> list[Mutant]:
    return [m for module in spec.modules for m in mutants(spec.root / f"{module}.py", module)]


def grade_mutant(spec: Assignment, mutant: Mutant, tests: list[str], *, isolation: str,
                 mode: str = "sandbox", server: judge_server.JudgeServer | None = None
                 ) -> bool:
    """True when the mutant is killed by `tests`."""
    with tempfile.TemporaryDirectory(prefix="autograder-mutant-") as tmp:
        folder = Path(tmp)
        for module in spec.modules:
            shutil.copyfile(spec.root / f"{module}.py", folder / f"{module}.py")
        (folder / f"{mutant.module}.py").write_text(mutant.source)
        report = run_hidden_tests(spec, folder, tests=tests, mode=mode, isolation=isolation,
                                  stop_at_first_failure=True,
                                  server=server or judge_server.shared(judge_env()))
    if not report.error and not report.outcomes:  # never a silent kill by wrong test ids
        raise RuntimeError(f"{mutant.id}: no graded test ran (tests: {', '.join(tests)})")
    return bool(report.error) or not all(o.passed for o in report.outcomes)


def run(spec: Assignment, *, sample: int | None = None, seed: int = 0,
        isolation: str = "auto", mode: str = "sandbox", workers: int = 2,
        progress: Callable[[MutantResult], None] | None = None) -> MutationReport:
    """Grade every mutant, or a fixed random `sample` of them (the same for the same seed),
    `workers` at a time; the results come in the order of the mutants, as a serial run's.
    `mode="local"`: in forks of the warm judge, without a sandbox (mutants are the course's
    own code)."""
    candidates = all_mutants(spec)
    equivalent, known = equivalent_mutants(spec), known_survivors(spec)
    report = MutationReport(sampled=sample is not None and sample < len(candidates),
                            population=sum(m.id not in equivalent for m in candidates),
                            known_survivors=sum(m.id in known and m.id not in equivalent
                                                for m in candidates))
    if report.sampled:
        candidates = sorted(random.Random(seed).sample(candidates, sample or 0),
                            key=lambda m: m.id)
    coverage = function_tests(spec, workers)
    judges = judge_server.JudgePool(judge_env())
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            pending = [pool.submit(_judge_one, spec, mutant, coverage, equivalent,
                                   known if report.sampled else {}, isolation, mode,
                                   judges)
                       for mutant in candidates]
            for future in pending:
                report.results.append(future.result())
                if progress:
                    progress(report.results[-1])
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            judges.close()
    return report


def _judge_one(spec: Assignment, mutant: Mutant, coverage: dict[str, list[tuple[str, str]]],
               equivalent: dict[str, str], known: dict[str, str], isolation: str,
               mode: str, judges: judge_server.JudgePool) -> MutantResult:
    """One mutant's status: equivalent and known survivors (of a sample) from mutants.toml,
    else graded with the graded tests that run its function."""
    covering = coverage.get(f"{mutant.module}:{mutant.function_line}", [])
    parts = sorted({part for _, part in covering})
    if mutant.id in equivalent:
        return MutantResult(mutant, parts, "equivalent", equivalent[mutant.id])
    if mutant.id in known:
        return MutantResult(mutant, parts, "survived", KNOWN_REASON)
    if not covering:
        return MutantResult(mutant, ["-"], "not-covered", "no graded test runs this function")
    killed = grade_mutant(spec, mutant, [n for n, _ in covering], isolation=isolation,
                          mode=mode, server=judges.mine())
    return MutantResult(mutant, parts, "killed" if killed else "survived")


def to_json(report: MutationReport) -> list[dict[str, object]]:
    return [{"id": r.mutant.id, "description": r.mutant.description, "parts": r.parts,
             "status": r.status, "reason": r.reason} for r in report.results]


def summary(report: MutationReport) -> str:
    lines = [f"{'part':<16} {'mutants':>7} {'killed':>6} {'rate':>6}"]
    for part in [*report.parts(), None]:
        rows = [r for r in report.results if r.status != "equivalent" and (
            part is None or part in r.parts)]
        killed = sum(r.status == "killed" for r in rows)
        lines.append(f"{part or 'ALL':<16} {len(rows):>7} {killed:>6} "
                     f"{report.rate(part):>6.0%}")
    for r in report.results:
        if r.status in ("survived", "not-covered"):
            lines.append(f"  {r.status}: {r.mutant.id}  ({r.mutant.description})")
        elif r.status == "equivalent":
            lines.append(f"  equivalent: {r.mutant.id}  ({r.reason})")
    return "\n".join(lines)
