/* Simulator actions: the group system messages (join requests and the
 * bot's invitations, from the requests table, as NapCat's
 * GetGroupSystemMsg lists QQ's group notifications), QQ's daily @all quota,
 * a group's to-do message, its detail card and its join, search and robot
 * options.
 *
 * The options and the to-do live in group_settings (NULL: never set). The @all quota is derived from the stored
 * messages: nothing is counted when a message is sent. */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* QQ's @all quota, per simulated UTC day: the owner and admins together
 * (the group), and each of them (the uin). */
#define SIM_AT_ALL_PER_DAY_GROUP 10
#define SIM_AT_ALL_PER_DAY_UIN 10
/* The result code QQ's refusals carry in the simulator's "设置…失败" messages. */
#define SIM_QQ_NO_PERMISSION 1287

/* ------------------------------------------------------------------ group_settings */

/* Sets integer columns of the group's settings row: cols a list of
 * literal column names, vals their values, set[i] whether to set the i-th. */
static bool settings_set(sim_ctx *c, int64_t gid, const char *const *cols, const int64_t *vals, const bool *set,
                         int n) {
    if (!sim_sql_exec(c, "INSERT INTO group_settings(group_id) VALUES(?) ON CONFLICT DO NOTHING", "i", gid))
        return false;
    for (int i = 0; i < n; i++) {
        char sql[160];
        if (!set[i]) continue;
        snprintf(sql, sizeof sql, "UPDATE group_settings SET %s=? WHERE group_id=?", cols[i]);
        if (!sim_sql_exec(c, sql, "ii", vals[i], gid)) return false;
    }
    return true;
}

/* QQ's answer to a settings change the bot may not make: NapCat checks the
 * result and throws "<what>失败, <result>:<errMsg>". True when the bot is
 * the owner or an admin of gid. */
static bool require_settings_admin(sim_ctx *c, int64_t gid, const char *what) {
    sim_role r = sim_bot_role(c, gid);
    if (r == SIM_ROLE_NONE)
        return sim_fail(c, SIM_RC_REFUSED, "%s失败, %d:the bot is not in group %lld", what, SIM_QQ_NO_PERMISSION,
                        (long long)gid),
               false;
    if (!sim_is_admin_role(r))
        return sim_fail(c, SIM_RC_REFUSED, "%s失败, %d:no permission", what, SIM_QQ_NO_PERMISSION), false;
    return true;
}

/* ------------------------------------------------------------------ system messages */

/* One notification in NapCat's shape. request_id is QQ's seq, which is the
 * flag of the request event; a flag that is not a number (the demo's
 * "demo-request-1") comes out as null, as NapCat's +seq would. */
static void write_notify(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    const char *flag = (const char *)sqlite3_column_text(st, 0);
    char *end = NULL;
    long long id = flag && *flag ? strtoll(flag, &end, 10) : 0;
    const char *nick = sim_sql_text(c, st, 4);
    bool handled = strcmp((const char *)sqlite3_column_text(st, 7), "pending") != 0;
    ob__jw_obj(w);
    ob__jw_key(w, "request_id");
    if (end && !*end) ob__jw_int(w, id);
    else ob__jw_null(w);
    ob__jw_key_int(w, "invitor_uin", sqlite3_column_int64(st, 3));
    ob__jw_key_str(w, "invitor_nick", nick ? nick : "");
    ob__jw_key_int(w, "group_id", sqlite3_column_int64(st, 1));
    const char *comment = sim_sql_text(c, st, 5), *gname = sim_sql_text(c, st, 6);
    ob__jw_key_str(w, "message", comment ? comment : "");
    ob__jw_key_str(w, "group_name", gname ? gname : "");
    ob__jw_key_bool(w, "checked", handled);
    /* user2 of QQ's notification: who handled it (only the bot does here). */
    ob__jw_key_int(w, "actor", handled ? sim_self_id(c) : 0);
    ob__jw_key_str(w, "requester_nick", nick ? nick : "");
    ob__jw_obj_end(w);
}

/* get_group_system_msg {count=50} → {invited_requests, InvitedRequest,
 * join_requests}: the newest `count` requests, handled ones included
 * (checked:true), newest first. Invitations of the bot (QQ's type 1) go to
 * both invitation keys, join requests (type 7) to join_requests. For a join
 * request user1, the invitor_uin, is the applicant; for an invitation the
 * member who invited. */
