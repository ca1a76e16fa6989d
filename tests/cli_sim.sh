#!/usr/bin/env bash
# The onebot command against the simulator's demo world: each subcommand's
# output and exit status, the state it leaves behind (read back through
# other subcommands), --json round trips, server refusals, events.
# With "http" as the second argument every command goes over NapCat's HTTP
# API (the simulator's --http) and `onebot events` follows its SSE stream.
set -uo pipefail
build=${1:?usage: cli_sim.sh BUILD_DIR [ws|http]}
mode=${2:-ws}
onebot="$build/tools/onebot"
tmp=$(mktemp -d)
sim_pid=""
trap '[ -n "$sim_pid" ] && { kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; }; rm -rf "$tmp"' EXIT
fails=0 count=0
pass() { count=$((count + 1)); printf 'ok    %s\n' "$1"; }
fail() { count=$((count + 1)); printf 'FAIL  %s\n' "$1"; fails=$((fails + 1)); }

http_arg=()
[ "$mode" = http ] && http_arg=(--http 127.0.0.1:0)
"$onebot" sim --listen 127.0.0.1:0 "${http_arg[@]}" --db "$tmp/world.db" --demo --token bot-token --control-token ctl-token --verbose --files-root "$tmp" \
  --heartbeat 0 >"$tmp/sim.out" 2>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 100); do grep -q 'console at' "$tmp/sim.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^onebot-sim listening on \(ws:[^ ]*\).*/\1/p' "$tmp/sim.out")
ws_port=${url##*:}
[ "$mode" = http ] && url=$(sed -n 's/^onebot-sim HTTP API on \(http:[^ ]*\).*/\1/p' "$tmp/sim.out")
[ -n "$url" ] || { echo "FAIL  the simulator did not start"; cat "$tmp/sim.out" "$tmp/sim.log"; exit 1; }
echo "over $url"
# NapCat's retcodes differ by transport (docs/protocol.md): a refusal is 1200
# over WebSocket and 200 over HTTP, an unknown action 1404 and 200.
if [ "$mode" = http ]; then rc_refused=200 rc_unknown=200; else rc_refused=1200 rc_unknown=1404; fi
export ONEBOT_URL=$url ONEBOT_TOKEN=bot-token
G=100100

# ob RC ARGS...: runs onebot, output in $tmp/out and $tmp/err; true when the exit status is RC
ob() { local want=$1; shift; "$onebot" "$@" >"$tmp/out" 2>"$tmp/err"; last_rc=$?; [ "$last_rc" -eq "$want" ]; }
out() { cat "$tmp/out"; }
# t DESCRIPTION RC PATTERN ARGS...: exit RC and stdout matching PATTERN (grep -E; "" = empty stdout)
t() {
  local what=$1 want=$2 pattern=$3; shift 3
  if ob "$want" "$@" && { if [ -z "$pattern" ]; then [ ! -s "$tmp/out" ]; else grep -qE -- "$pattern" "$tmp/out"; fi; }; then
    pass "$what"
  else
    fail "$what (exit $last_rc; out: $(head -c 200 "$tmp/out"); err: $(head -c 200 "$tmp/err"))"
  fi
}
ctl() { ONEBOT_TOKEN=ctl-token "$onebot" --json call "$@"; }
# The simulator logs each connection (--verbose): `await_client N` waits until it has
# logged more than N of them (a follower started in the background is
# connected, so the events sent next reach it).
clients() { grep -c 'client connected' "$tmp/sim.log"; }
await_client() { for _ in $(seq 300); do [ "$(clients)" -gt "$1" ] && return 0; sleep 0.1; done; return 1; }
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -n 1; }

