/* Simulator actions: moderation, member and group information, group
 * messages, and the system actions, with QQ's permission rules.
 *
 * Where NapCat checks QQ's answer the simulator fails with 1200 and NapCat's
 * message; where NapCat does not (PROTOCOL.md §4 "false success") it goes
 * through sim_false_success: ok without a change, or 1200 under --strict. */
#include "act_files.h"
#include "sim_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* QQ caps a mute at 30 days. */
#define SIM_MAX_BAN_SECONDS (30 * 24 * 3600)
/* QQ's limits, in bytes of UTF-8: a special title is 6 CJK characters, a card 60 bytes. */
#define SIM_QQ_TITLE_BYTES 18
#define SIM_QQ_CARD_BYTES 60
/* A plain member may recall its own message for 2 minutes. */
#define SIM_RECALL_OWN_SECONDS 120

/* ------------------------------------------------------------------ small helpers */



static void write_group(ob_jw *w, const sim_group *g) {
    ob_jw_obj(w);
    ob_jw_key_int(w, "group_all_shut", g->whole_ban ? -1 : 0);
    ob_jw_key_str(w, "group_remark", g->remark);
    ob_jw_key_int(w, "group_id", g->group_id);
    ob_jw_key_str(w, "group_name", g->name);
    ob_jw_key_int(w, "member_count", g->member_count);
    ob_jw_key_int(w, "max_member_count", g->max_members);
    ob_jw_obj_end(w);
}

static void write_member(sim_ctx *c, ob_jw *w, const sim_member *m) {
    char level[24];
    snprintf(level, sizeof level, "%lld", (long long)m->level);
    int64_t now = sim_now(c);
    ob_jw_obj(w);
    ob_jw_key_int(w, "group_id", m->group_id);
    ob_jw_key_int(w, "user_id", m->user_id);
    ob_jw_key_str(w, "nickname", m->nickname);
    ob_jw_key_str(w, "card", m->card);
    ob_jw_key_str(w, "sex", m->sex);
    ob_jw_key_int(w, "age", m->age);
    ob_jw_key_str(w, "area", "");
    ob_jw_key_str(w, "level", level);
    ob_jw_key_int(w, "qq_level", m->qq_level);
    ob_jw_key_int(w, "join_time", m->join_time);
    ob_jw_key_int(w, "last_sent_time", m->last_sent_time);
    ob_jw_key_int(w, "title_expire_time", 0);           /* NapCat always sends 0 */
    ob_jw_key_bool(w, "unfriendly", false);
    ob_jw_key_bool(w, "card_changeable", true);
    ob_jw_key_bool(w, "is_robot", m->is_robot);
    ob_jw_key_int(w, "shut_up_timestamp", m->ban_until > now ? m->ban_until : 0);
    ob_jw_key_str(w, "role", sim_role_name(m->role));
    ob_jw_key_str(w, "title", m->title);
    ob_jw_obj_end(w);
}

/* Iterates the members of a group (ordered by join time), one query for all. */
typedef struct member_iter { sqlite3_stmt *st; } member_iter;

static bool member_iter_open(sim_ctx *c, member_iter *it, int64_t group_id, const char *extra_where) {
    char sql[1024];
    snprintf(sql, sizeof sql, SIM_MEMBER_SELECT "WHERE m.group_id=?1 %s ORDER BY m.join_time, m.user_id",
             extra_where ? extra_where : "");
    it->st = NULL;
    if (sqlite3_prepare_v2(sim_db(c), sql, -1, &it->st, NULL) != SQLITE_OK) return false;
    sqlite3_bind_int64(it->st, 1, group_id);
    if (extra_where) sqlite3_bind_int64(it->st, 2, sim_now(c));
    return true;
}

/* 1 with *m filled, 0 at the end, -1 on error. */
static int member_iter_next(member_iter *it, sim_member *m) {
    int rc = sqlite3_step(it->st);
    if (rc == SQLITE_ROW) { sim_member_from_row(it->st, m); return 1; }
    return rc == SQLITE_DONE ? 0 : -1;
}

static void member_iter_close(member_iter *it) { sqlite3_finalize(it->st); }

/* ------------------------------------------------------------------ moderation */

/* Removes one member on the bot's behalf. Returns SIM_OK (also for a
 * false-success refusal, which only logs) or SIM_ERR. */
static int kick_one(sim_ctx *c, int64_t gid, sim_role bot, int64_t uid, bool reject) {
    sim_member m;
    int r = sim_member_load(c, gid, uid, &m);
    if (r < 0) return sim_db_fail(c);
    if (r == 0) return sim_false_success(c, "user %lld is not in group %lld", (long long)uid, (long long)gid);
    if (uid == sim_self_id(c)) return sim_false_success(c, "the bot cannot kick itself (use set_group_leave)");
    if (!sim_is_admin_role(bot))
        return sim_false_success(c, "the bot is a plain member of group %lld and cannot kick", (long long)gid);
    if (!sim_outranks(bot, m.role))
        return sim_false_success(c, "a%s %s cannot kick the %s %lld", bot == SIM_ROLE_ADMIN ? "n" : "",
                                 sim_role_name(bot), sim_role_name(m.role), (long long)uid);
    if (!sim_sql_exec(c, "DELETE FROM members WHERE group_id=? AND user_id=?", "ii", gid, uid)) return sim_db_fail(c);
    if (reject && !sim_sql_exec(c, "INSERT OR REPLACE INTO blocklist(group_id,user_id,time) VALUES(?,?,?)", "iii",
                             gid, uid, sim_now(c)))
        return sim_db_fail(c);
    sim_emit_member_change(c, "group_decrease", "kick", gid, uid, sim_self_id(c));
    return SIM_OK;
}

static int act_set_group_kick(sim_ctx *c) {
    int64_t gid, uid;
    bool reject;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_bool(c, "reject_add_request", false, &reject))
        return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    return kick_one(c, gid, sim_bot_role(c, gid), uid, reject);
}

static int act_set_group_kick_members(sim_ctx *c) {
    int64_t gid, *uids;
    size_t n;
    bool reject;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64_list(c, "user_id", SIM_MAX_LIST, &uids, &n) ||
        !sim_opt_bool(c, "reject_add_request", false, &reject))
        return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    sim_role bot = sim_bot_role(c, gid);
    for (size_t i = 0; i < n; i++) {
        /* NapCat drops ids it cannot resolve without a word; QQ handles the rest one by one. */
        if (sim_member_load(c, gid, uids[i], NULL) == 0) continue;
        if (kick_one(c, gid, bot, uids[i], reject) != SIM_OK) return SIM_ERR;
    }
    return SIM_OK;
}

