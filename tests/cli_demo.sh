#!/usr/bin/env bash
# `make demo` as a test: the script must end with status 0, every one of its
# final-state checks passed, and it must leave no process behind.
set -uo pipefail
build=${1:?usage: cli_demo.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
bash "$src/scripts/demo.sh" "$build" >"$log" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
fails=0
check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fails=$((fails + 1)); fi; }
check "demo exits 0"                      '[ $rc -eq 0 ]'
check "all final-state checks passed"     'grep -qE "([0-9]+)/\1 checks passed" "$log"'
check "no check failed"                   '! grep -q "FAIL" "$log"'
check "the bot printed its summary"       'grep -q "group_guard summary" "$log"'
check "it shows how to use a real NapCat" 'grep -q "ws://127.0.0.1:3001" "$log"'
# (the bot's log was once read before the bot had created it)
check "no stray error from a tool"        '! grep -qE "^(grep|sed|wc|cat): |No such file or directory" "$log"'
# ...a race the run above rarely loses; so also: the log exists before the bot starts
created=$(grep -n '^: >"$tmp/guard.log"' "$src/scripts/demo.sh" | cut -d: -f1 | head -n 1)
started=$(grep -n '^"$guard" ' "$src/scripts/demo.sh" | cut -d: -f1 | head -n 1)
check "demo.sh creates the bot's log before starting the bot" '[ -n "$created" ] && [ -n "$started" ] && [ "$created" -lt "$started" ]'
check "it took under a minute (${elapsed}s)" '[ $elapsed -lt 60 ]'
# the demo's temporary directory appears on the command lines of what it started
dir=$(sed -n 's/.*database in \(.*onebot-demo\.[A-Za-z0-9]*\).*/\1/p' "$log" | head -n 1)
check "the demo named its temporary directory" '[ -n "$dir" ]'
check "it removed the temporary directory"     '[ -n "$dir" ] && [ ! -e "$dir" ]'
# (the pattern goes through a file so that grep's own command line lacks it)
printf '%s\n' "${dir:-/nonexistent-demo-dir}" >"$log.pattern"
check "no simulator or bot left running" \
  '! grep -lsFf "$log.pattern" /proc/[0-9]*/cmdline >/dev/null'
rm -f "$log.pattern"

# `make demo` builds what the demo runs, not the test suite; `make test` builds all.
make -n -s -C "$src" demo BUILD=build-x >"$log.make" 2>&1
check "make demo builds only onebot, onebot-sim and group_guard" \
  'grep -qE "^cmake --build build-x .*--target onebot_cli onebot-sim group_guard$" "$log.make" &&
   ! grep -qE "^cmake --build build-x( -j [0-9]+)?$" "$log.make"'
make -n -s -C "$src" test BUILD=build-x >"$log.make" 2>&1
check "make test builds everything"       'grep -qE "^cmake --build build-x -j [0-9]+$" "$log.make"'
rm -f "$log.make"

[ $fails -eq 0 ] || { echo "---- demo output"; cat "$log"; }
exit $((fails > 0))