# ---------------------------------------------------------------- reading
t "get_login_info"                       0 '^user_id +10001$'                 get_login_info
t "get_login_info --json"                0 '^\{"user_id":10001,"nickname":"GuardBot"\}$' --json get_login_info
t "get_group_list table"                 0 '^100100 +libonebot 演示群 +13 +200'  get_group_list
t "get_group_list --json"                0 '"group_name":"闲聊水群"'            get_group_list --json
t "get_group_info key/value"             0 '^group_name +libonebot 演示群$'     get_group_info $G
t "get_group_info --json"                0 '^\{.*"group_id":100100.*"member_count":13'  --json get_group_info $G
t "get_group_info_ex prints JSON"        0 '^\{'                               get_group_info_ex $G
t "get_group_member_info"                0 '^card +张伟 \| 运维$'               get_group_member_info $G 20001
grep -qE '^role +admin$' "$tmp/out" && grep -qE '^title +老司机$' "$tmp/out" && pass "member info: role and title" || fail "member info: role and title"
t "get_group_member_info of a stranger"  5 ''                                  get_group_member_info $G 424242
grep -q "retcode $rc_refused" "$tmp/err" && pass "refusal names the retcode" || fail "refusal names the retcode: $(cat "$tmp/err")"
t "get_group_member_list"                0 '^20012 +spam_bot_9000 '            get_group_member_list $G
[ "$(wc -l <"$tmp/out")" -eq 15 ] && pass "member list: header, rule, 13 rows" || fail "member list has $(wc -l <"$tmp/out") lines"

# Chinese cells take two columns: every row's ROLE column starts at the same display column.
role_columns() {
  while IFS= read -r line; do
    prefix=$(grep -oE '^.*  (owner|admin|member|ROLE)  ' <<<"$line" | sed -E 's/(owner|admin|member|ROLE)  $//')
    [ -n "$prefix" ] && printf '%s' "$prefix" | LC_ALL=C.UTF-8 wc -L
  done <"$tmp/out" | sort -u
}
ob 0 get_group_member_list $G
cols=$(role_columns)
measured=$(grep -cE '  (owner|admin|member|ROLE)  ' "$tmp/out")
[ "$measured" -eq 14 ] && [ "$(wc -l <<<"$cols")" -eq 1 ] && [ -n "$cols" ] && pass "member table columns align with Chinese text (ROLE at column $cols)" \
  || fail "member table columns misaligned: ROLE at columns $(tr '\n' ' ' <<<"$cols")"

t "get_group_shut_list empty"            0 '^USER_ID'                          get_group_shut_list $G
[ "$(wc -l <"$tmp/out")" -eq 2 ] && pass "shut list: nobody muted" || fail "shut list not empty: $(out)"
t "get_group_honor_info"                 0 '^group_id +100100$'                get_group_honor_info $G all
t "get_group_honor_info --json"          0 '"talkative_list":\['                    --json get_group_honor_info $G talkative

# --json round trip: the typed result re-encoded lists the same members, in
# the same order, with the same cards, as the server's raw reply.
ids_typed=$("$onebot" --json get_group_member_list $G | grep -oE '"user_id":[0-9]+|"card":"[^"]*"' | tr '\n' ' ')
ids_raw=$("$onebot" --json call get_group_member_list group_id:=$G | grep -oE '"user_id":[0-9]+|"card":"[^"]*"' | tr '\n' ' ')
[ -n "$ids_typed" ] && [ "$ids_typed" = "$ids_raw" ] && pass "--json member list round-trips the server's members and cards" \
  || fail "--json round trip: typed [$ids_typed] raw [$ids_raw]"
name_typed=$("$onebot" --json get_group_info 100200 | grep -oE '"group_name":"[^"]*"')
name_raw=$("$onebot" --json call get_group_info group_id:=100200 | grep -oE '"group_name":"[^"]*"')
[ "$name_typed" = '"group_name":"闲聊水群"' ] && [ "$name_typed" = "$name_raw" ] && pass "--json group info round-trips" \
  || fail "--json group info: [$name_typed] vs [$name_raw]"

