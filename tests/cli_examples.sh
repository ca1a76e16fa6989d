#!/usr/bin/env bash
# The examples against the simulator: hello prints the login info and the first event,
# async_kick kicks many members with the _async API, group_guard refuses a
# bad config and does its start-up tidy-up with --once.
set -uo pipefail
build=${1:?usage: cli_examples.sh BUILD_DIR}
onebot="$build/tools/onebot"
ex="$build/examples"
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
fails=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; fails=$((fails + 1)); }

# --strict: a kick of a stranger is refused instead of NapCat's false success
"$onebot" sim --listen 127.0.0.1:0 --db "$tmp/world.db" --demo --strict --token tok --control-token ctl --heartbeat 0 --files-root "$tmp" \
  >"$tmp/sim.out" 2>"$tmp/sim.log" &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$tmp/sim.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^onebot-sim listening on \(ws:[^ ]*\).*/\1/p' "$tmp/sim.out")
[ -n "$url" ] || { echo "FAIL  the simulator did not start"; cat "$tmp/sim.log"; exit 1; }
ctl() { "$onebot" --url "$url" --token ctl --json call "$@"; }

# hello (the README's program): the login info, the first event, exit 0
timeout 20 "$ex/hello" "$url" tok >"$tmp/hello" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '^login: {.*"user_id":10001' "$tmp/hello" && pass "hello prints the login info" || fail "hello: exit $rc: $(cat "$tmp/hello")"
grep -q '^event: lifecycle {.*"sub_type":"connect"' "$tmp/hello" && pass "hello prints the first event" || fail "hello events: $(cat "$tmp/hello")"
"$ex/hello" "$url" wrong-token >"$tmp/hello" 2>&1 && fail "hello with a wrong token succeeded" || {
  grep -q '^OB_EAUTH: ' "$tmp/hello" && pass "hello fails with a wrong token (OB_EAUTH)" || fail "hello wrong token: $(cat "$tmp/hello")"; }

# async_kick: every kick in flight at once, each reply reported
"$ex/async_kick" --url "$url" --token tok 100100 20008 20010 20011 20012 424242 >"$tmp/kick" 2>&1
rc=$?
[ $rc -eq 1 ] && pass "async_kick reports the failed kick in its status" || fail "async_kick exit $rc: $(cat "$tmp/kick")"
[ "$(grep -c '^kicked ' "$tmp/kick")" -eq 4 ] && grep -q '^could not kick 424242' "$tmp/kick" && grep -q '^5 sent, 1 failed$' "$tmp/kick" \
  && pass "async_kick: 4 kicked, the stranger refused" || fail "async_kick: $(cat "$tmp/kick")"
members=$("$onebot" --url "$url" --token tok get_group_member_list 100100)
! grep -qE '^(20008|20010|20011|20012) ' <<<"$members" && grep -q '^20009 ' <<<"$members" \
  && pass "the kicked members are gone, the others stay" || fail "members after kick: $members"
"$ex/async_kick" --url "$url" --token tok --dry-run 100100 --silent-days 1 >"$tmp/kick" 2>&1
grep -qE '^[0-9]+ member\(s\) to kick from 100100 \(dry run\)$' "$tmp/kick" && grep -q '^0 sent, 0 failed$' "$tmp/kick" \
  && pass "async_kick --silent-days --dry-run lists without kicking" || fail "dry run: $(cat "$tmp/kick")"
# someone who joined just now has not been silent for a day, whatever they said
before=$(sed -n 's/^\([0-9]*\) member.*/\1/p' "$tmp/kick")
ctl sim_add_member group_id:=100100 user_id:=40001 nickname=newcomer >/dev/null
"$ex/async_kick" --url "$url" --token tok --dry-run 100100 --silent-days 1 >"$tmp/kick" 2>&1
after=$(sed -n 's/^\([0-9]*\) member.*/\1/p' "$tmp/kick")
[ -n "$before" ] && [ "$after" = "$before" ] && pass "async_kick --silent-days spares a member who joined today" \
  || fail "async_kick --silent-days: $before before the newcomer joined, $after after"
"$ex/async_kick" 100100 >/dev/null 2>&1; [ $? -eq 2 ] && pass "async_kick usage error" || fail "async_kick usage"
# a number past INT64_MAX is not clamped to it (and kicked), absurd day counts do not overflow
"$ex/async_kick" --url "$url" --token tok 100100 99999999999999999999 >"$tmp/kick" 2>&1
rc=$?; [ $rc -eq 2 ] && ! grep -q kicked "$tmp/kick" && pass "async_kick refuses an id past INT64_MAX" || fail "async_kick huge id: exit $rc: $(cat "$tmp/kick")"
"$ex/async_kick" --url "$url" --token tok --dry-run 100100 --silent-days 9223372036854775807 >"$tmp/kick" 2>&1
rc=$?; [ $rc -eq 2 ] && ! grep -q 'runtime error' "$tmp/kick" && pass "async_kick refuses an absurd --silent-days" || fail "async_kick --silent-days: exit $rc: $(cat "$tmp/kick")"

# group_guard: config errors name the line; --once tidies and exits
printf 'keyword = 广告\nflood_messages = lots\nfrobnicate = 1\n' >"$tmp/bad.conf"
"$ex/group_guard" --url "$url" --token tok --config "$tmp/bad.conf" --once >"$tmp/guard" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q 'bad.conf:2: flood_messages wants' "$tmp/guard" && grep -q 'bad.conf:3: unknown key' "$tmp/guard" \
  && pass "group_guard names the bad config lines" || fail "group_guard bad config: exit $rc: $(cat "$tmp/guard")"