static int act_set_group_ban(sim_ctx *c) {
    int64_t gid, uid, duration;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_i64(c, "duration", 0, &duration))   /* NapCat: default 0, which lifts */
        return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    sim_member m;
    int r = sim_member_load(c, gid, uid, &m);
    if (r < 0) return sim_db_fail(c);
    if (r == 0) return sim_fail(c, SIM_RC_REFUSED, "user not in group");
    if (m.role == SIM_ROLE_OWNER) return sim_fail(c, SIM_RC_REFUSED, "cannot ban owner");
    sim_role bot = sim_bot_role(c, gid);
    if (m.role == SIM_ROLE_ADMIN && bot != SIM_ROLE_OWNER) return sim_fail(c, SIM_RC_REFUSED, "cannot ban admin");
    /* From here on QQ answers, and NapCat checks its result. */
    if (uid == sim_self_id(c) || !sim_outranks(bot, m.role))
        return sim_fail(c, SIM_RC_REFUSED, "ERR_NOT_GROUP_ADMIN");
    if (duration < 0) return sim_fail(c, SIM_RC_REFUSED, "ERR_INVALID_PARAM: duration %lld", (long long)duration);
    if (duration > SIM_MAX_BAN_SECONDS) duration = SIM_MAX_BAN_SECONDS;
    int64_t now = sim_now(c);
    bool was_banned = m.ban_until > now;
    if (duration == 0 && !was_banned) return SIM_OK;   /* nothing to lift: QQ shows no tip */
    if (!sim_sql_exec(c, "UPDATE members SET ban_until=? WHERE group_id=? AND user_id=?", "iii",
                   duration ? now + duration : 0, gid, uid))
        return sim_db_fail(c);
    sim_emit_ban(c, gid, uid, sim_self_id(c), duration);
    return SIM_OK;
}

static int act_set_group_whole_ban(sim_ctx *c) {
    int64_t gid;
    bool enable;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_bool(c, "enable", true, &enable)) return SIM_ERR;
    sim_group g;
    if (!sim_require_bot_in_group(c, gid, &g)) return SIM_ERR;
    sim_role bot = sim_bot_role(c, gid);
    if (!sim_is_admin_role(bot)) return sim_fail(c, SIM_RC_REFUSED, "ERR_NOT_GROUP_ADMIN");
    if (g.whole_ban == enable) return SIM_OK;
    if (!sim_sql_exec(c, "UPDATE groups SET whole_ban=? WHERE group_id=?", "ii", (int64_t)enable, gid))
        return sim_db_fail(c);
    sim_emit_ban(c, gid, 0, sim_self_id(c), enable ? -1 : 0);
    return SIM_OK;
}

/* set_group_admin and set_group_special_title: QQ lets only the owner make
 * them, on a member of the group. True with *m when the change may go
 * ahead; else false with *answer the handler's result (an error recorded, or
 * a false success naming what only the owner `does`). */
static bool owner_may_change(sim_ctx *c, int64_t gid, int64_t uid, const char *does, sim_member *m, int *answer) {
    if (!sim_require_bot_in_group(c, gid, NULL)) return *answer = SIM_ERR, false;
    int r = sim_member_load(c, gid, uid, m);
    if (r < 0) return *answer = sim_db_fail(c), false;
    if (r == 0) return *answer = sim_false_success(c, "user %lld is not in group %lld", (long long)uid, (long long)gid), false;
    if (sim_bot_role(c, gid) != SIM_ROLE_OWNER)
        return *answer = sim_false_success(c, "only the group owner %s, and the bot is not the owner of %lld", does,
                                           (long long)gid), false;
    return true;
}

static int act_set_group_admin(sim_ctx *c) {
    int64_t gid, uid;
    bool enable;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_bool(c, "enable", false, &enable))   /* NapCat: a missing enable removes admin */
        return SIM_ERR;
    sim_member m;
    int answer;
    if (!owner_may_change(c, gid, uid, "sets admins", &m, &answer)) return answer;
    if (m.role == SIM_ROLE_OWNER) return sim_false_success(c, "the owner's role cannot change");
    sim_role want = enable ? SIM_ROLE_ADMIN : SIM_ROLE_MEMBER;
    if (m.role == want) return SIM_OK;
    if (!sim_sql_exec(c, "UPDATE members SET role=? WHERE group_id=? AND user_id=?", "sii", sim_role_name(want), gid, uid))
        return sim_db_fail(c);
    sim_emit_admin(c, gid, uid, enable);
    return SIM_OK;
}

static int act_set_group_leave(sim_ctx *c) {
    int64_t gid;
    bool dismiss;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_bool(c, "is_dismiss", false, &dismiss)) return SIM_ERR;
    (void)dismiss;   /* NapCat ignores it and always quits */
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    if (sim_bot_role(c, gid) == SIM_ROLE_OWNER)
        return sim_false_success(c, "the owner cannot quit group %lld (QQ wants it dismissed; NapCat only quits)", (long long)gid);
    int64_t self = sim_self_id(c);
    if (!sim_sql_exec(c, "DELETE FROM members WHERE group_id=? AND user_id=?", "ii", gid, self)) return sim_db_fail(c);
    sim_emit_member_change(c, "group_decrease", "leave", gid, self, self);
    return SIM_OK;
}

static int act_set_group_special_title(sim_ctx *c) {
    int64_t gid, uid;
    const char *title;
    sim_data_absent(c);   /* NapCat's handler returns nothing */
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_str(c, "special_title", "", SIM_MAX_NAME, &title))
        return SIM_ERR;
    sim_member m;
    int answer;
    if (!owner_may_change(c, gid, uid, "sets special titles", &m, &answer)) return answer;
    if (strlen(title) > SIM_QQ_TITLE_BYTES)
        return sim_false_success(c, "QQ limits a special title to %d bytes (6 CJK characters); got %zu", SIM_QQ_TITLE_BYTES, strlen(title));
    if (strcmp(m.title, title) == 0) return SIM_OK;
    if (!sim_sql_exec(c, "UPDATE members SET title=?, title_expire=0 WHERE group_id=? AND user_id=?", "sii", title, gid, uid))
        return sim_db_fail(c);
    ob_jw *w = sim_event_begin(c, "notice", "notify", "title");
    ob_jw_key_int(w, "group_id", gid);
    ob_jw_key_int(w, "user_id", uid);
    ob_jw_key_str(w, "title", title);
    sim_event_end(c);
    return SIM_OK;
}

