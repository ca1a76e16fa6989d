#!/usr/bin/env bash
# The committed man page and bash completion are what the action table
# generates today (regenerate: cmake --build BUILD --target cli-docs), and
# both are well-formed.
set -uo pipefail
build=${1:?usage: cli_docs.sh BUILD_DIR}
onebot="$build/tools/onebot"
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; fails=$((fails + 1)); }

"$onebot" --man >"$tmp/onebot.1" || fail "onebot --man exits 0"
"$onebot" --completion bash >"$tmp/onebot.bash" || fail "onebot --completion bash exits 0"
if cmp -s "$tmp/onebot.1" "$src/docs/onebot.1"; then pass "docs/onebot.1 is in step with the action table"
else fail "docs/onebot.1 is stale: run 'cmake --build $build --target cli-docs'"; diff "$src/docs/onebot.1" "$tmp/onebot.1" | head -20; fi
if cmp -s "$tmp/onebot.bash" "$src/tools/onebot.bash"; then pass "tools/onebot.bash is in step with the action table"
else fail "tools/onebot.bash is stale: run 'cmake --build $build --target cli-docs'"; diff "$src/tools/onebot.bash" "$tmp/onebot.bash" | head -20; fi

# every subcommand is in both
cmds=$("$onebot" --help | sed -n 's/^  \([a-z_]*\)  .*/\1/p')
missing=0
for c in $cmds; do
  grep -q "^\.B onebot $c" "$tmp/onebot.1" || { fail "man page lacks $c"; missing=1; }
  grep -q "^    $c) words=" "$tmp/onebot.bash" || { fail "completion lacks $c"; missing=1; }
done
[ $missing -eq 0 ] && pass "all $(wc -w <<<"$cmds") subcommands are in the man page and the completion"

# the completion is valid bash and completes
if bash -n "$tmp/onebot.bash"; then pass "completion parses"; else fail "completion has a syntax error"; fi
complete_words() {  # complete_words WORD...: what _onebot offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _onebot; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$tmp/onebot.bash" "$@"
}
out=$(complete_words onebot set_group_b)
[ "$out" = "set_group_ban" ] && pass "completes a subcommand" || fail "completes a subcommand: got '$out'"
out=$(complete_words onebot set_group_ban 1 2 --d)
[ "$out" = "--duration" ] && pass "completes an option" || fail "completes an option: got '$out'"
out=$(complete_words onebot set_group_card 1 2 --cl)
[ "$out" = "--clear" ] && pass "completes --clear where a value would be emptied" || fail "completes --clear: got '$out'"
out=$(complete_words onebot get_group_honor_info 1 tal)
[ "$out" = "talkative" ] && pass "completes an enumeration" || fail "completes an enumeration: got '$out'"
out=$(complete_words onebot events --filter group_b)
[ "$out" = "group_ban" ] && pass "completes an event kind" || fail "completes an event kind: got '$out'"

# the man page renders without warnings (groff comes with scripts/deps.sh)
grep -q '^\.TH ONEBOT 1' "$tmp/onebot.1" && pass "man page has a title line" || fail "man page title"
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$tmp/onebot.1" 2>&1)
  [ -z "$warnings" ] && pass "man page renders cleanly" || fail "groff warnings: $warnings"
  groff -man -Tutf8 "$tmp/onebot.1" >"$tmp/man.txt" 2>/dev/null; grep -q "set_group_ban" "$tmp/man.txt" && pass "man page mentions set_group_ban" || fail "rendered man page"
else
  fail "groff is missing (scripts/deps.sh installs groff-base): the man page was not rendered"
fi

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
exit $((fails > 0))