int sim_act_get_group_system_msg(sim_ctx *c) {
    int64_t count;
    if (!sim_opt_i64(c, "count", 50, &count)) return SIM_ERR;
    if (count < 0) count = 0;
    sqlite3_stmt *st =
        sim_sql_query(c,
                      "WITH n AS (SELECT flag, group_id, sub_type, comment, state, time, rowid AS rid,"
                      "  CASE sub_type WHEN 'invite' THEN invitor_id ELSE user_id END AS who"
                      "  FROM requests ORDER BY time DESC, rowid DESC LIMIT ?)"
                      " SELECT n.flag, n.group_id, n.sub_type, n.who, u.nickname, n.comment, g.name, n.state"
                      " FROM n LEFT JOIN users u ON u.user_id=n.who LEFT JOIN groups g ON g.group_id=n.group_id"
                      " ORDER BY n.time DESC, n.rid DESC",
                      "i", count);
    if (!st) return sim_db_fail(c);
    ob__jw inv = {0}, join = {0};
    ob__jw_arr(&inv);
    ob__jw_arr(&join);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        bool invite = strcmp((const char *)sqlite3_column_text(st, 2), "invite") == 0;
        write_notify(c, invite ? &inv : &join, st);
    }
    sqlite3_finalize(st);
    ob__jw_arr_end(&inv);
    ob__jw_arr_end(&join);
    int ret = SIM_OK;
    if (rc != SQLITE_DONE) ret = sim_db_fail(c);
    else if (inv.b.oom || join.b.oom) ret = sim_fail(c, SIM_RC_REFUSED, "out of memory");
    else {
        ob__jw *w = sim_data(c);
        ob__jw_obj(w);
        ob__jw_key(w, "invited_requests");
        ob__jw_raw(w, inv.b.p, inv.b.len);
        ob__jw_key(w, "InvitedRequest");
        ob__jw_raw(w, inv.b.p, inv.b.len);
        ob__jw_key(w, "join_requests");
        ob__jw_raw(w, join.b.p, join.b.len);
        ob__jw_obj_end(w);
    }
    ob__buf_free(&inv.b);
    ob__buf_free(&join.b);
    return ret;
}

/* ------------------------------------------------------------------ @all */

/* get_group_at_all_remain {group_id} → {can_at_all,
 * remain_at_all_count_for_group, remain_at_all_count_for_uin}. Counted
 * from today's stored messages (UTC day of the simulated clock, recalled
 * ones too) with an `at` segment whose qq is "all", sent by someone who is
 * the owner or an admin now: the group's quota counts them all, the uin's
 * the bot's own. A plain member cannot @all: can_at_all false, 0 left for
 * its uin. */
int sim_act_get_group_at_all_remain(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    int64_t now = sim_now(c), day = now - ((now % 86400) + 86400) % 86400, self = sim_self_id(c);
    sqlite3_stmt *st =
        sim_sql_query(c,
                      "SELECT count(*), coalesce(sum(m.user_id=?),0) FROM messages m"
                      " WHERE m.group_id=? AND m.time>=? AND m.time<?"
                      " AND EXISTS(SELECT 1 FROM members x WHERE x.group_id=m.group_id AND x.user_id=m.user_id"
                      "  AND x.role IN ('owner','admin'))"
                      " AND EXISTS(SELECT 1 FROM json_each(m.segments) s WHERE json_extract(s.value,'$.type')='at'"
                      "  AND CAST(json_extract(s.value,'$.data.qq') AS TEXT)='all')",
                      "iiii", self, gid, day, day + 86400);
    if (!st) return sim_db_fail(c);
    int rc = sqlite3_step(st);
    int64_t used_group = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int64_t used_self = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return sim_db_fail(c);
    bool admin = sim_bot_is_admin(c, gid);
    int64_t left_group = SIM_AT_ALL_PER_DAY_GROUP - used_group, left_self = SIM_AT_ALL_PER_DAY_UIN - used_self;
    if (left_group < 0) left_group = 0;
    if (left_self < 0 || !admin) left_self = 0;
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_bool(w, "can_at_all", admin && left_group > 0 && left_self > 0);
    ob__jw_key_int(w, "remain_at_all_count_for_group", left_group);
    ob__jw_key_int(w, "remain_at_all_count_for_uin", left_self);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ to-do */

/* set_group_todo {group_id, message_id | message_seq}: makes a message the
 * group's to-do (one per group; the newest wins). NapCat sends QQ a packet
 * and does not read the answer, so what QQ would refuse (the bot not an
 * admin, not in the group, a seq that is no message of the group) is a
 * false success. A message_id that names no message is NapCat's own
 * 1200 (消息不存在), no id at all its 缺少参数 message_id 或 message_seq.
 * Here a message's seq is its message_id. No data key (NapCat's handler
 * returns nothing). */
int sim_act_set_group_todo(sim_ctx *c) {
    int64_t gid;
    const char *mid_s, *seq_s;
    sim_data_absent(c);
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_str(c, "message_id", NULL, SIM_MAX_NAME, &mid_s) ||
        !sim_opt_str(c, "message_seq", NULL, SIM_MAX_NAME, &seq_s))
        return SIM_ERR;
    bool by_seq = seq_s && seq_s[0];
    const char *ref = by_seq ? seq_s : mid_s;
    if (!ref || !ref[0]) return sim_fail(c, SIM_RC_REFUSED, "缺少参数 message_id 或 message_seq");
    char *end = NULL;
    long long id = strtoll(ref, &end, 10);
    bool numeric = end && !*end && id > 0;
    if (by_seq && !(end && !*end))
        return sim_fail(c, SIM_RC_REFUSED, "SyntaxError: Cannot convert %s to a BigInt", ref);
    sim_message m = {0};
    int r = numeric ? sim_message_load(c, id, &m) : 0;
    if (r < 0) return sim_db_fail(c);
    if (!by_seq && (r == 0 || m.recalled)) return sim_fail(c, SIM_RC_REFUSED, "消息不存在");
    /* From here on QQ answers, and NapCat does not look. */
    sim_role bot = sim_bot_role(c, gid);
    if (bot == SIM_ROLE_NONE) return sim_false_success(c, "the bot is not in group %lld", (long long)gid);
    if (r == 0 || m.recalled || m.group_id != gid)
        return sim_false_success(c, "group %lld has no message with seq %s", (long long)gid, ref);
    if (!sim_is_admin_role(bot))
        return sim_false_success(c, "only the owner and admins set group %lld's to-do", (long long)gid);
    static const char *const cols[] = {"todo_seq", "todo_operator", "todo_time"};
    const int64_t vals[] = {m.message_id, sim_self_id(c), sim_now(c)};
    if (!settings_set(c, gid, cols, vals, (const bool[]){true, true, true}, 3)) return sim_db_fail(c);
    return SIM_OK;
}

