"""Batch throughput: N copies of an assignment's example submissions graded sequentially
(no Dask), on a Dask LocalCluster with 1 worker, and with 2 workers.

Usage: python benchmarks/batch_throughput.py [--assignment a01_foundations] [--copies 40]
                                             [--cold-judge]
Prints submissions per minute for each, the 2-worker speed-up over 1 worker (target >= 1.7x on
2 cores), and the Dask path's per-submission overhead over sequential grading.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from distributed import LocalCluster

from autograder.assignment import EXAMPLES
from autograder.grading.grade import grade


def copies(assignment_id: str, n: int, root: Path) -> list[Path]:
    examples = sorted(p for p in (EXAMPLES / assignment_id).iterdir()
                      if p.is_dir() and p.name != "infinite_loop")  # no 20 s timeouts
    folders = []
    for i in range(n):
        folder = root / f"student{i:03d}"
        shutil.copytree(examples[i % len(examples)], folder)
        folders.append(folder)
    return folders


def timed(label: str, folders: list[Path], assignment_id: str, out: Path, **kwargs: Any
          ) -> float:
    start = time.perf_counter()
    results = grade(folders, assignment_id=assignment_id, out=out, force=True, **kwargs)
    assert all(r["status"] == "graded" for r in results), "a submission could not be graded"
    seconds = time.perf_counter() - start
    assert len(results) == len(folders)
    print(f"  {label:<22} {seconds:7.1f} s   {60 * len(folders) / seconds:6.1f} submissions/min")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assignment", default="a01_foundations")
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--cold-judge", action="store_true",
                        help="a new Python process per submission (the path before the warm judge)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folders = copies(args.assignment, args.copies, Path(tmp) / "subs")
        judge = "cold judge" if args.cold_judge else "warm judge"
        print(f"{args.copies} submissions of {args.assignment}, {judge}")
        warm = not args.cold_judge
        sequential = timed("sequential (no Dask)", folders, args.assignment, Path(tmp) / "a",
                           warm=warm)
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                          dashboard_address=None) as one_worker:
            dask_one = timed("Dask, 1 worker", folders, args.assignment, Path(tmp) / "b",
                             scheduler=str(one_worker.scheduler_address), warm=warm)
        dask_two = timed("Dask, 2 workers", folders, args.assignment, Path(tmp) / "c",
                         workers=2, warm=warm)
    print(f"speed-up 2 workers vs 1: {dask_one / dask_two:.2f}x (target >= 1.7x)")
    print(f"Dask overhead per submission: {(dask_one - sequential) / args.copies * 1000:+.0f} ms")


if __name__ == "__main__":
    main()