# ---------------------------------------------------------------- members
t "set_group_card confirms"             0 '^ok: set_group_card group_id=100100 user_id=20004 card="QA 爱丽丝"$' set_group_card $G 20004 --card "QA 爱丽丝"
t "the card is set"                      0 '^card +QA 爱丽丝$'                  get_group_member_info $G 20004
t "set_group_card without --card refused" 2 ''                                 set_group_card $G 20004
t "the card is still set"                0 '^card +QA 爱丽丝$'                  get_group_member_info $G 20004
t "set_group_card --clear clears"        0 '^ok: set_group_card group_id=100100 user_id=20004 card=""$' set_group_card $G 20004 --clear
t "the card is cleared"                  0 '^card *$'                          get_group_member_info $G 20004
t "set_group_special_title"              0 '^ok: '                              set_group_special_title $G 20005 --special_title 构建大师
t "the title is set"                     0 '^title +构建大师$'                  get_group_member_info $G 20005
t "set_group_ban --duration"             0 '^ok: set_group_ban group_id=100100 user_id=20008 duration=600$' set_group_ban $G 20008 --duration 600
t "--quiet: no confirming line"          0 ''                                  --quiet set_group_ban $G 20008 --duration 600
t "-q after the command"                 0 ''                                  set_group_ban $G 20008 --duration 600 -q
t "--json: null, no confirming line"     0 '^null$'                            --json set_group_ban $G 20008 --duration 600
[ "$(wc -l <"$tmp/out")" -eq 1 ] && pass "--json: one line" || fail "--json: $(out)"
t "the member is in the shut list"       0 '^20008 +carol '                    get_group_shut_list $G
t "shut list --json uses member keys"    0 '"user_id":20008,.*"shut_up_timestamp":[1-9]' --json get_group_shut_list $G
t "set_group_ban --duration 0 lifts it"  0 '^ok: '                              set_group_ban $G 20008 --duration 0
t "the shut list is empty again"         0 '^-------'                          get_group_shut_list $G
[ "$(wc -l <"$tmp/out")" -eq 2 ] && pass "ban lifted" || fail "ban not lifted: $(out)"
t "banning the owner is refused"         5 ''                                  --no-check set_group_ban $G 10001
grep -q "set_group_ban: failed: retcode $rc_refused: cannot ban owner" "$tmp/err" && pass "stderr: action, retcode, message" || fail "stderr was: $(cat "$tmp/err")"
t "set_group_whole_ban true"             0 '^ok: '                              set_group_whole_ban $G true
t "whole-group mute is on"               0 '"all_shut":true|"group_all_shut":true' --json get_group_info $G
t "set_group_whole_ban off"              0 '^ok: '                              set_group_whole_ban $G off
t "whole-group mute is off"              0 '"all_shut":false|"group_all_shut":false' --json get_group_info $G
t "set_group_admin true"                 0 '^ok: '                              set_group_admin $G 20003 true
t "20003 is admin"                       0 '^role +admin$'                     get_group_member_info $G 20003
t "set_group_admin false"                0 '^ok: '                              set_group_admin $G 20003 false
t "20003 is member again"                0 '^role +member$'                    get_group_member_info $G 20003
t "set_group_kick"                       0 '^ok: '                              set_group_kick $G 20010
t "set_group_kick_members (commas and words)" 0 '^ok: set_group_kick_members group_id=100100 user_ids=20006,20007,20008 reject_add_request=false$'                             set_group_kick_members $G 20006,20007 20008
ob 0 get_group_member_list $G && ! grep -qE '^(20010|20006|20007|20008) ' "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 11 ] && pass "four members kicked" \
  || fail "kicks: $(out)"

