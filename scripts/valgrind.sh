#!/usr/bin/env bash
# Runs the integration tests and wire tests under valgrind --leak-check=full.
# Fails when valgrind reports a leak or an error.
set -euo pipefail
build=${1:-build}
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/deps.sh --all)"; exit 1; }
status=0; ran=0
for t in "$build"/tests/it_* "$build"/tests/test_client "$build"/tests/test_client_faults "$build"/tests/test_group_wire "$build"/tests/test_hub; do
  [ -x "$t" ] || continue
  ran=$((ran + 1))
  log="$build/valgrind-$(basename "$t").log"
  if OB_UNDER_VALGRIND=1 valgrind --leak-check=full --show-leak-kinds=definite,indirect \
       --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=no \
       "$t" >"$log" 2>&1; then
    echo "valgrind: $(basename "$t") clean"
  else
    echo "valgrind: $(basename "$t") FAILED (see $log)"; tail -n 40 "$log"; status=1
  fi
done
[ "$ran" -gt 0 ] || { echo "valgrind: no test binaries in $build/tests"; exit 1; }
exit $status