/* ------------------------------------------------------------------ detail card */

/* get_group_detail_info {group_id}: NapCat spreads QQ's detail card
 * (GroupDetailInfo: groupCode, ownerUin, memberNum, groupQuestion,
 * shutUpAllTimestamp, groupExt...) and then sets group_all_shut,
 * group_remark (always ""), group_id, group_name, member_count and
 * max_member_count. The card carries what set_group_add_option
 * (groupOption, groupQuestion), set_group_robot_add_option and
 * set_group_todo (groupExt) stored. Any group of the world, as QQ shows
 * any group's card. */
int sim_act_get_group_detail_info(sim_ctx *c) {
    sim_group g;
    if (!sim_group_info_param(c, &g)) return SIM_ERR;
    int64_t gid = g.group_id;
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT coalesce(add_type,1), coalesce(group_question,''),"
                                     " coalesce(robot_member_switch,0), coalesce(robot_member_examine,0),"
                                     " coalesce(todo_seq,0) FROM group_settings WHERE group_id=?",
                                     "i", gid);
    if (!st) return sim_db_fail(c);
    int64_t add_type = 1, robot_switch = 0, robot_examine = 0, todo = 0;
    const char *question = "";
    if (sqlite3_step(st) == SQLITE_ROW) {
        add_type = sqlite3_column_int64(st, 0);
        question = sim_sql_text(c, st, 1);
        robot_switch = sqlite3_column_int64(st, 2);
        robot_examine = sqlite3_column_int64(st, 3);
        todo = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (!question) return sim_fail(c, SIM_RC_REFUSED, "out of memory");
    int64_t owner = sim_group_owner(c, gid), now = sim_now(c), me_until = 0;
    sim_member bot;
    if (sim_member_load(c, gid, sim_self_id(c), &bot) == 1 && bot.ban_until > now) me_until = bot.ban_until;
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    sim_key_int_str(w, "groupCode", gid);
    sim_key_int_str(w, "groupUin", gid);
    sim_key_uid_uin(w, "ownerUid", "ownerUin", owner);
    ob__jw_key_int(w, "groupFlag", 0);
    ob__jw_key_int(w, "groupFlagExt", 0);
    ob__jw_key_int(w, "maxMemberNum", g.max_members);
    ob__jw_key_int(w, "memberNum", g.member_count);
    ob__jw_key_int(w, "groupOption", add_type);
    ob__jw_key_int(w, "classExt", 0);
    ob__jw_key_str(w, "groupName", g.name);
    ob__jw_key_str(w, "fingerMemo", "");
    ob__jw_key_str(w, "groupQuestion", question);
    ob__jw_key_int(w, "certType", 0);
    ob__jw_key_str(w, "richFingerMemo", "");
    sim_key_empty_array(w, "tagRecord");
    /* QQ marks a whole-group mute with a far-future time. */
    ob__jw_key_int(w, "shutUpAllTimestamp", g.whole_ban ? 268435455 : 0);
    ob__jw_key_int(w, "shutUpMeTimestamp", me_until);
    ob__jw_key_int(w, "groupTypeFlag", 0);
    ob__jw_key_int(w, "privilegeFlag", 0);
    ob__jw_key_int(w, "groupSecLevel", 0);
    ob__jw_key_str(w, "groupMemo", "");
    ob__jw_key_str(w, "remarkName", g.remark);
    ob__jw_key_bool(w, "isTop", false);
    ob__jw_key_int(w, "groupFace", 0);
    ob__jw_key_str(w, "certificationText", "");
    ob__jw_key_str(w, "longGroupName", "");
    ob__jw_key(w, "groupExt");
    ob__jw_obj(w);
    ob__jw_key_int(w, "groupInfoExtSeq", 1);
    ob__jw_key_int(w, "essentialMsgSwitch", 1);
    ob__jw_key_int(w, "todoSeq", todo);
    ob__jw_key(w, "groupOwnerId");
    ob__jw_obj(w);
    sim_key_uid_uin(w, "memberUid", "memberUin", owner);
    ob__jw_key_str(w, "memberQid", "");
    ob__jw_obj_end(w);
    ob__jw_key_int(w, "inviteRobotMemberSwitch", robot_switch);
    ob__jw_key_int(w, "inviteRobotMemberExamine", robot_examine);
    ob__jw_obj_end(w);
    sim_write_group_keys(w, &g);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ options */

/* The group options a bot sets with integer keys, one row an action: its
 * keys (each stored in the group_settings column of the same name; absent:
 * left alone), whether they are required, and the words of NapCat's
 * failure. The owner and admins only; NapCat checks QQ's result. data null.
 *   set_group_search {group_id, no_code_finger_open?, no_finger_open?}: how
 *     the group can be found (stored only: QQ's card shows it nowhere NapCat
 *     reports);
 *   set_group_robot_add_option {group_id, robot_member_switch?,
 *     robot_member_examine?}: whether robots may join, and with approval
 *     (get_group_detail_info's groupExt shows them);
 *   set_group_add_option {group_id, add_type, group_question?,
 *     group_answer?}: how people join (QQ's groupOption); the question and
 *     answer are strings, stored as given. */
typedef struct group_option {
    const char *what;
    const char *keys[2];
    bool required;
} group_option;

static int set_group_option(sim_ctx *c, const group_option *o) {
    int64_t gid, vals[2] = {0, 0};
    bool set[2];
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    for (int i = 0; i < 2; i++) {
        set[i] = o->keys[i] && (o->required || sim_has(c, o->keys[i]));
        if (set[i] && !(o->required ? sim_get_i64(c, o->keys[i], &vals[i]) : sim_opt_i64(c, o->keys[i], 0, &vals[i])))
            return SIM_ERR;
    }
    const char *question = NULL, *answer = NULL;
    if (o->required && (!sim_opt_str(c, "group_question", NULL, SIM_MAX_TEXT, &question) ||
                        !sim_opt_str(c, "group_answer", NULL, SIM_MAX_TEXT, &answer)))
        return SIM_ERR;
    if (!require_settings_admin(c, gid, o->what)) return SIM_ERR;
    if (!settings_set(c, gid, o->keys, vals, set, 2) ||
        (question &&
         !sim_sql_exec(c, "UPDATE group_settings SET group_question=? WHERE group_id=?", "si", question, gid)) ||
        (answer && !sim_sql_exec(c, "UPDATE group_settings SET group_answer=? WHERE group_id=?", "si", answer, gid)))
        return sim_db_fail(c);
    return SIM_OK;
}

int sim_act_set_group_add_option(sim_ctx *c) {
    static const group_option o = {"设置群添加选项", {"add_type", NULL}, true};
    return set_group_option(c, &o);
}

int sim_act_set_group_search(sim_ctx *c) {
    static const group_option o = {"设置群搜索", {"no_code_finger_open", "no_finger_open"}, false};
    return set_group_option(c, &o);
}

int sim_act_set_group_robot_add_option(sim_ctx *c) {
    static const group_option o = {"设置群机器人添加选项", {"robot_member_switch", "robot_member_examine"}, false};
    return set_group_option(c, &o);
}