flag=$(ctl sim_member_request group_id:=$G user_id:=30001 nickname=小林 comment=答案42 | sed -n 's/.*"flag":"\([^"]*\)".*/\1/p')
t "set_group_add_request approve"        0 '^ok: '                              set_group_add_request "$flag" true
t "the applicant joined"                 0 '^30001 +小林 '                      get_group_member_list $G
flag=$(ctl sim_member_request group_id:=$G user_id:=30002 nickname=广告哥 | sed -n 's/.*"flag":"\([^"]*\)".*/\1/p')
t "set_group_add_request reject --reason" 0 '^ok: '                                 set_group_add_request "$flag" false --reason 答案不对
ob 0 get_group_member_list $G && ! grep -q '^30002 ' "$tmp/out" && pass "the rejected applicant did not join" || fail "30002 joined"
t "a stale flag is refused"              5 ''                                  set_group_add_request "$flag" true
t "set_group_remark"                     0 '^ok: '                              set_group_remark $G 测试备注
t "--json of an action without result"  0 '^null$'                            --json set_group_remark $G 测试备注
t "the remark is set"                    0 '^group_remark +测试备注$'            get_group_info $G
t "set_group_name"                       0 '^ok: '                              set_group_name $G "新的群名 🎉"
t "the name is set"                      0 '^group_name +新的群名 🎉$'            get_group_info $G
# A name of 60 columns is cut to fit 48 with an ellipsis, and the columns
# after it (MEMBER_COUNT) stay aligned.
ob 0 set_group_name $G "$(printf '长%.0s' $(seq 30))"
ob 0 get_group_list
cell=$(grep "^$G " "$tmp/out" | grep -oE '长+…')
w=$(printf '%s' "$cell" | LC_ALL=C.UTF-8 wc -L)
[ -n "$cell" ] && [ "$w" -ge 47 ] && [ "$w" -le 48 ] && pass "a long name is cut to 48 columns with … ($w)" || fail "long name cell: '$cell'"
widths=$( { sed -n '1s/MEMBER_COUNT.*//p' "$tmp/out"; sed -E -n '3,$s/[0-9]+ +[0-9]+ *[^ ]*$//p' "$tmp/out"; } |
  while IFS= read -r prefix; do printf '%s' "$prefix" | LC_ALL=C.UTF-8 wc -L; done)
cols=$(sort -u <<<"$widths")
[ "$(wc -l <<<"$widths")" -eq 3 ] && [ "$(wc -l <<<"$cols")" -eq 1 ] && pass "group table aligned around the cut cell" || fail "group table columns at: $(tr '\n' ' ' <<<"$cols"): $(out)"

# ---------------------------------------------------------------- messages and essence
t "send_group_msg prints the message id" 0 '^[0-9]+$'                          send_group_msg $G "大家好"
sent=$(out)
t "send_group_message (segments)"        0 '^[0-9]+$'                          send_group_message $G '[{"type":"at","data":{"qq":"20001"}},{"type":"text","data":{"text":" 你好"}}]'
t "delete_msg"                           0 '^ok: '                              delete_msg "$sent"
t "delete_msg of an unknown id"          5 ''                                  delete_msg 987654321
said=$(ctl sim_member_say group_id:=$G user_id:=20009 message=值得加精的一句话 | num message_id)
t "set_essence_msg"                      0 '^ok: '                              set_essence_msg "$said"
t "get_group_essence_msg table"          0 "^$said +赵磊 \\(20009\\) .*值得加精的一句话" get_group_essence_msg $G
t "get_group_essence_msg --json"         0 "\"message_id\":$said"              --json get_group_essence_msg $G
t "delete_essence_msg"                   0 '^ok: '                              delete_essence_msg "$said"
ob 0 get_group_essence_msg $G && ! grep -q "^$said " "$tmp/out" && pass "essence removed" || fail "essence still listed"

