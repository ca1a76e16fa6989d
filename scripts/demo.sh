#!/usr/bin/env bash
# make demo: the moderation bot (examples/group_guard) against the simulator's
# demo world, while a scripted crowd joins, chats, spams and asks to join.
# Then it prints the group's state and checks it. Everything it starts is
# stopped on exit; the world lives in a temporary directory.
#
#   scripts/demo.sh [BUILD_DIR]          (make demo runs it after building
#                                         onebot, onebot-sim and group_guard)
#
# The simulator's browser console (docs/console.md) shows the group while
# the demo runs; its URL is printed at the start. KEEP=1 (make demo KEEP=1)
# keeps the simulator running afterwards until Ctrl-C; on a terminal the
# demo asks instead (Enter stops it); otherwise (CI) it stops at once.
set -euo pipefail

build=${1:-build}
onebot="$build/tools/onebot"
guard="$build/examples/group_guard"
here=$(cd "$(dirname "$0")" && pwd)
for bin in "$onebot" "$guard"; do
  [ -x "$bin" ] || { echo "demo: $bin is missing; run 'make demo' (it builds what the demo needs)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/onebot-demo.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
group=100100
control_token="demo-control-$$"
bot_token="demo-bot-$$"

if [ -t 1 ]; then blue=$'\033[1;34m' red=$'\033[1;31m' green=$'\033[32m' plain=$'\033[0m'
else blue="" red="" green="" plain=""; fi
say()  { printf '%s[demo %2ds]%s %s\n' "$blue" "$(( $(date +%s) - start ))" "$plain" "$*"; }
fail() { printf '%sdemo: %s%s\n' "$red" "$*" "$plain" >&2; exit 1; }

# ---- the simulator: demo world, temporary database, any free port ----
say "starting the simulator (demo world, database in $tmp)"
"$onebot" sim --listen 127.0.0.1:0 --db "$tmp/world.db" --demo --token "$bot_token" --files-root "$tmp" \
  --control-token "$control_token" --heartbeat 5000 >"$tmp/sim.out" 2>"$tmp/sim.log" &
pids+=($!)
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^onebot-sim listening on \(ws:[^ ]*\).*/\1/p' "$tmp/sim.out" 2>/dev/null || true)
  [ -n "$url" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$tmp/sim.log" >&2; fail "the simulator did not start"; }
  sleep 0.1
done
[ -n "$url" ] || fail "the simulator did not say where it listens"
say "simulator listening on $url"
console=$(sed -n 's/^onebot-sim console at \(http:[^ ]*\).*/\1/p' "$tmp/sim.out")
interactive=false
if [ "${KEEP:-}" = 1 ] || { [ -t 0 ] && [ -t 1 ]; }; then interactive=true; fi
if $interactive; then
  # the user's own browser, on this machine: the URL carries the demo's throwaway control token
  say "watch it in a browser: $console?token=$control_token"
else
  say "browser console: $console (it asks for the control token)"
fi

# The crowd acts through the sim_* control actions; the bot uses its own token.
crowd() { "$onebot" --url "$url" --token "$control_token" --json call "$@"; }
admin() { "$onebot" --url "$url" --token "$control_token" "$@"; }
msg_id() { sed -n 's/.*"message_id":\([0-9]*\).*/\1/p'; }
text() { printf '[{"type":"text","data":{"text":"%s"}}]' "$1"; }

# ---- old files for the tidy-up: uploaded with the clock 40 days back ----
printf '2025 年会的照片清单\n' >"$tmp/年会照片清单.txt"
printf 'meeting notes, spring\n' >"$tmp/spring-notes.txt"
printf 'this week\n' >"$tmp/本周值班表.txt"
crowd sim_set_clock offset:=-3456000 >/dev/null
admin upload_group_file $group "$tmp/年会照片清单.txt" >/dev/null
admin upload_group_file $group "$tmp/spring-notes.txt" >/dev/null
crowd sim_set_clock offset:=0 >/dev/null
admin upload_group_file $group "$tmp/本周值班表.txt" >/dev/null
say "uploaded 2 files dated 40 days ago and 1 from today"

# ---- the bot ----
sed -e 's/^#owner = .*/owner = 20001/' -e 's/^tidy_interval = .*/tidy_interval = 3600/' \
  "$here/../examples/group_guard.conf" >"$tmp/guard.conf"
printf 'group = %s\n' "$group" >>"$tmp/guard.conf"
# The log exists before the bot starts: the background job opens it in its
# own process, which may run after the first look at the log below.
: >"$tmp/guard.log"
"$guard" --url "$url" --token "$bot_token" --config "$tmp/guard.conf" --duration 50 >"$tmp/guard.log" 2>&1 &
guard_pid=$!
pids+=($guard_pid)
shown=0
show_bot() {  # prints the bot's new log lines
  local n
  n=$(wc -l <"$tmp/guard.log")
  if [ "$n" -gt "$shown" ]; then
    sed -n "$((shown + 1)),${n}p" "$tmp/guard.log" | sed 's/^/          bot: /'
    shown=$n
  fi
}
for _ in $(seq 100); do grep -q "guarding" "$tmp/guard.log" && break; sleep 0.1; done
grep -q "guarding" "$tmp/guard.log" || { cat "$tmp/guard.log" >&2; fail "group_guard did not start"; }
sleep 0.5
show_bot

# waits until the bot's log matches (or 5 s pass), then shows what it did
await_bot() {
  for _ in $(seq 50); do grep -q -- "$1" "$tmp/guard.log" && break; sleep 0.1; done
  show_bot
}

# ---- the crowd ----
say "赵磊 announces a talk"
talk=$(crowd sim_member_say group_id:=$group user_id:=20009 message="今晚 8 点线上分享 libonebot，欢迎来听" | msg_id)
say "alice says hello"
crowd sim_member_say group_id:=$group user_id:=20004 message="hello everyone" >/dev/null
say "spam_bot_9000 advertises"
crowd sim_member_say group_id:=$group user_id:=20012 message="加微信领红包，vx: spam123" >/dev/null
await_bot "banned 20012"
say "dave.k floods the group with 7 messages"
for i in 1 2 3 4 5 6 7; do
  # once muted, the simulator refuses the rest, as QQ would
  crowd sim_member_say group_id:=$group user_id:=20010 message="刷屏 $i" >/dev/null 2>&1 || true
done
await_bot "banned 20010"
say "新同学小林 asks to join with the right answer (42)"
crowd sim_member_request group_id:=$group user_id:=30001 nickname=新同学小林 comment="问题：1+41=?
答案：42" >/dev/null
await_bot "welcomed 30001"
say "广告哥 asks to join with a wrong answer"
crowd sim_member_request group_id:=$group user_id:=30002 nickname=广告哥 comment="答案：不知道" >/dev/null
await_bot "30002 to $group rejected"
say "张伟 (admin) replies !essence to 赵磊's announcement"
crowd sim_member_say group_id:=$group user_id:=20001 \
  message:="[{\"type\":\"reply\",\"data\":{\"id\":\"$talk\"}},{\"type\":\"text\",\"data\":{\"text\":\"!essence\"}}]" >/dev/null
await_bot "made essence"
say "张伟 (speaking for the owner) gives alice a title"
crowd sim_member_say group_id:=$group user_id:=20001 \
  message:='[{"type":"text","data":{"text":"!title "}},{"type":"at","data":{"qq":"20004"}},{"type":"text","data":{"text":" 测试担当"}}]' >/dev/null
await_bot "title of 20004"

say "stopping the bot"
kill -TERM "$guard_pid"
wait "$guard_pid" || fail "group_guard exited with status $?"
pids=("${pids[0]}")
show_bot

# ---- the group's state ----
echo
say "members of $group"
admin get_group_member_list $group
echo
say "muted members"
admin get_group_shut_list $group
echo
say "essence messages"
admin get_group_essence_msg $group
echo
say "group files (root)"
admin get_group_root_files $group
root=$(admin --json get_group_root_files $group)
# the folder the bot made: its id sits right before its name in the listing
folder=$(grep -o '"folder_id":"[^"]*","folder_name":"归档"' <<<"$root" | sed 's/^"folder_id":"\([^"]*\)".*/\1/' || true)
if [ -n "$folder" ]; then
  echo
  say "group files in 归档 ($folder)"
  admin get_group_files_by_folder $group "$folder"
fi

# ---- checks ----
echo
checks=0 failed=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  checks=$((checks + 1))
  if "$@" >/dev/null 2>&1; then printf '  %sok%s    %s\n' "$green" "$plain" "$what"
  else printf '  %sFAIL%s  %s\n' "$red" "$plain" "$what"; failed=$((failed + 1)); fi
}
members=$(admin --json get_group_member_list $group)
shut=$(admin --json get_group_shut_list $group)
essence=$(admin --json get_group_essence_msg $group)
archived=$([ -z "$folder" ] || admin --json get_group_files_by_folder $group "$folder")
say "checking the final state"
check "the spammer (20012) is muted"             grep -q '"user_id":20012' <<<"$shut"
check "the flooder (20010) is muted"             grep -q '"user_id":20010' <<<"$shut"
check "the right answer (30001) joined"          grep -q '"user_id":30001' <<<"$members"
check "the wrong answer (30002) did not join"    bash -c '! grep -q "\"user_id\":30002" <<<"$0"' "$members"
check "the newcomer's card is 新人|新同学小林"      grep -q '"card":"新人|新同学小林"' <<<"$members"
check "alice has the title 测试担当"              grep -q '"title":"测试担当"' <<<"$members"
check "赵磊's announcement is an essence message" grep -q "\"message_id\":$talk" <<<"$essence"
check "the tidy-up folder 归档 exists"            grep -q '"folder_name":"归档"' <<<"$root"
check "both old files were moved into 归档"       test "$(grep -o '"file_id"' <<<"$archived" | wc -l)" -eq 2
check "today's file stayed in the root"          grep -q '本周值班表.txt' <<<"$root"
check "the bot printed its summary"              grep -q "group_guard summary" "$tmp/guard.log"
check "the bot recorded no errors"               grep -q "errors             0" "$tmp/guard.log"

echo
say "done in $(( $(date +%s) - start ))s: $((checks - failed))/$checks checks passed"
cat <<EOF_HINT

To guard a real group, point the same bot at NapCat's forward WebSocket
(OneBot v11 settings, "WebSocket server", default port 3001):

  $guard --url ws://127.0.0.1:3001 --token YOUR_TOKEN --config examples/group_guard.conf

Edit the config first (group = your group, join_answer, keywords, owner = your QQ).
The bot account must be the group's owner (for !title) or an admin.
EOF_HINT

# ---- the console, for as long as the user wants ----
if [ "${KEEP:-}" = 1 ]; then
  echo
  say "the simulator keeps running for the console: $console?token=$control_token"
  say "press Ctrl-C to stop it"
  wait "${pids[0]}" || true
elif $interactive; then
  echo
  say "the simulator is still running for the console: $console?token=$control_token"
  read -r -p "Press Enter to stop it (make demo KEEP=1 keeps it until Ctrl-C) " _ || true
fi
[ "$failed" -eq 0 ] || exit 1
