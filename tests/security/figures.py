"""Prints the red-team figures for tests/security/README.md: one row per attack and the totals.

Usage: python -m tests.security.figures
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from tests.security import builders
from tests.security.test_attacks import ATTACKS, CANARIES, run_batch


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        batch = run_batch(Path(tmp))
        seconds = time.perf_counter() - start
        print("| attack | category | points (expected) | stopped by | isolation | seconds |")
        print("|---|---|---|---|---|---|")
        unearned = crashes = stopped = leaks = 0
        for attack in ATTACKS:
            result = batch.results[attack["name"]]
            text = json.dumps(result)
            unearned += max(0.0, result["score"] - attack["points"])
            crashes += "the judge failed" in text or "grading stopped" in text
            leaks += any(c in text for c in CANARIES)
            said = any(m in text for m in builders.messages(attack))
            ok = result["score"] == attack["points"] and said
            stopped += ok
            failed = [(t["output"].split("\n") + [""])[1] for t in result["tests"]
                      if t["status"] != "passed"]  # the line after the test's description
            why = (result["output"] or (failed[0] if failed else "nothing to stop")).split("\n")[0]
            print(f"| {attack['name']} | {attack['category']} | {result['score']:g} "
                  f"({attack['points']}) | {why[:90].replace('|', '/')} | {result['isolation']} "
                  f"| {result['execution_time']:.1f} |")
        changed = sum(batch.before.get(p) != batch.after.get(p)
                      for p in batch.before.keys() | batch.after.keys())
        print(f"\nattacks tried {len(ATTACKS)}, handled as expected {stopped}, unearned points "
              f"{unearned:g}, grader crashes {crashes}, secrets leaked {leaks}, files changed "
              f"outside result folders {changed}, connections to the grader "
              f"{len(batch.connections)}; batch wall time {seconds:.0f} s")


if __name__ == "__main__":
    main()