# a line too long for the parser is one error at its own line number
{ printf 'keyword = '; head -c 5000 /dev/zero | tr '\0' x; printf '\nfrobnicate = 1\n'; } >"$tmp/long.conf"
"$ex/group_guard" --url "$url" --token tok --config "$tmp/long.conf" --once >"$tmp/guard" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q 'long.conf:1: line longer than' "$tmp/guard" && grep -q 'long.conf:2: unknown key' "$tmp/guard" \
  && [ "$(grep -c 'long.conf:' "$tmp/guard")" -eq 2 ] \
  && pass "group_guard reports a too long config line at its own line" || fail "group_guard long line: exit $rc: $(cat "$tmp/guard")"
printf 'old\n' >"$tmp/old.txt"
ctl sim_set_clock offset:=-864000 >/dev/null
"$onebot" --url "$url" --token tok upload_group_file 100100 "$tmp/old.txt" >/dev/null
ctl sim_set_clock offset:=0 >/dev/null
printf 'group = 100100\ntidy_folder = 旧文件\ntidy_age_days = 7\n' >"$tmp/tidy.conf"
"$ex/group_guard" --url "$url" --token tok --config "$tmp/tidy.conf" --once >"$tmp/guard" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'tidied 1 file(s) of 100100 into 旧文件' "$tmp/guard" && grep -q 'files tidied       1 in 1 run(s)' "$tmp/guard" \
  && pass "group_guard --once tidies old files and prints its summary" || fail "group_guard --once: exit $rc: $(cat "$tmp/guard")"
"$onebot" --url "$url" --token tok get_group_root_files 100100 >"$tmp/root" 2>&1
grep -qE '^folder +.+ +旧文件 +1 file' "$tmp/root" \
  && pass "the old file is in the new folder" || fail "tidy folder: $(cat "$tmp/root")"


# group_guard's rules, live. Events are handled in order, so once the bot has
# banned the last sender (20009) it has seen every message sent before.
printf 'group = 100100\nkeyword = http\nkeyword = 加微信\nflood_messages = 0\n' >"$tmp/rules.conf"
"$ex/group_guard" --url "$url" --token tok --config "$tmp/rules.conf" --duration 300 >"$tmp/rules.log" 2>&1 &
guard=$!
pids+=($guard)
for _ in $(seq 100); do grep -q guarding "$tmp/rules.log" && break; sleep 0.1; done
# an image (its URL has "http") and a mention (its CQ code has "qq") are not text
ctl sim_member_say group_id:=100100 user_id:=20004 \
  message:='[{"type":"image","data":{"file":"https://example.com/cat.png"}},{"type":"text","data":{"text":"look"}}]' >/dev/null
# a plain member may not use the commands, and starting a message with one
# does not get spam past the keyword rule
ctl sim_member_say group_id:=100100 user_id:=20005 message="!title 加微信领红包" >/dev/null
ctl sim_member_say group_id:=100100 user_id:=20006 message="!essence 加微信领红包" >/dev/null
ctl sim_member_say group_id:=100100 user_id:=20009 message="see http://spam.example" >/dev/null
for _ in $(seq 300); do grep -q 'banned 20009' "$tmp/rules.log" && break; sleep 0.1; done
grep -q 'banned 20009 in 100100 for 60s (keyword "http"' "$tmp/rules.log" && pass "group_guard bans a link in the text" \
  || fail "group_guard keyword: $(cat "$tmp/rules.log")"
! grep -q 'banned 20004' "$tmp/rules.log" && pass "group_guard does not match keywords inside an image's CQ code" \
  || fail "group_guard banned an image: $(cat "$tmp/rules.log")"
grep -q 'banned 20005 in 100100 for 60s (keyword "加微信"' "$tmp/rules.log" \
  && grep -q 'banned 20006 in 100100 for 60s (keyword "加微信"' "$tmp/rules.log" \
  && pass "group_guard: a command word from a plain member does not bypass the keyword rule" \
  || fail "group_guard command bypass: $(cat "$tmp/rules.log")"
! grep -qE 'title of|made essence' "$tmp/rules.log" && pass "group_guard: plain members cannot use !title or !essence" \
  || fail "group_guard obeyed a plain member: $(cat "$tmp/rules.log")"

# A server that comes back with another token refuses the reconnection for
# good: the bot must say so and exit, not spin on a dead client.
port=${url##*:}
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null
for _ in $(seq 100); do grep -q 'connection lost' "$tmp/rules.log" && break; sleep 0.1; done
"$onebot" sim --listen "127.0.0.1:$port" --db "$tmp/world.db" --token changed --control-token ctl --heartbeat 0 --files-root "$tmp" \
  >"$tmp/sim2.out" 2>>"$tmp/sim.log" &
pids+=($!)
for _ in $(seq 300); do kill -0 $guard 2>/dev/null || break; sleep 0.1; done
if kill -0 $guard 2>/dev/null; then
  cpu=$(awk '{print $14 + $15}' /proc/$guard/stat 2>/dev/null)
  fail "group_guard still runs 30 s after its token was refused (cpu ticks: $cpu): $(cat "$tmp/rules.log")"
else
  wait $guard; rc=$?
  [ $rc -eq 1 ] && grep -q 'OB_EAUTH' "$tmp/rules.log" && grep -q 'group_guard summary' "$tmp/rules.log" \
    && pass "group_guard exits (status 1, summary printed) when the token is refused on reconnect" \
    || fail "group_guard after a refused reconnect: exit $rc: $(cat "$tmp/rules.log")"
fi

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
exit $((fails > 0))