static int act_set_group_add_request(sim_ctx *c) {
    const char *flag, *reason;
    bool approve;
    int64_t count;
    if (!sim_get_str(c, "flag", SIM_MAX_NAME, &flag) || !sim_opt_bool(c, "approve", true, &approve) ||
        !sim_opt_str(c, "reason", " ", SIM_MAX_TEXT, &reason) || !sim_opt_i64(c, "count", 100, &count))
        return SIM_ERR;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sim_db(c), "SELECT group_id, user_id, sub_type, invitor_id, rowid FROM requests"
                                      " WHERE flag=? AND state='pending'", -1, &st, NULL) != SQLITE_OK)
        return sim_db_fail(c);
    sqlite3_bind_text(st, 1, flag, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return sim_fail(c, SIM_RC_REFUSED, "No such request");
    }
    int64_t gid = sqlite3_column_int64(st, 0), uid = sqlite3_column_int64(st, 1);
    bool invite = strcmp((const char *)sqlite3_column_text(st, 2), "invite") == 0;
    int64_t inviter = sqlite3_column_int64(st, 3), row = sqlite3_column_int64(st, 4);
    sqlite3_finalize(st);
    if (!invite) {
        /* NapCat searches only the newest `count` group notifications (handled
           ones included) for the flag; invitations come from its own cache. */
        st = sim_sql_query(c, "SELECT count(*) FROM requests WHERE rowid > ?", "i", row);
        if (!st) return sim_db_fail(c);
        int rc = sqlite3_step(st);
        int64_t newer = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) return sim_db_fail(c);
        if (newer >= count) return sim_fail(c, SIM_RC_REFUSED, "No such request");
    }
    int64_t self = sim_self_id(c), now = sim_now(c);

    if (invite) {
        /* The bot was invited: approving makes it a member. */
        if (!approve) {
            if (!sim_sql_exec(c, "UPDATE requests SET state='rejected', reason=? WHERE flag=?", "ss", reason, flag))
                return sim_db_fail(c);
            return SIM_OK;
        }
        if (sim_member_load(c, gid, self, NULL) == 1)
            return sim_false_success(c, "the bot is already in group %lld", (long long)gid);
        sim_group g;
        if (sim_group_load(c, gid, &g) != 1) return sim_db_fail(c);
        if (g.member_count >= g.max_members)
            return sim_false_success(c, "group %lld is full (%lld members)", (long long)gid, (long long)g.max_members);
        if (!sim_sql_exec(c, "INSERT INTO members(group_id,user_id,role,join_time) VALUES(?,?,'member',?)", "iii", gid, self, now) ||
            !sim_sql_exec(c, "UPDATE requests SET state='approved' WHERE flag=?", "s", flag))
            return sim_db_fail(c);
        sim_emit_member_change(c, "group_increase", "invite", gid, self, inviter);
        return SIM_OK;
    }
    sim_role bot = sim_bot_role(c, gid);
    if (!sim_is_admin_role(bot))
        return sim_false_success(c, "the bot is not an admin of group %lld and cannot handle join requests", (long long)gid);
    if (!approve) {
        if (!sim_sql_exec(c, "UPDATE requests SET state='rejected', reason=? WHERE flag=?", "ss", reason, flag))
            return sim_db_fail(c);
        return SIM_OK;
    }
    sim_group g;
    if (sim_group_load(c, gid, &g) != 1) return sim_db_fail(c);
    if (sim_member_load(c, gid, uid, NULL) == 1) {
        if (!sim_sql_exec(c, "UPDATE requests SET state='approved' WHERE flag=?", "s", flag)) return sim_db_fail(c);
        return SIM_OK;
    }
    if (g.member_count >= g.max_members)
        return sim_false_success(c, "group %lld is full (%lld members)", (long long)gid, (long long)g.max_members);
    if (!sim_sql_exec(c, "INSERT INTO members(group_id,user_id,role,join_time) VALUES(?,?,'member',?)", "iii", gid, uid, now) ||
        !sim_sql_exec(c, "UPDATE requests SET state='approved' WHERE flag=?", "s", flag))
        return sim_db_fail(c);
    sim_emit_member_change(c, "group_increase", "approve", gid, uid, self);
    return SIM_OK;
}

static int act_set_group_card(sim_ctx *c) {
    int64_t gid, uid;
    const char *card;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_str(c, "card", "", SIM_MAX_NAME, &card))
        return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    sim_member m;
    if (!sim_require_member(c, gid, uid, &m)) return SIM_ERR;
    sim_role bot = sim_bot_role(c, gid);
    /* NapCat (v4.18.5+) re-reads the member and reports a card that did not change. */
    if (uid != sim_self_id(c) && !sim_outranks(bot, m.role)) return sim_fail(c, SIM_RC_REFUSED, "设置群名片未生效");
    if (strlen(card) > SIM_QQ_CARD_BYTES) return sim_fail(c, SIM_RC_REFUSED, "设置群名片未生效");
    if (strcmp(m.card, card) == 0) return SIM_OK;
    if (!sim_sql_exec(c, "UPDATE members SET card=? WHERE group_id=? AND user_id=?", "sii", card, gid, uid))
        return sim_db_fail(c);
    /* NapCat only notices a card change when the member next speaks; the
       simulator reports it at once so clients see every change. */
    ob_jw *w = sim_event_begin(c, "notice", "group_card", NULL);
    ob_jw_key_int(w, "group_id", gid);
    ob_jw_key_int(w, "user_id", uid);
    ob_jw_key_str(w, "card_new", card);
    ob_jw_key_str(w, "card_old", m.card);
    sim_event_end(c);
    return SIM_OK;
}

/* ------------------------------------------------------------------ group settings */

static int act_set_group_name(sim_ctx *c) {
    int64_t gid;
    const char *name;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "group_name", SIM_MAX_NAME, &name)) return SIM_ERR;
    sim_group g;
    if (!sim_require_bot_in_group(c, gid, &g)) return SIM_ERR;
    sim_role bot = sim_bot_role(c, gid);
    if (!sim_is_admin_role(bot))
        return sim_fail(c, SIM_RC_REFUSED, "设置群名称失败 ErrCode: 1287 ErrMsg: no permission");
    if (!name[0] || strlen(name) > 90)
        return sim_fail(c, SIM_RC_REFUSED, "设置群名称失败 ErrCode: 1 ErrMsg: bad group name");
    if (strcmp(g.name, name) == 0) return SIM_OK;
    if (!sim_sql_exec(c, "UPDATE groups SET name=? WHERE group_id=?", "si", name, gid)) return sim_db_fail(c);
    ob_jw *w = sim_event_begin(c, "notice", "notify", "group_name");
    ob_jw_key_int(w, "group_id", gid);
    ob_jw_key_int(w, "user_id", sim_self_id(c));
    ob_jw_key_str(w, "name_new", name);
    sim_event_end(c);
    return SIM_OK;
}

static int act_set_group_remark(sim_ctx *c) {
    int64_t gid;
    const char *remark;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "remark", SIM_MAX_NAME, &remark)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    if (!sim_sql_exec(c, "UPDATE groups SET remark=? WHERE group_id=?", "si", remark, gid)) return sim_db_fail(c);
    return SIM_OK;
}

/* Accepts NapCat's file URI forms without reading anything: a local path or
 * file:// URI must name an existing regular file. */
