#!/usr/bin/env bash
# Runs every fuzz target in $1 for $2 seconds, starting from fuzz/corpus/<name>.
set -euo pipefail
build=${1:-build-fuzz}; secs=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  seeds="$root/fuzz/corpus/$name"; work="$build/corpus-$name"
  mkdir -p "$work"
  echo "fuzz: $name for ${secs}s"
  dict="$root/fuzz/$name.dict"
  if ! "$bin" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 $( [ -f "$dict" ] && echo "-dict=$dict" ) \
       "$work" $( [ -d "$seeds" ] && echo "$seeds" ) 2>"$build/$name.log"; then
    echo "fuzz: $name FAILED, see $build/$name.log"; tail -n 40 "$build/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units" "$build/$name.log" || true
  fi
done
exit $status
