#!/usr/bin/env bash
# The main job: set everything up, then grade the bundled example submissions and print scores.
#   bash scripts/main.sh                    perfect, partial and stub of every assignment
#   bash scripts/main.sh --all              every example submission
#   bash scripts/main.sh a01_foundations    one assignment (ids and --all combine)
# Results go to results/examples/ID/ (or $OUT, relative to where you run this). Exits non-zero
# when an example misses its expected score or the grader itself failed on one.
set -euo pipefail
out=$(realpath -m "${OUT:-$(dirname "${BASH_SOURCE[0]}")/../results/examples}")
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh

.venv/bin/autograder examples "$@" --out "$out" --workers 2