static bool file_arg_usable(const char *f) {
    if (!f[0]) return false;
    if (strncmp(f, "base64://", 9) == 0) return f[9] != '\0';
    if (strncmp(f, "http://", 7) == 0 || strncmp(f, "https://", 8) == 0) return true;
    if (strncmp(f, "data:", 5) == 0) return strstr(f, ";base64,") != NULL;
    if (strncmp(f, "file://", 7) == 0) f += 7;
    struct stat sb;
    return f[0] == '/' && stat(f, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int act_set_group_portrait(sim_ctx *c) {
    int64_t gid;
    const char *file;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "file", SIM_MAX_PATH, &file)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    if (!file_arg_usable(file)) return sim_fail(c, SIM_RC_REFUSED, "识别URL失败");
    sim_role bot = sim_bot_role(c, gid);
    if (!sim_is_admin_role(bot))
        return sim_fail(c, SIM_RC_REFUSED, "设置群头像失败: not an image or no permission (1004022)");
    if (!sim_sql_exec(c, "UPDATE groups SET avatar=? WHERE group_id=?", "si", file, gid)) return sim_db_fail(c);
    ob_jw *w = sim_data(c);
    ob_jw_obj(w);
    ob_jw_key_int(w, "result", 0);
    ob_jw_key_str(w, "errMsg", "success");
    ob_jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ information */

static int act_get_group_info(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    sim_group g;
    int r = sim_group_load(c, gid, &g);
    if (r < 0) return sim_db_fail(c);
    if (r == 0) return sim_fail(c, SIM_RC_REFUSED, "获取群信息失败: 群%lld不存在", (long long)gid);
    if (sim_bot_role(c, gid) == SIM_ROLE_NONE) {
        /* Not in the group: NapCat merges the detail card's raw fields in. */
        ob_jw *w = sim_data(c);
        ob_jw_obj(w);
        ob_jw_key_int(w, "group_all_shut", g.whole_ban ? -1 : 0);
        ob_jw_key_str(w, "group_remark", "");
        ob_jw_key_int(w, "group_id", gid);
        ob_jw_key_str(w, "group_name", g.name);
        ob_jw_key_int(w, "member_count", g.member_count);
        ob_jw_key_int(w, "max_member_count", g.max_members);
        char code[24];
        snprintf(code, sizeof code, "%lld", (long long)gid);
        ob_jw_key_str(w, "groupCode", code);
        ob_jw_key_str(w, "groupName", g.name);
        ob_jw_key_int(w, "memberNum", g.member_count);
        ob_jw_key_int(w, "maxMemberNum", g.max_members);
        ob_jw_key_int(w, "groupCreateTime", g.create_time);
        ob_jw_obj_end(w);
        return SIM_OK;
    }
    write_group(sim_data(c), &g);
    return SIM_OK;
}

static int act_get_group_list(sim_ctx *c) {
    bool no_cache;
    if (!sim_opt_bool(c, "no_cache", false, &no_cache)) return SIM_ERR;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sim_db(c), "SELECT group_id FROM members WHERE user_id=? ORDER BY group_id", -1, &st, NULL) != SQLITE_OK)
        return sim_db_fail(c);
    sqlite3_bind_int64(st, 1, sim_self_id(c));
    ob_jw *w = sim_data(c);
    ob_jw_arr(w);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sim_group g;
        if (sim_group_load(c, sqlite3_column_int64(st, 0), &g) == 1) write_group(w, &g);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return sim_db_fail(c);
    ob_jw_arr_end(w);
    return SIM_OK;
}

static int act_get_group_info_ex(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    sim_group g;
    if (!sim_require_bot_in_group(c, gid, &g)) return SIM_ERR;
    int64_t owner = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sim_db(c), "SELECT user_id FROM members WHERE group_id=? AND role='owner'", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, gid);
        if (sqlite3_step(st) == SQLITE_ROW) owner = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    char code[24], owner_s[24], owner_uid[40];
    snprintf(code, sizeof code, "%lld", (long long)gid);
    snprintf(owner_s, sizeof owner_s, "%lld", (long long)owner);
    snprintf(owner_uid, sizeof owner_uid, "u_sim%lld", (long long)owner);
    ob_jw *w = sim_data(c);
    ob_jw_obj(w);
    ob_jw_key_str(w, "groupCode", code);
    ob_jw_key_int(w, "resultCode", 0);
    ob_jw_key(w, "extInfo");
    ob_jw_obj(w);
    ob_jw_key_int(w, "groupInfoExtSeq", 1);
    ob_jw_key_int(w, "reserve", 0);
    ob_jw_key_str(w, "luckyWordId", "0");
    ob_jw_key_int(w, "lightCharNum", 0);
    ob_jw_key_str(w, "luckyWord", "");
    ob_jw_key_int(w, "starId", 0);
    ob_jw_key_int(w, "essentialMsgSwitch", 1);
    ob_jw_key_int(w, "todoSeq", 0);
    ob_jw_key_int(w, "blacklistExpireTime", 0);
    ob_jw_key_int(w, "isLimitGroupRtc", 0);
    ob_jw_key_int(w, "companyId", 0);
    ob_jw_key_int(w, "hasGroupCustomPortrait", 0);
    ob_jw_key_str(w, "bindGuildId", "0");
    ob_jw_key(w, "groupOwnerId");
    ob_jw_obj(w);
    ob_jw_key_str(w, "memberUin", owner_s);
    ob_jw_key_str(w, "memberUid", owner_uid);
    ob_jw_key_str(w, "memberQid", "");
    ob_jw_obj_end(w);
    ob_jw_key_int(w, "essentialMsgPrivilege", 0);
    ob_jw_key_str(w, "msgEventSeq", "0");
    ob_jw_key_int(w, "inviteRobotSwitch", 0);
    ob_jw_key_str(w, "gangUpId", "0");
    ob_jw_key_int(w, "qqMusicMedalSwitch", 0);
    ob_jw_key_int(w, "showPlayTogetherSwitch", 0);
    ob_jw_key_str(w, "groupFlagPro1", "0");
    ob_jw_key(w, "groupBindGuildIds");
    ob_jw_obj(w); ob_jw_key(w, "guildIds"); ob_jw_arr(w); ob_jw_arr_end(w); ob_jw_obj_end(w);
    ob_jw_key_str(w, "viewedMsgDisappearTime", "0");
    ob_jw_key(w, "groupExtFlameData");
    ob_jw_obj(w);
    ob_jw_key_int(w, "switchState", 0); ob_jw_key_int(w, "state", 0); ob_jw_key_int(w, "dayNums", 0);
    ob_jw_key_int(w, "version", 0); ob_jw_key_int(w, "updateTime", 0); ob_jw_key_bool(w, "isDisplayDayNum", false);
    ob_jw_obj_end(w);
    ob_jw_key_int(w, "groupBindGuildSwitch", 0);
    ob_jw_key_str(w, "groupAioBindGuildId", "0");
    ob_jw_key(w, "groupExcludeGuildIds");
    ob_jw_obj(w); ob_jw_key(w, "guildIds"); ob_jw_arr(w); ob_jw_arr_end(w); ob_jw_obj_end(w);
    ob_jw_key_int(w, "fullGroupExpansionSwitch", 0);
    ob_jw_key_str(w, "fullGroupExpansionSeq", "0");
    ob_jw_key_int(w, "inviteRobotMemberSwitch", 0);
    ob_jw_key_int(w, "inviteRobotMemberExamine", 0);
    ob_jw_key_int(w, "groupSquareSwitch", 0);
    ob_jw_obj_end(w);
    ob_jw_obj_end(w);
    return SIM_OK;
}