# ---------------------------------------------------------------- files
printf 'hello\n' >"$tmp/a.txt"
t "upload_group_file prints the file id" 0 '^.+$'                              upload_group_file $G "$tmp/a.txt"
t "upload_group_file --name"             0 '^.+$'                              upload_group_file $G "$tmp/a.txt" --name 报告.txt
t "create_group_file_folder prints the id" 0 '^.+$'                            create_group_file_folder $G 资料
folder=$(out)
t "group_file_folder_makedir finds it"   0 "^$folder$"                         group_file_folder_makedir $G /资料/
t "group_file_folder_makedir --json"     0 "^\"$folder\"$"                      --json group_file_folder_makedir $G 资料
t "get_group_root_files table"           0 '^folder +.+ +资料 '                 get_group_root_files $G
grep -qE '^file +.+ +报告\.txt +6 B ' "$tmp/out" && pass "root listing shows the file with its size" || fail "root listing: $(out)"
root=$("$onebot" --json get_group_root_files $G)
fid=$(grep -oE '"file_id":"[^"]*","file_name":"a\.txt"' <<<"$root" | sed -E 's/^"file_id":"([^"]*)".*/\1/')
[ -n "$fid" ] && pass "--json root listing has the file id" || fail "--json root listing: $root"
t "get_group_file_url"                   0 '^(https?|file)://'                        get_group_file_url $G "$fid"
t "get_file"                             0 '^file_name +'                      get_file --file_id "$fid"
t "trans_group_file"                     0 '^ok: '                              trans_group_file $G "$fid"
t "move_group_file"                      0 '^ok: '                              move_group_file $G "$fid" / "$folder"
t "the file is in the folder"            0 '^file +.+ +a\.txt '                get_group_files_by_folder $G "$folder"
fid=$("$onebot" --json get_group_files_by_folder $G "$folder" | grep -oE '"file_id":"[^"]*"' | head -n 1 | cut -d'"' -f4)
t "rename_group_file"                    0 '^ok: '                              rename_group_file $G "$fid" "$folder" 改名.txt
t "the file is renamed"                  0 '^file +.+ +改名\.txt '              get_group_files_by_folder $G "$folder"
fid=$("$onebot" --json get_group_files_by_folder $G "$folder" | grep -oE '"file_id":"[^"]*"' | head -n 1 | cut -d'"' -f4)
t "delete_group_file"                    0 '^ok: '                              delete_group_file $G "$fid"
ob 0 get_group_files_by_folder $G "$folder" && ! grep -q '改名.txt' "$tmp/out" && pass "the file is gone" || fail "file still listed"
t "delete_group_folder"                  0 '^ok: '                              delete_group_folder $G "$folder"
ob 0 get_group_root_files $G && ! grep -q '资料' "$tmp/out" && pass "the folder is gone" || fail "folder still listed"
png=base64://iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
t "post_group_file image"                0 '^[0-9]+$'                          post_group_file $G image "$png"
t "post_group_file of a missing file"    2 ''                                  post_group_file $G file "$tmp/no-such-file"
# A long uploader name is cut by the table (with …), not by a small buffer
# in the middle of a character.
ctl sim_add_user user_id:=10001 nickname="a$(printf '长%.0s' $(seq 30))" >/dev/null
ob 0 upload_group_file $G "$tmp/a.txt" --name long-by.txt
ob 0 get_group_root_files $G
by=$(grep ' long-by\.txt ' "$tmp/out")
[ -n "$by" ] && grep -q 'a长长*…' <<<"$by" && ! grep -q $'\xef\xbf\xbd' <<<"$by" && pass "a long uploader name is cut with …" \
  || fail "long uploader name: $by"
ctl sim_add_user user_id:=10001 nickname=GuardBot >/dev/null

# ---------------------------------------------------------------- notices, avatar, sign
t "send_group_notice"                    0 '^ok: '                              send_group_notice $G "明天 9 点维护" --pinned
t "get_group_notice shows it"            0 '明天 9 点维护'                       get_group_notice $G
nid=$("$onebot" --json get_group_notice $G | grep -oE '"notice_id":"[^"]*"' | head -n 1 | cut -d'"' -f4)
t "del_group_notice"                     0 '^ok: '                              del_group_notice $G "$nid"
ob 0 get_group_notice $G && ! grep -q '明天 9 点维护' "$tmp/out" && pass "the notice is gone" || fail "notice still listed"
t "set_group_avatar"                     0 '^ok: '                              set_group_avatar $G "$png"
t "set_group_sign"                       0 '^ok: '                              set_group_sign $G
t "send_group_sign"                      0 '^ok: '                              send_group_sign $G
t "set_group_leave"                      0 '^ok: '                              set_group_leave 100200
ob 0 get_group_list && ! grep -q '^100200 ' "$tmp/out" && pass "the bot left 100200" || fail "still in 100200"

