#!/usr/bin/env bash
# onebot checks QQ's role rules before sending (ob_options.check_permissions):
# an action QQ would refuse exits 5 with the rule on stderr and nothing sent;
# --no-check sends it anyway (NapCat, like the simulator here, says "ok").
set -uo pipefail
build=${1:?usage: cli_permissions.sh BUILD_DIR}
onebot="$build/tools/onebot"
tmp=$(mktemp -d)
sim_pid=""
trap '[ -n "$sim_pid" ] && { kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; }; rm -rf "$tmp"' EXIT
fails=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; fails=$((fails + 1)); }

"$onebot" sim --listen 127.0.0.1:0 --db "$tmp/world.db" --demo --control-token ctl-token >"$tmp/sim.out" 2>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/sim.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^onebot-sim listening on \(ws:[^ ]*\).*/\1/p' "$tmp/sim.out")
[ -n "$url" ] || { echo "FAIL  the simulator did not start"; cat "$tmp/sim.log"; exit 1; }
export ONEBOT_URL=$url ONEBOT_TOKEN=ctl-token
G=100100
ctl() { "$onebot" --json call "$@" >/dev/null; }

# the bot (10001, the demo's owner) becomes an admin: 20002 owns the group
ctl sim_set_role group_id:=$G user_id:=20002 role=owner && ctl sim_set_role group_id:=$G role=admin ||
  { echo "FAIL  could not set the roles"; exit 1; }

"$onebot" set_group_special_title $G 20008 --special_title boss >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 5 ] && pass "refused: exit 5" || fail "refused: exit $rc"
grep -qF "only the group owner can set special titles; the bot is an admin in $G" "$tmp/err" &&
  pass "the rule on stderr" || fail "stderr was: $(cat "$tmp/err")"
grep -q "(OB_EPERM)" "$tmp/err" && pass "named OB_EPERM" || fail "no OB_EPERM: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] && pass "nothing on stdout" || fail "stdout: $(cat "$tmp/out")"
grep -q "QQ would refuse" "$tmp/sim.log" && fail "the simulator received it" || pass "nothing sent"

"$onebot" --no-check set_group_special_title $G 20008 --special_title boss >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && pass "--no-check sends: NapCat's false ok" || fail "--no-check: exit $rc: $(cat "$tmp/err")"
for _ in $(seq 50); do grep -q "QQ would refuse" "$tmp/sim.log" && break; sleep 0.1; done
grep -q "QQ would refuse" "$tmp/sim.log" && pass "--no-check: the simulator received it" || fail "not sent"

# allowed actions go through; the help says what QQ requires
"$onebot" set_group_ban $G 20008 --duration 60 >"$tmp/out" 2>"$tmp/err" && pass "an allowed ban is sent" ||
  fail "allowed ban: $(cat "$tmp/err")"
"$onebot" set_group_kick $G 20002 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 5 ] && grep -qF "an admin can kick only those of a lower role; the bot is an admin and 20002 is the owner in $G" "$tmp/err" &&
  pass "kicking the owner as an admin: exit 5 and the rule" || fail "kick owner: exit $rc: $(cat "$tmp/err")"
"$onebot" set_group_special_title --help >"$tmp/out" 2>&1
grep -q "QQ lets only the group owner do this. onebot checks it first" "$tmp/out" && pass "--help says what QQ requires" ||
  fail "help: $(cat "$tmp/out")"
"$onebot" get_group_info --help >"$tmp/out" 2>&1
grep -q "checks it first" "$tmp/out" && fail "an unguarded command's help names a rule" || pass "unguarded help has no rule"

[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
exit "$fails"