static int act_get_group_member_info(sim_ctx *c) {
    int64_t gid, uid;
    bool no_cache;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_bool(c, "no_cache", true, &no_cache))
        return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    sim_member m;
    if (!sim_require_member(c, gid, uid, &m)) return SIM_ERR;
    write_member(c, sim_data(c), &m);
    return SIM_OK;
}

static int act_get_group_member_list(sim_ctx *c) {
    int64_t gid;
    bool no_cache;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_bool(c, "no_cache", false, &no_cache)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    member_iter it;
    if (!member_iter_open(c, &it, gid, NULL)) return sim_db_fail(c);
    ob_jw *w = sim_data(c);
    ob_jw_arr(w);
    sim_member m;
    int r;
    while ((r = member_iter_next(&it, &m)) == 1) write_member(c, w, &m);
    member_iter_close(&it);
    if (r < 0) return sim_db_fail(c);
    ob_jw_arr_end(w);
    return SIM_OK;
}

static int act_get_group_shut_list(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    ob_jw *w = sim_data(c);
    ob_jw_arr(w);
    /* NapCat answers [] rather than an error when it cannot get the list. */
    if (sim_bot_role(c, gid) == SIM_ROLE_NONE) { ob_jw_arr_end(w); return SIM_OK; }
    member_iter it;
    if (!member_iter_open(c, &it, gid, "AND m.ban_until > ?2")) return sim_db_fail(c);
    sim_member m;
    int r;
    while ((r = member_iter_next(&it, &m)) == 1) {
        int64_t uid = m.user_id;
        char uin[24], uidstr[40], expire[24];
        snprintf(uin, sizeof uin, "%lld", (long long)uid);
        snprintf(uidstr, sizeof uidstr, "u_sim%lld", (long long)uid);
        snprintf(expire, sizeof expire, "%lld", (long long)m.title_expire_time);
        ob_jw_obj(w);
        ob_jw_key_str(w, "uid", uidstr);
        ob_jw_key_str(w, "qid", "");
        ob_jw_key_str(w, "uin", uin);
        ob_jw_key_str(w, "nick", m.nickname);
        ob_jw_key_str(w, "remark", "");
        ob_jw_key_int(w, "cardType", 0);
        ob_jw_key_str(w, "cardName", m.card);
        ob_jw_key_int(w, "role", (int64_t)m.role);
        ob_jw_key_str(w, "avatarPath", "");
        ob_jw_key_int(w, "shutUpTime", m.ban_until);
        ob_jw_key_bool(w, "isDelete", false);
        ob_jw_key_bool(w, "isSpecialConcerned", false);
        ob_jw_key_bool(w, "isSpecialShield", false);
        ob_jw_key_bool(w, "isRobot", m.is_robot);
        ob_jw_key(w, "groupHonor"); ob_jw_obj(w); ob_jw_obj_end(w);
        ob_jw_key_int(w, "memberRealLevel", m.level);
        ob_jw_key_int(w, "memberLevel", m.level);
        ob_jw_key_int(w, "globalGroupLevel", 0);
        ob_jw_key_int(w, "globalGroupPoint", 0);
        ob_jw_key_int(w, "memberTitleId", 0);
        ob_jw_key_str(w, "memberSpecialTitle", m.title);
        ob_jw_key_str(w, "specialTitleExpireTime", expire);
        ob_jw_key_int(w, "userShowFlag", 0);
        ob_jw_key_int(w, "userShowFlagNew", 0);
        ob_jw_key_int(w, "richFlag", 0);
        ob_jw_key_int(w, "mssVipType", 0);
        ob_jw_key_int(w, "bigClubLevel", 0);
        ob_jw_key_int(w, "bigClubFlag", 0);
        ob_jw_key_int(w, "autoRemark", 0);
        ob_jw_key_int(w, "creditLevel", 0);
        ob_jw_key_int(w, "joinTime", m.join_time);
        ob_jw_key_int(w, "lastSpeakTime", m.last_sent_time);
        ob_jw_key_int(w, "memberFlag", 0);
        ob_jw_key_int(w, "memberFlagExt", 0);
        ob_jw_key_int(w, "memberMobileFlag", 0);
        ob_jw_key_int(w, "memberFlagExt2", 0);
        ob_jw_key_bool(w, "isSpecialShielded", false);
        ob_jw_key_int(w, "cardNameId", 0);
        ob_jw_obj_end(w);
    }
    member_iter_close(&it);
    if (r < 0) return sim_db_fail(c);
    ob_jw_arr_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ messages */

static const char *const known_segment_types[] = {
    "text", "at", "reply", "face", "mface", "image", "record", "video", "file", "json", "xml",
    "markdown", "dice", "rps", "poke", "music", "contact", "location", "share", "forward", NULL,
};

static bool segment_type_known(const char *t) {
    for (int i = 0; known_segment_types[i]; i++)
        if (strcmp(known_segment_types[i], t) == 0) return true;
    return false;
}

/* CQ escaping (PROTOCOL.md §3.4). */
static void cq_escape(ob_buf *b, const char *s, size_t n, bool param) {
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': ob_buf_puts(b, "&amp;"); break;
        case '[': ob_buf_puts(b, "&#91;"); break;
        case ']': ob_buf_puts(b, "&#93;"); break;
        case ',': if (param) { ob_buf_puts(b, "&#44;"); break; } /* fall through */
        default: ob_buf_putc(b, s[i]);
        }
    }
}

static size_t cq_unescape(char *s, size_t n) {
    static const struct { const char *from; char to; } map[] = {
        {"&amp;", '&'}, {"&#91;", '['}, {"&#93;", ']'}, {"&#44;", ','},
    };
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        bool done = false;
        for (size_t k = 0; k < sizeof map / sizeof map[0] && s[i] == '&'; k++) {
            size_t l = strlen(map[k].from);
            if (i + l <= n && memcmp(s + i, map[k].from, l) == 0) {
                s[o++] = map[k].to;
                i += l;
                done = true;
                break;
            }
        }
        if (!done) s[o++] = s[i++];
    }
    return o;
}