# ---------------------------------------------------------------- call, auth, events
t "call prints the whole reply"          0 '"status": "ok"'                    call get_group_info group_id:=$G
t "call --json on one line"              0 '^\{"status":"ok","retcode":0,"data":\{.*"group_id":100100' --json call get_group_info group_id:=$G
t "call of an unknown action"            5 "\"retcode\":$rc_unknown,"                  --json call no_such_action
grep -q "retcode $rc_unknown" "$tmp/err" && pass "call failure on stderr" || fail "call failure: $(cat "$tmp/err")"
! grep -q "control token" "$tmp/err" && pass "no control-token hint for an unknown action" || fail "hint for no_such_action"
t "call of sim_* with the bot's token"   5 "\"retcode\":$rc_unknown,"                  --json call sim_member_say group_id:=$G user_id:=20004 message=x
grep -q "sim_\* actions are the simulator's control actions: give its control token with --token" "$tmp/err" \
  && pass "sim_* refused: hints at --token and --control-token" || fail "sim_* 1404 hint: $(cat "$tmp/err")"
t "a wrong token is refused"             4 ''                                  --token wrong get_group_list
ONEBOT_TOKEN= "$onebot" get_group_list >/dev/null 2>&1; rc=$?
[ $rc -eq 4 ] && pass "a missing token is refused" || fail "missing token: exit $rc"

n=$(clients)
"$onebot" events --count 3 --filter group_message,group_ban >"$tmp/events" 2>&1 &
ev_pid=$!
await_client "$n" || fail "events did not connect"
ctl sim_member_say group_id:=$G user_id:=20004 message="事件测试 one" >/dev/null
ctl sim_member_ban group_id:=$G user_id:=20005 duration:=60 operator_id:=20001 >/dev/null
ctl sim_member_say group_id:=$G user_id:=20002 message="事件测试 two" >/dev/null
for _ in $(seq 50); do kill -0 $ev_pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $ev_pid 2>/dev/null; then kill $ev_pid; fail "events --count 3 did not stop"; else
  wait $ev_pid; rc=$?
  [ $rc -eq 0 ] && pass "events --count exits 0" || fail "events exit $rc"
fi
grep -qE 'group_message +group 100100  user 20004  message #[0-9]+ \(alice\): 事件测试 one' "$tmp/events" && pass "events: message line" || fail "events: $(cat "$tmp/events")"
grep -qE 'group_ban +group 100100  user 20005  banned for 60s by 20001' "$tmp/events" && pass "events: ban line" || fail "events: ban line missing"
[ "$(wc -l <"$tmp/events")" -eq 3 ] && pass "events: exactly three lines (lifecycle filtered out)" || fail "events: $(wc -l <"$tmp/events") lines"
n=$(clients)
"$onebot" --json events --count=1 --group=$G >"$tmp/events" 2>&1 &
ev_pid=$!
await_client "$n" || fail "events --json did not connect"
ctl sim_member_say group_id:=100200 user_id:=20013 message="other group" >/dev/null 2>&1
ctl sim_member_say group_id:=$G user_id:=20004 message="json line" >/dev/null
for _ in $(seq 50); do kill -0 $ev_pid 2>/dev/null || break; sleep 0.1; done
kill $ev_pid 2>/dev/null && fail "events --json --count 1 did not stop"
wait $ev_pid 2>/dev/null
grep -q '^{.*"post_type":"message".*"group_id":100100' "$tmp/events" && ! grep -q 'other group' "$tmp/events" \
  && pass "events --json --group: the raw event of that group only" || fail "events --json: $(cat "$tmp/events")"
# --count 1 unfiltered: the lifecycle event on connecting is shown but not counted
n=$(clients)
"$onebot" events --count 1 >"$tmp/events" 2>&1 &
ev_pid=$!
await_client "$n" || fail "events --count 1 did not connect"
sleep 0.3
ctl sim_member_say group_id:=$G user_id:=20004 message="counted" >/dev/null
for _ in $(seq 50); do kill -0 $ev_pid 2>/dev/null || break; sleep 0.1; done
kill $ev_pid 2>/dev/null && fail "events --count 1 did not stop"
wait $ev_pid 2>/dev/null
# (NapCat's SSE stream sends no lifecycle event: only the WebSocket does)
{ [ "$mode" = http ] && ! grep -q lifecycle "$tmp/events" || grep -q 'lifecycle .*connected' "$tmp/events"; } \
  && grep -q 'group_message .*counted' "$tmp/events" \
  && pass "events --count 1: the lifecycle event does not count, the message does" || fail "events --count 1: $(cat "$tmp/events")"

