#!/usr/bin/env bash
# The whole test suite: set everything up, lint and type-check, prove every assignment's tests
# (release in sync, selfcheck), then run the engine's tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
export MPLBACKEND=Agg

echo "== ruff";            .venv/bin/ruff check .
echo "== mypy";            .venv/bin/mypy
echo "== release --check"; .venv/bin/autograder release --check
echo "== selfcheck";       .venv/bin/autograder selfcheck
# A fixed sample of mutants per assignment; fails under an assignment's [mutation] min_kill_rate.
# Full run: `autograder mutants ID` (no --sample).
echo "== mutants (sample)"; .venv/bin/autograder mutants --sample 8
echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
# Exit code 5 means pytest collected nothing (e.g. a -k that matches no test): not a failure.
if [ "$code" = 5 ]; then echo "pytest collected no tests"; code=0; fi
exit "$code"