static void seg_text(ob_jw *segs, ob_buf *raw, const char *text, size_t n) {
    ob_jw_obj(segs);
    ob_jw_key_str(segs, "type", "text");
    ob_jw_key(segs, "data");
    ob_jw_obj(segs);
    ob_jw_key(segs, "text");
    ob_jw_strn(segs, text, n);
    ob_jw_obj_end(segs);
    ob_jw_obj_end(segs);
    cq_escape(raw, text, n, false);
}

/* Parses a CQ-code string into segments. Unknown CQ types are refused. */
static bool parse_cq(sim_ctx *c, const char *s, ob_jw *segs, ob_buf *raw) {
    size_t n = strlen(s);
    char *tmp = sim_ctx_alloc(c, n + 1);
    if (!tmp) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
    size_t i = 0;
    while (i < n) {
        const char *open = strstr(s + i, "[CQ:");
        const char *close = open ? strchr(open, ']') : NULL;
        size_t text_end = close ? (size_t)(open - s) : n;
        if (text_end > i) {
            memcpy(tmp, s + i, text_end - i);
            size_t l = cq_unescape(tmp, text_end - i);
            seg_text(segs, raw, tmp, l);
        }
        if (!close) break;
        /* [CQ:type,k=v,...] */
        const char *body = open + 4;
        size_t blen = (size_t)(close - body);
        size_t tlen = strcspn(body, ",]");
        if (tlen == 0 || tlen > 32) return sim_fail(c, SIM_RC_BAD_PARAM, "message: malformed CQ code"), false;
        char type[40];
        memcpy(type, body, tlen);
        type[tlen] = '\0';
        if (!segment_type_known(type)) return sim_fail(c, SIM_RC_REFUSED, "未知的消息类型：%s", type), false;
        ob_jw_obj(segs);
        ob_jw_key_str(segs, "type", type);
        ob_jw_key(segs, "data");
        ob_jw_obj(segs);
        ob_buf_puts(raw, "[CQ:");
        ob_buf_puts(raw, type);
        size_t p = tlen;
        while (p < blen && body[p] == ',') {
            p++;
            size_t plen = strcspn(body + p, ",]");
            if (plen > blen - p) plen = blen - p;
            const char *eq = memchr(body + p, '=', plen);
            if (eq) {
                size_t klen = (size_t)(eq - (body + p));
                size_t vlen = plen - klen - 1;
                char key[64];
                if (klen == 0 || klen >= sizeof key) return sim_fail(c, SIM_RC_BAD_PARAM, "message: malformed CQ code parameter"), false;
                memcpy(key, body + p, klen);
                key[klen] = '\0';
                memcpy(tmp, eq + 1, vlen);
                size_t l = cq_unescape(tmp, vlen);
                ob_jw_key(segs, key);
                ob_jw_strn(segs, tmp, l);
                ob_buf_putc(raw, ',');
                ob_buf_puts(raw, key);
                ob_buf_putc(raw, '=');
                cq_escape(raw, tmp, l, true);
            }
            p += plen;
        }
        ob_jw_obj_end(segs);
        ob_jw_obj_end(segs);
        ob_buf_putc(raw, ']');
        i = (size_t)(close - s) + 1;
    }
    return true;
}

/* One segment object from the request: validated and copied. */
static bool copy_segment(sim_ctx *c, const ob_jdoc *d, int e, const char *key, ob_jw *segs, ob_buf *raw) {
    if (d->tok[e].type != JSMN_OBJECT)
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s: each segment must be an object {\"type\",\"data\"}", key), false;
    int tt = ob_jget(d, e, "type");
    if (tt < 0 || d->tok[tt].type != JSMN_STRING || ob_jlen(d, tt) > 32)
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s: a segment has no string \"type\"", key), false;
    char type[40];
    long tl = ob_junescape(d, tt, type);
    if (tl < 0 || (size_t)tl != strlen(type)) return sim_fail(c, SIM_RC_BAD_PARAM, "%s: bad segment type", key), false;
    if (strcmp(type, "node") == 0)
        return sim_fail(c, SIM_RC_REFUSED, "the simulator does not simulate forward messages (node segments)"), false;
    if (!segment_type_known(type)) return sim_fail(c, SIM_RC_REFUSED, "未知的消息类型：%s", type), false;
    int dt = ob_jget(d, e, "data");
    if (dt >= 0 && ob_jis_null(d, dt)) dt = -1;
    if (dt >= 0 && d->tok[dt].type != JSMN_OBJECT)
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s: segment \"data\" must be an object", key), false;
    if (strcmp(type, "text") == 0) {
        int txt = dt >= 0 ? ob_jget(d, dt, "text") : -1;
        if (txt < 0 || d->tok[txt].type != JSMN_STRING)
            return sim_fail(c, SIM_RC_BAD_PARAM, "%s: a text segment needs data.text as a string", key), false;
        char *s = sim_ctx_alloc(c, ob_jlen(d, txt) + 1);
        if (!s) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
        long l = ob_junescape(d, txt, s);
        if (l < 0) return sim_fail(c, SIM_RC_BAD_PARAM, "%s: bad escape in text", key), false;
        seg_text(segs, raw, s, (size_t)l);
        return true;
    }
    ob_jw_obj(segs);
    ob_jw_key_str(segs, "type", type);
    ob_jw_key(segs, "data");
    if (dt >= 0) ob_jw_raw(segs, ob_jstart(d, dt), ob_jlen(d, dt));
    else { ob_jw_obj(segs); ob_jw_obj_end(segs); }
    ob_jw_obj_end(segs);
    ob_buf_puts(raw, "[CQ:");
    ob_buf_puts(raw, type);
    if (dt >= 0) {
        int k = dt + 1;
        for (int i = 0; i < d->tok[dt].size; i++) {
            int v = k + 1;
            if (d->tok[v].type == JSMN_STRING || d->tok[v].type == JSMN_PRIMITIVE) {
                char *ks = sim_ctx_alloc(c, ob_jlen(d, k) + 1), *vs = sim_ctx_alloc(c, ob_jlen(d, v) + 1);
                if (!ks || !vs) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
                long kl = ob_junescape(d, k, ks);
                long vl;
                if (d->tok[v].type == JSMN_STRING) vl = ob_junescape(d, v, vs);
                else { vl = (long)ob_jlen(d, v); memcpy(vs, ob_jstart(d, v), (size_t)vl); vs[vl] = '\0'; }
                if (kl > 0 && vl >= 0) {
                    ob_buf_putc(raw, ',');
                    ob_buf_put(raw, ks, (size_t)kl);
                    ob_buf_putc(raw, '=');
                    cq_escape(raw, vs, (size_t)vl, true);
                }
            }
            k = ob_jskip(d, v);
        }
    }
    ob_buf_putc(raw, ']');
    return true;
}