# A reader that goes away (`onebot events | head -n 1`) ends the follower,
# also when SIGPIPE is ignored (inherited from the parent) and writes just
# fail: it must not go on following into a closed pipe.
mkfifo "$tmp/ev.fifo"
n=$(clients)
( trap '' PIPE; exec "$onebot" events --filter group_message >"$tmp/ev.fifo" 2>"$tmp/ev.err" ) &
ev_pid=$!
head -n 1 <"$tmp/ev.fifo" >"$tmp/ev.head" &    # one line, then the reader is gone
head_pid=$!
await_client "$n" || fail "events into a pipe did not connect"
ctl sim_member_say group_id:=$G user_id:=20004 message="read once" >/dev/null
wait $head_pid
ctl sim_member_say group_id:=$G user_id:=20004 message="nobody reads this" >/dev/null
for _ in $(seq 300); do kill -0 $ev_pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $ev_pid 2>/dev/null; then
  kill $ev_pid; wait $ev_pid 2>/dev/null; fail "events went on writing into a closed pipe"
else
  wait $ev_pid; rc=$?
  grep -q "read once" "$tmp/ev.head" && [ $rc -eq 1 ] && grep -q "cannot write the output" "$tmp/ev.err" \
    && pass "events stops (exit 1) when its reader is gone and SIGPIPE is ignored" \
    || fail "events into a closed pipe: exit $rc: $(cat "$tmp/ev.head" "$tmp/ev.err")"
fi

# ---------------------------------------------------------------- timeout, reconnect
# A stopped simulator accepts TCP (the kernel does) but never answers.
kill -STOP $sim_pid
start=$(date +%s)
"$onebot" --timeout 1 get_group_list >/dev/null 2>"$tmp/err"; rc=$?
kill -CONT $sim_pid
[ $rc -eq 6 ] && [ $(( $(date +%s) - start )) -le 5 ] && pass "no answer within --timeout: exit 6" \
  || fail "timeout: exit $rc: $(cat "$tmp/err")"

# events survives a server restart: it says so, reconnects, and goes on.
port=${url##*:}
[ "$mode" = http ] && http_arg=(--http "127.0.0.1:$port")
# the events to wait for: over WebSocket NapCat's lifecycle "connect" on each
# connection, the library's "lost" and "reconnected", and the message; SSE
# has no lifecycle event of NapCat's own
want=5
[ "$mode" = http ] && want=3
n=$(clients)
"$onebot" events --filter lifecycle,group_message --count $want >"$tmp/events" 2>&1 &
ev_pid=$!
# (generous waits: a loaded machine may take seconds to connect; killing the
# server before the first connect would make events fail, not reconnect)
await_client "$n" || fail "events did not connect before the restart"
kill $sim_pid; wait $sim_pid 2>/dev/null
"$onebot" sim --listen "127.0.0.1:$ws_port" "${http_arg[@]}" --db "$tmp/world.db" --token bot-token --control-token ctl-token --verbose --files-root "$tmp" \
  --heartbeat 0 >"$tmp/sim.out" 2>>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 300); do grep -q reconnected "$tmp/events" && break; sleep 0.1; done
ctl sim_member_say group_id:=$G user_id:=20004 message="after the restart" >/dev/null
for _ in $(seq 50); do kill -0 $ev_pid 2>/dev/null || break; sleep 0.1; done
kill $ev_pid 2>/dev/null && fail "events did not finish after the restart"
wait $ev_pid 2>/dev/null
grep -q 'connection lost, reconnecting' "$tmp/events" && grep -q 'reconnected' "$tmp/events" \
  && grep -q 'after the restart' "$tmp/events" && pass "events reconnects after a server restart" \
  || fail "events across a restart: $(cat "$tmp/events")"

echo "$((count - fails))/$count passed"
exit $((fails > 0))
