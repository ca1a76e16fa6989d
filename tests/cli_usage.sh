#!/usr/bin/env bash
# The onebot command without a server: help at every level, usage errors
# (exit 2) for bad arguments, and no connection attempt for them: the URL
# points at a port with a listener that records every connection.
set -uo pipefail
build=${1:?usage: cli_usage.sh BUILD_DIR}
onebot="$build/tools/onebot"
tmp=$(mktemp -d)
trap 'kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; fails=$((fails + 1)); }

# A simulator whose log (--verbose: one line per connection) tells whether anyone came.
"$onebot" sim --listen 127.0.0.1:0 --db ":memory:" --heartbeat 0 --verbose >"$tmp/sim.out" 2>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/sim.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^onebot-sim listening on \(ws:[^ ]*\).*/\1/p' "$tmp/sim.out")
[ -n "$url" ] || { echo "FAIL  the simulator did not start"; cat "$tmp/sim.log"; exit 1; }
log_lines() { wc -l <"$tmp/sim.log"; }
before=$(log_lines)

# expect_usage DESCRIPTION PATTERN ARGS...: exit 2 and PATTERN on stderr
expect_usage() {
  local what=$1 pattern=$2; shift 2
  # (timeout: a command that wrongly goes on to follow events must not hang the test)
  timeout 30 "$onebot" --url "$url" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 2 ] && grep -q -- "$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then pass "$what"
  else fail "$what (exit $rc; stderr: $(head -c 300 "$tmp/err"))"; fi
}
expect_usage "unknown subcommand"            "unknown command 'frobnicate'"  frobnicate 1 2
expect_usage "a typo gets the closest name"  "did you mean set_group_ban"   set_group_bna 1 2
expect_usage "a part of a name gets the names holding it" "did you mean set_group_ban, set_group_whole_ban?" ban
expect_usage "a typo of a built-in command"  "did you mean events?"          evnts
expect_usage "help with a typo"              "did you mean call?"            help cal
expect_usage "unknown global option"         "unknown option '--frob'"       --frob get_group_list
expect_usage "missing group id"              "missing GROUP_ID"              get_group_member_list
expect_usage "missing user id"               "missing USER_ID"               set_group_ban 123456
expect_usage "non-numeric group id"          "group_id must be a positive number, not 'abc'" get_group_info abc
expect_usage "negative id"                   "user_id must be a positive number, not '-5'" set_group_kick 1 -5
expect_usage "id with trailing junk"         "not '12x'"                     get_group_info 12x
expect_usage "negative duration"             "duration must be a number >= 0" set_group_ban 1 2 --duration -1
expect_usage "non-numeric duration"          "duration must be"              set_group_ban 1 2 --duration soon
expect_usage "option value missing"          "--duration needs a value"      set_group_ban 1 2 --duration
expect_usage "unknown option of a command"   "unknown option '--bogus'"      set_group_ban 1 2 --bogus 3
expect_usage "option given twice"            "given twice"                   set_group_ban 1 2 --duration 1 --duration 2
expect_usage "too many arguments"            "unexpected argument '3'"       set_group_kick 1 2 3
expect_usage "bad boolean"                   "enable must be true or false"  set_group_whole_ban 1 maybe
expect_usage "bad honor type"                "type must be one of"           get_group_honor_info 1 coolest
expect_usage "bad media kind"                "kind must be one of"           post_group_file 1 pdf x.pdf
expect_usage "bad id list"                   "is not a positive number"      set_group_kick_members 1 2,x,4
expect_usage "segments that are not JSON"    "JSON array of segments"        send_group_message 1 hello
expect_usage "bad --timeout"                 "--timeout wants"               --timeout -3 get_group_list
expect_usage "--url without value"           "--url needs a value"           get_group_list --url
expect_usage "call without action"           "call needs an ACTION"          call
expect_usage "call with a bare word"         "is not key=value"              call get_group_info group_id
expect_usage "call with bad JSON"            "is not valid JSON"             call get_group_info group_id:=12a
expect_usage "call with a key twice"         "given twice"                   call x a=1 a:=2
expect_usage "events with a bad kind"        "unknown event kind 'nonsense'" events --filter group_message,nonsense
expect_usage "events with a bad --count"     "--count wants"                 events --count 0
expect_usage "events --count=N form"          "--count wants"                 events --count=0
expect_usage "events --filter=KIND form"      "unknown event kind 'nonsense'" events --filter=nonsense
expect_usage "events --group=ID form"         "--group wants a group id"      events --group=-4
expect_usage "events with an empty --filter"  "--filter wants event kinds"    events --filter ""
# an optional string whose default empties something must be given, or --clear
expect_usage "set_group_card wants --card or --clear" "give --card CARD, or --clear" set_group_card 1 2
expect_usage "set_group_special_title too" "give --special_title SPECIAL_TITLE, or --clear" set_group_special_title 1 2
expect_usage "--clear and --card together"   "--clear and --card exclude each other" set_group_card 1 2 --card x --clear
expect_usage "--clear where nothing clears"  "unknown option '--clear'"      set_group_ban 1 2 --clear
expect_usage "unsupported completion"        "supports: bash"                --completion fish
expect_usage "no command at all"             "Usage: onebot"
after=$(log_lines)
if [ "$after" -eq "$before" ]; then pass "no usage error touched the server"
else fail "the server saw $((after - before)) connection(s) during usage errors"; fi

