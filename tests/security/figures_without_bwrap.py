"""Prints the red-team figures without bubblewrap ("uid" isolation) for tests/security/README.md.

Usage: AUTOGRADER_REDTEAM_REPORT=/tmp/uid.json pytest tests/security/test_attacks_without_bwrap.py
       python -m tests.security.figures_without_bwrap /tmp/uid.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.security import builders
from tests.security.test_attacks_without_bwrap import ALL, DIFFERENT


def main(path: str) -> None:
    batch = json.loads(Path(path).read_text())
    print("| attack | category | points (expected) | stopped by | isolation | seconds |")
    print("|---|---|---|---|---|---|")
    handled = unearned = crashes = 0
    for attack in ALL:
        result = batch["results"][attack["name"]]
        text = json.dumps(result)
        messages = DIFFERENT.get(attack["name"], {}).get("messages", builders.messages(attack))
        handled += result["score"] == attack["points"] and any(m in text for m in messages)
        unearned += max(0.0, result["score"] - attack["points"])
        crashes += "the judge failed" in text or "grading stopped" in text
        failed = [(t["output"].split("\n") + [""])[1] for t in result["tests"]
                  if t["status"] != "passed"]
        why = failed[0] if failed else (result["output"] if result["status"] != "graded"
                                        else "nothing to stop")
        print(f"| {attack['name']} | {attack['category']} | {result['score']:g} "
              f"({attack['points']}) | {why.split(chr(10))[0][:90].replace('|', '/')} | "
              f"{result['isolation']} | {result['execution_time']:.1f} |")
    leaks = sum(bool(v) for v in batch["leaks"].values())
    print(f"\nattacks tried {len(ALL)}, handled as expected {handled}, unearned points "
          f"{unearned:g}, grader crashes {crashes}, secrets leaked {leaks}, files changed "
          f"outside result folders {len(batch['changed'])}, engine or venv files changed "
          f"{len(batch['engine_changed'])}, forged result files {len(batch['forged'])}, "
          f"connections {len(batch['connections'])}, sandbox-user processes/files left "
          f"{len(batch['left_processes'])}/{len(batch['left_files'])}; batch wall time "
          f"{batch['seconds']:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1])
