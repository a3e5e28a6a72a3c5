#!/usr/bin/env bash
# The main job: set everything up, then grade the bundled example submissions and print scores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh

out=${OUT:-results/examples}
for folder in examples/submissions/*/; do
  assignment=$(basename "$folder")
  echo "== grading the example submissions of $assignment into $out/$assignment"
  .venv/bin/autograder grade "$folder"*/ --assignment "$assignment" --out "$out/$assignment" --force
done