bool sim_message_param(sim_ctx *c, const char *key, bool auto_escape,
                       const char **segments_json, const char **raw_message) {
    int t = sim_param_tok(c, key);
    if (t < 0) {
        sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected required property", key);
        return false;
    }
    const ob_jdoc *d = sim_params_doc(c);
    if (ob_jlen(d, t) > SIM_MAX_MESSAGE) {
        sim_fail(c, SIM_RC_BAD_PARAM, "%s is too long (at most %u bytes)", key, (unsigned)SIM_MAX_MESSAGE);
        return false;
    }
    ob_jw segs = {0};
    ob_buf raw = {0};
    bool ok = true;
    ob_jw_arr(&segs);
    jsmntype_t ty = d->tok[t].type;
    if (ty == JSMN_STRING || ty == JSMN_PRIMITIVE) {
        const char *s;
        ok = sim_get_str(c, key, SIM_MAX_MESSAGE, &s);
        if (ok && auto_escape) seg_text(&segs, &raw, s, strlen(s));
        else if (ok) ok = parse_cq(c, s, &segs, &raw);
    } else if (ty == JSMN_OBJECT) {
        ok = copy_segment(c, d, t, key, &segs, &raw);
    } else {
        int e = t + 1;
        for (int i = 0; ok && i < d->tok[t].size; i++) {
            ok = copy_segment(c, d, e, key, &segs, &raw);
            e = ob_jskip(d, e);
        }
    }
    ob_jw_arr_end(&segs);
    if (ok && segs.b.len <= 2) {
        sim_fail(c, SIM_RC_REFUSED, "消息体无法解析, 请检查是否发送了不支持的消息类型");
        ok = false;
    }
    if (ok) {
        ob_buf_putc(&segs.b, '\0');
        ob_buf_putc(&raw, '\0');
        char *a = segs.b.oom || raw.oom ? NULL : sim_ctx_alloc(c, segs.b.len);
        char *b = a ? sim_ctx_alloc(c, raw.len) : NULL;
        if (!a || !b) {
            sim_fail(c, SIM_RC_REFUSED, "out of memory");
            ok = false;
        } else {
            memcpy(a, segs.b.p, segs.b.len);
            memcpy(b, raw.p, raw.len);
            *segments_json = a;
            *raw_message = b;
        }
    }
    ob_buf_free(&segs.b);
    ob_buf_free(&raw);
    return ok;
}

void sim_write_message_fields(sim_ctx *c, ob_jw *w, const sim_message *m) {
    sim_member mem;
    bool known = sim_member_load(c, m->group_id, m->user_id, &mem) == 1;
    sim_group g;
    bool have_group = sim_group_load(c, m->group_id, &g) == 1;
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)m->message_id);
    ob_jw_key_int(w, "message_id", m->message_id);
    ob_jw_key_int(w, "message_seq", m->message_id);
    ob_jw_key_int(w, "real_id", m->message_id);
    ob_jw_key_str(w, "real_seq", seq);
    ob_jw_key_int(w, "group_id", m->group_id);
    ob_jw_key_str(w, "group_name", have_group ? g.name : "");
    ob_jw_key_int(w, "user_id", m->user_id);
    ob_jw_key(w, "sender");
    ob_jw_obj(w);
    ob_jw_key_int(w, "user_id", m->user_id);
    if (known) {
        ob_jw_key_str(w, "nickname", mem.nickname);
        ob_jw_key_str(w, "card", mem.card);
        ob_jw_key_str(w, "role", sim_role_name(mem.role));
    } else {
        ob_jw_key_str(w, "nickname", "");
        ob_jw_key_str(w, "card", "");
    }
    ob_jw_obj_end(w);
    ob_jw_key(w, "message");
    ob_jw_raw(w, m->segments_json, strlen(m->segments_json));
    ob_jw_key_str(w, "message_format", "array");
    ob_jw_key_str(w, "raw_message", m->raw_message);
    ob_jw_key_int(w, "font", 14);
}

int sim_message_load(sim_ctx *c, int64_t message_id, sim_message *out) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sim_db(c), "SELECT group_id, user_id, time, segments, raw_message, recalled"
                                      " FROM messages WHERE message_id=?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, message_id);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        const char *seg = (const char *)sqlite3_column_text(st, 3), *raw = (const char *)sqlite3_column_text(st, 4);
        char *a = sim_ctx_alloc(c, strlen(seg ? seg : "[]") + 1), *b = sim_ctx_alloc(c, strlen(raw ? raw : "") + 1);
        if (!a || !b) { sqlite3_finalize(st); return -1; }
        strcpy(a, seg ? seg : "[]");
        strcpy(b, raw ? raw : "");
        *out = (sim_message){
            .message_id = message_id,
            .group_id = sqlite3_column_int64(st, 0),
            .user_id = sqlite3_column_int64(st, 1),
            .time = sqlite3_column_int64(st, 2),
            .segments_json = a,
            .raw_message = b,
            .recalled = sqlite3_column_int(st, 5) != 0,
        };
    }
    sqlite3_finalize(st);
    return found;
}

int64_t sim_message_add(sim_ctx *c, int64_t group_id, int64_t user_id,
                        const char *segments_json, const char *raw_message) {
    int64_t id = sim_next_id(c, "message_id");
    if (id < 0) return -1;
    int64_t now = sim_now(c);
    if (!sim_sql_exec(c, "INSERT INTO messages(message_id,group_id,user_id,time,segments,raw_message) VALUES(?,?,?,?,?,?)",
                   "iiiiss", id, group_id, user_id, now, segments_json, raw_message) ||
        !sim_sql_exec(c, "UPDATE members SET last_sent_time=? WHERE group_id=? AND user_id=?", "iii", now, group_id, user_id))
        return -1;
    if (user_id != sim_self_id(c)) {
        /* NapCat reports the bot's own messages only with reportSelfMessage. */
        sim_message m = {.message_id = id, .group_id = group_id, .user_id = user_id, .time = now,
                         .segments_json = segments_json, .raw_message = raw_message};
        ob_jw *w = sim_event_begin(c, "message", "group", "normal");
        sim_write_message_fields(c, w, &m);
        sim_event_end(c);
    }
    return id;
}