# The listener does see a real command (so the check above can fail).
"$onebot" --url "$url" get_login_info >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ] && [ "$(log_lines)" -gt "$after" ] && grep -q '^user_id *10001$' "$tmp/out"; then pass "a valid command connects"
else fail "a valid command connects ($(cat "$tmp/err"))"; fi

# `--` ends the global options, also right before the command.
"$onebot" --url "$url" -- get_login_info >"$tmp/out" 2>"$tmp/err"
rc=$?; [ $rc -eq 0 ] && grep -q '^user_id *10001$' "$tmp/out" && pass "onebot -- COMMAND" || fail "onebot -- COMMAND: exit $rc: $(cat "$tmp/err")"

# Output that cannot be written is an error (exit 1), not a silent success.
if [ -w /dev/full ]; then
  "$onebot" --url "$url" --json get_login_info >/dev/full 2>"$tmp/err"
  rc=$?; [ $rc -eq 1 ] && grep -q "cannot write the output" "$tmp/err" && pass "a full disk: exit 1" || fail "writing to /dev/full: exit $rc"
  "$onebot" --help >/dev/full 2>"$tmp/err"
  rc=$?; [ $rc -eq 1 ] && grep -q "cannot write the output" "$tmp/err" && pass "help to a full disk: exit 1" || fail "help to /dev/full: exit $rc"
fi

# Help at every level: exit 0, a Usage line, on stdout.
expect_help() {
  local what=$1 pattern=$2; shift 2
  "$onebot" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 0 ] && grep -q -- "$pattern" "$tmp/out" && [ ! -s "$tmp/err" ]; then pass "$what"
  else fail "$what (exit $rc)"; fi
}
expect_help "onebot --help lists the group commands"  "set_group_ban  *Mute a member"  --help
expect_help "onebot help"                             "Exit status"                    help
expect_help "onebot help call"                        "key:=JSON"                      help call
expect_help "onebot events --help"                    "--filter KIND"                  events --help
expect_help "onebot set_group_ban --help"             "Usage: onebot set_group_ban GROUP_ID USER_ID \[--duration DURATION\]" set_group_ban --help
expect_help "set_group_card --help: --card or --clear" "Usage: onebot set_group_card GROUP_ID USER_ID (--card CARD | --clear)" set_group_card --help
expect_help "help after other arguments"              "default 1800"                   set_group_ban 1 --help
expect_help "onebot --version"                        "^onebot [0-9]"                  --version
# every group command has a help page naming the C function it calls
n=0
for cmd in $("$onebot" --help | sed -n 's/^  \([a-z_]*\)  .*/\1/p'); do
  n=$((n + 1))
  "$onebot" "$cmd" --help >"$tmp/out" 2>&1 && grep -q "Calls ob_$cmd()" "$tmp/out" || fail "help of $cmd"
done
[ "$n" -ge 40 ] && pass "help pages of $n group commands" || fail "only $n group commands listed"

# Connection errors: exit 3; a bad URL is a usage error.
"$onebot" --url ws://127.0.0.1:1 --timeout 2 get_group_list >/dev/null 2>"$tmp/err"
rc=$?; [ $rc -eq 3 ] && grep -q "cannot connect" "$tmp/err" && pass "refused connection: exit 3" || fail "refused connection: exit $rc"
grep -q "nothing listens at ws://127.0.0.1:1: start NapCat .* or the simulator (onebot sim --demo)" "$tmp/err" \
  && pass "refused connection: says to start NapCat or onebot sim, with the URL" || fail "no hint: $(cat "$tmp/err")"
ONEBOT_URL=ws://127.0.0.1:1 "$onebot" get_group_list >/dev/null 2>"$tmp/err"
rc=$?; [ $rc -eq 3 ] && grep -q "127.0.0.1:1" "$tmp/err" && pass "ONEBOT_URL is used" || fail "ONEBOT_URL: exit $rc"
"$onebot" --url "http//nope" get_group_list >/dev/null 2>"$tmp/err"
rc=$?; [ $rc -eq 2 ] && pass "malformed URL: exit 2" || fail "malformed URL: exit $rc"

# `onebot events` on NapCat's /api path (actions only) warns at once.
for path in /api /api/ "/api?x=1"; do
  timeout 5 "$onebot" --url "$url$path" --timeout 1 events >"$tmp/out" 2>"$tmp/err" &
  ev=$!
  for _ in $(seq 20); do grep -q "carries no events" "$tmp/err" && break; sleep 0.1; done
  grep -q "warning: $url$path: the /api path carries no events" "$tmp/err" && pass "events on $path: warned at once" \
    || fail "events on $path: no warning: $(cat "$tmp/err")"
  kill $ev 2>/dev/null; wait $ev 2>/dev/null
done
timeout 5 "$onebot" --url "$url/apis" --timeout 1 events >"$tmp/out" 2>"$tmp/err" &
ev=$!
sleep 0.5; kill $ev 2>/dev/null; wait $ev 2>/dev/null
! grep -q "carries no events" "$tmp/err" && pass "events on /apis: no warning" || fail "events on /apis warned"

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
exit $((fails > 0))
