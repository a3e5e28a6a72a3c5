#!/usr/bin/env bash
# The whole test suite: set everything up, lint and type-check, prove every assignment's tests
# (release in sync, selfcheck, every example's expected score, the mistakes catalogue, the lab
# notebooks), then run the engine's tests. Extra arguments go to pytest.
# Prints the wall time of every stage and each assignment's share of CI against its budget.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
export MPLBACKEND=Agg
# Every stage runs two processes at a time on the two cores (graded examples, public tests on
# solution and stub, lab notebooks); a BLAS/OpenMP pool of two threads in each oversubscribes
# them. a01's training on a busy machine: 19.7 s with two threads, 2.3 s with one. The sandbox
# and the judge already use one thread (launcher.py, judge.py).
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AUTOGRADER_TIMINGS="$work/timings.tsv"
stages=()
failed=()

# stage NAME COMMAND...: run it, time it, remember a failure and go on to the next stage.
stage() {
  local name=$1 start=$SECONDS code=0
  shift
  echo "== $name"
  "$@" || code=$?
  # pytest's exit code 5: it collected nothing (e.g. a -k that matches no test): not a failure
  if [ "$code" = 5 ]; then echo "collected no tests"; code=0; fi
  stages+=("$(printf '%-22s %5d s  %s' "$name" $((SECONDS - start)) \
               "$([ "$code" = 0 ] && echo ok || echo "FAILED ($code)")")")
  if [ "$code" != 0 ]; then failed+=("$name"); fi
}

stage ruff            .venv/bin/ruff check .
stage mypy            .venv/bin/mypy
stage "release --check" .venv/bin/autograder release --check
# Grading the solution and the stub is left to the examples stage (perfect and stub examples).
stage selfcheck       .venv/bin/autograder selfcheck --no-grading
# The README's main command as written, on every example: expected scores, perfect 100, stub 0.
stage examples        env OUT="$work/examples" bash scripts/main.sh --all
# Graded tests only in CI (each mistake must lose points in its part), each variant in a fork
# of the warm judge (--local: the catalogue is the course's own code; the sandbox is proved by
# the examples stage and the red-team suite). The share the public tests flag is measured with
# `autograder mistakes ID` and given in each README.
stage mistakes        .venv/bin/autograder mistakes --no-public --local
# Kill rates are not sampled here: the coverage trace a sample needs costs ~80 s an assignment
# while four mutants gate nothing the mistakes catalogue does not; `autograder mutants ID` is an
# authoring step whose figures each README gives (see docs/authoring.md).
stage notebooks       .venv/bin/python -m pytest tests/test_notebooks.py -q -n 2
# Two workers, one test file each at a time (--dist loadfile): the red-team batches and the
# nbgrader run are module fixtures, and a worker that interleaves files (load, worksteal) tears
# one down and builds it again (the bwrap-less batch was set up three times in one run).
stage pytest          .venv/bin/python -m pytest --ignore=tests/test_notebooks.py -n 2 \
                        --dist loadfile "$@"

echo
echo "== each assignment's share of CI (seconds)"
.venv/bin/python benchmarks/ci_budget.py --timings "$AUTOGRADER_TIMINGS" \
  --examples "$work/examples" || echo "(over budget: see above)"
echo
echo "== stages"
printf '%s\n' "${stages[@]}"
echo "total                  $SECONDS s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
