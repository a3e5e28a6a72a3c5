"""Finding the submissions of a batch, and running a batch on local workers or a Dask cluster.

Dask distributed is the engine for parallel grading: a LocalCluster for `--workers N` on one
machine, or any running scheduler (`--scheduler tcp://host:8786`, e.g. started by dask-jobqueue
on Slurm or PBS). Workers must see the same repository, environment and submission paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from autograder.assignment import Assignment

GradeFn = Callable[..., dict[str, Any]]


def _is_submission(path: Path) -> bool:
    return path.suffix == ".zip" or (path.is_dir() and any(path.glob("*.py")))


def discover(paths: list[Path], assignment_id: str) -> list[tuple[str, Path]]:
    """(student name, submission) pairs. Each path is a submission (a folder of modules or a
    .zip), a folder of them (one per student), or nbgrader's submitted/STUDENT/ASSIGNMENT."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        if _is_submission(path):
            found.append((path.stem if path.suffix == ".zip" else path.name, path))
            continue
        inside: list[tuple[str, Path]] = []
        for child in sorted(path.iterdir()) if path.is_dir() else []:
            nbgrader_layout = child / assignment_id
            if nbgrader_layout.is_dir():
                inside.append((child.name, nbgrader_layout))
            elif _is_submission(child):
                inside.append((child.stem if child.suffix == ".zip" else child.name, child))
        # A folder with nothing gradable inside is graded as it is: its result says what is wrong.
        found += inside or [(path.name, path)]
    return found


@contextmanager
def dask_client(workers: int, scheduler: str | None) -> Iterator[Any]:
    """A distributed.Client on `scheduler`, or on a LocalCluster of `workers` processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


Job = tuple[Assignment, str, Path, Path]  # (assignment, student name, submission, results folder)


def run_parallel(grade_one: GradeFn, jobs: list[tuple[str, Path]], spec: Assignment, out: Path,
                 *, workers: int, scheduler: str | None, options: dict[str, Any],
                 on_result: Callable[[str, dict[str, Any]], None]) -> None:
    """Grade `jobs` of one assignment on the cluster; `on_result` sees each result as it
    completes."""
    run_jobs(grade_one, [(spec, name, source, out) for name, source in jobs], workers=workers,
             scheduler=scheduler, options=options,
             on_result=lambda _spec, name, result: on_result(name, result))


def run_jobs(grade_one: GradeFn, jobs: list[Job], *, workers: int, scheduler: str | None,
             options: dict[str, Any],
             on_result: Callable[[Assignment, str, dict[str, Any]], None]) -> None:
    """Grade jobs of any assignments on one cluster (one start-up for a whole course)."""
    from distributed import as_completed

    with dask_client(workers, scheduler) as client:
        futures = {client.submit(grade_one, source, spec, out, name=name, pure=False,
                                 key=f"grade-{spec.id}-{name}", **options): (spec, name)
                   for spec, name, source, out in jobs}
        for future in as_completed(futures):
            on_result(*futures[future], future.result())