static int act_send_group_msg(sim_ctx *c) {
    int64_t gid;
    bool auto_escape;
    const char *segs, *raw;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_bool(c, "auto_escape", false, &auto_escape)) return SIM_ERR;
    if (!sim_message_param(c, "message", auto_escape, &segs, &raw)) return SIM_ERR;
    sim_group g;
    if (!sim_require_bot_in_group(c, gid, &g)) return SIM_ERR;
    sim_member bot;
    if (sim_member_load(c, gid, sim_self_id(c), &bot) != 1) return sim_db_fail(c);
    if (bot.ban_until > sim_now(c))
        return sim_fail(c, SIM_RC_REFUSED, "发送消息失败: the bot is muted in group %lld", (long long)gid);
    if (g.whole_ban && bot.role == SIM_ROLE_MEMBER)
        return sim_fail(c, SIM_RC_REFUSED, "发送消息失败: group %lld is muted for members", (long long)gid);
    /* A file segment uploads a group file first (NapCat's post_group_file path). */
    if (!sim_files_post_segments(c, gid, segs)) return SIM_ERR;
    int64_t id = sim_message_add(c, gid, sim_self_id(c), segs, raw);
    if (id < 0) return sim_db_fail(c);
    sim_data_int(c, "message_id", id);
    return SIM_OK;
}

static int act_delete_msg(sim_ctx *c) {
    int64_t mid;
    if (!sim_get_i64(c, "message_id", &mid)) return SIM_ERR;
    sim_message m;
    int r = sim_message_load(c, mid, &m);
    if (r < 0) return sim_db_fail(c);
    if (r == 0 || m.recalled) return sim_fail(c, SIM_RC_REFUSED, "Recall failed");
    int64_t self = sim_self_id(c);
    sim_role bot = sim_bot_role(c, m.group_id);
    if (bot == SIM_ROLE_NONE) return sim_fail(c, SIM_RC_REFUSED, "Recall failed");
    /* QQ: anyone recalls their own message within 2 minutes; admins and the
       owner recall their own at any time and outranked members' messages. */
    bool allowed;
    if (m.user_id == self) {
        allowed = bot != SIM_ROLE_MEMBER || sim_now(c) - m.time <= SIM_RECALL_OWN_SECONDS;
    } else {
        sim_member sender;
        int sr = sim_member_load(c, m.group_id, m.user_id, &sender);
        sim_role target = sr == 1 ? sender.role : SIM_ROLE_MEMBER;   /* a departed sender counts as a member */
        allowed = sim_outranks(bot, target);
    }
    if (!allowed)
        return sim_fail(c, SIM_RC_REFUSED,
                        "Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/recallMsg "
                        "ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet: {\"result\":1001,\"errMsg\":\"no permission\"}");
    if (!sim_sql_exec(c, "UPDATE messages SET recalled=1 WHERE message_id=?", "i", mid)) return sim_db_fail(c);
    ob_jw *w = sim_event_begin(c, "notice", "group_recall", NULL);
    ob_jw_key_int(w, "group_id", m.group_id);
    ob_jw_key_int(w, "user_id", m.user_id);
    ob_jw_key_int(w, "operator_id", self);
    ob_jw_key_int(w, "message_id", mid);
    sim_event_end(c);
    return SIM_OK;
}

static int act_get_msg(sim_ctx *c) {
    int64_t mid;
    if (!sim_get_i64(c, "message_id", &mid)) return SIM_ERR;
    sim_message m;
    int r = sim_message_load(c, mid, &m);
    if (r < 0) return sim_db_fail(c);
    if (r == 0) return sim_fail(c, SIM_RC_REFUSED, "消息不存在");
    if (m.recalled) return sim_fail(c, SIM_RC_REFUSED, "消息不存在或已被撤回");
    ob_jw *w = sim_data(c);
    ob_jw_obj(w);
    ob_jw_key_int(w, "self_id", sim_self_id(c));
    ob_jw_key_int(w, "time", m.time);
    ob_jw_key_str(w, "post_type", m.user_id == sim_self_id(c) ? "message_sent" : "message");
    ob_jw_key_str(w, "message_type", "group");
    ob_jw_key_str(w, "sub_type", "normal");
    /* NapCat's parseMessage marks the bot's own messages. */
    if (m.user_id == sim_self_id(c)) ob_jw_key_str(w, "message_sent_type", "self");
    sim_write_message_fields(c, w, &m);
    ob_jw_key(w, "emoji_likes_list");
    ob_jw_arr(w);
    ob_jw_arr_end(w);
    ob_jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ system */

static int act_get_login_info(sim_ctx *c) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sim_db(c), "SELECT nickname FROM users WHERE user_id=?", -1, &st, NULL) != SQLITE_OK)
        return sim_db_fail(c);
    sqlite3_bind_int64(st, 1, sim_self_id(c));
    char nick[SIM_MAX_NAME + 1] = "GuardBot";
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(nick, sizeof nick, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    ob_jw *w = sim_data(c);
    ob_jw_obj(w);
    ob_jw_key_int(w, "user_id", sim_self_id(c));
    ob_jw_key_str(w, "nickname", nick);
    ob_jw_obj_end(w);
    return SIM_OK;
}

static int act_get_status(sim_ctx *c) {
    ob_jw *w = sim_data(c);
    ob_jw_obj(w);
    ob_jw_key_bool(w, "online", true);
    ob_jw_key_bool(w, "good", true);
    ob_jw_key(w, "stat");
    ob_jw_obj(w);
    ob_jw_obj_end(w);
    ob_jw_obj_end(w);
    return SIM_OK;
}

static int act_get_version_info(sim_ctx *c) {
    ob_jw *w = sim_data(c);
    ob_jw_obj(w);
    ob_jw_key_str(w, "app_name", "NapCat.Onebot");
    ob_jw_key_str(w, "protocol_version", "v11");
    ob_jw_key_str(w, "app_version", "4.18.19");
    ob_jw_obj_end(w);
    return SIM_OK;
}

const sim_action sim_actions_members[] = {
    {"set_group_kick", act_set_group_kick, 0},
    {"set_group_kick_members", act_set_group_kick_members, 0},
    {"set_group_ban", act_set_group_ban, 0},
    {"set_group_whole_ban", act_set_group_whole_ban, 0},
    {"set_group_admin", act_set_group_admin, 0},
    {"set_group_leave", act_set_group_leave, 0},
    {"set_group_special_title", act_set_group_special_title, 0},
    {"set_group_add_request", act_set_group_add_request, 0},
    {"set_group_card", act_set_group_card, 0},
    {"set_group_name", act_set_group_name, 0},
    {"set_group_remark", act_set_group_remark, 0},
    {"set_group_portrait", act_set_group_portrait, 0},
    {"get_group_info", act_get_group_info, 0},
    {"get_group_info_ex", act_get_group_info_ex, 0},
    {"get_group_list", act_get_group_list, 0},
    {"get_group_member_info", act_get_group_member_info, 0},
    {"get_group_member_list", act_get_group_member_list, 0},
    {"get_group_shut_list", act_get_group_shut_list, 0},
    {"send_group_msg", act_send_group_msg, 0},
    {"delete_msg", act_delete_msg, 0},
    {"get_msg", act_get_msg, 0},
    {"get_login_info", act_get_login_info, 0},
    {"get_status", act_get_status, 0},
    {"get_version_info", act_get_version_info, 0},
    {NULL, NULL, 0},
};
