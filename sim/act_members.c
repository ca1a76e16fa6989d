/* Simulator actions: moderation, member and group information, and the
 * system actions, with QQ's permission rules. Group messages are in
 * act_messages.c.
 *
 * Where NapCat checks QQ's answer the simulator fails with 1200 and NapCat's
 * message; where NapCat does not (docs/protocol.md §4 "false success") it goes
 * through sim_false_success: ok without a change, or 1200 under --strict. */
#include "sim_actions.h"
#include "sim_surface.h"
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

/* ------------------------------------------------------------------ small helpers */

static void write_group(ob__jw *w, const sim_group *g) {
    ob__jw_obj(w);
    ob__jw_key_int(w, "group_all_shut", g->whole_ban ? -1 : 0);
    ob__jw_key_str(w, "group_remark", g->remark);
    ob__jw_key_int(w, "group_id", g->group_id);
    ob__jw_key_str(w, "group_name", g->name);
    ob__jw_key_int(w, "member_count", g->member_count);
    ob__jw_key_int(w, "max_member_count", g->max_members);
    ob__jw_obj_end(w);
}

static void write_member(sim_ctx *c, ob__jw *w, const sim_member *m) {
    char level[24];
    snprintf(level, sizeof level, "%lld", (long long)m->level);
    int64_t now = sim_now(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "group_id", m->group_id);
    ob__jw_key_int(w, "user_id", m->user_id);
    ob__jw_key_str(w, "nickname", m->nickname);
    ob__jw_key_str(w, "card", m->card);
    ob__jw_key_str(w, "sex", m->sex);
    ob__jw_key_int(w, "age", m->age);
    ob__jw_key_str(w, "area", "");
    ob__jw_key_str(w, "level", level);
    ob__jw_key_int(w, "qq_level", m->qq_level);
    ob__jw_key_int(w, "join_time", m->join_time);
    ob__jw_key_int(w, "last_sent_time", m->last_sent_time);
    ob__jw_key_int(w, "title_expire_time", 0); /* NapCat always sends 0 */
    ob__jw_key_bool(w, "unfriendly", false);
    ob__jw_key_bool(w, "card_changeable", true);
    ob__jw_key_bool(w, "is_robot", m->is_robot);
    ob__jw_key_int(w, "shut_up_timestamp", m->ban_until > now ? m->ban_until : 0);
    ob__jw_key_str(w, "role", sim_role_name(m->role));
    ob__jw_key_str(w, "title", m->title);
    ob__jw_obj_end(w);
}

/* Iterates the members of a group (ordered by join time), one query for all. */
typedef struct member_iter {
    sqlite3_stmt *st;
} member_iter;

static bool member_iter_open(sim_ctx *c, member_iter *it, int64_t group_id, const char *extra_where) {
    char sql[1024];
    snprintf(sql, sizeof sql, SIM_MEMBER_SELECT "WHERE m.group_id=?1 %s ORDER BY m.join_time, m.user_id",
             extra_where ? extra_where : "");
    /* extra_where may use ?2, the simulated now */
    it->st = sim_sql_query(c, sql, extra_where ? "ii" : "i", group_id, sim_now(c));
    return it->st != NULL;
}

/* 1 with *m filled, 0 at the end, -1 on error. */
static int member_iter_next(member_iter *it, sim_member *m) {
    int rc = sqlite3_step(it->st);
    if (rc == SQLITE_ROW) {
        sim_member_from_row(it->st, m);
        return 1;
    }
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
    if (reject && !sim_sql_exec(c, "INSERT OR REPLACE INTO blocklist(group_id,user_id,time) VALUES(?,?,?)", "iii", gid,
                                uid, sim_now(c)))
        return sim_db_fail(c);
    sim_emit_member_change(c, "group_decrease", "kick", gid, uid, sim_self_id(c));
    return SIM_OK;
}

int sim_act_set_group_kick(sim_ctx *c) {
    int64_t gid, uid;
    bool reject;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_bool(c, "reject_add_request", false, &reject))
        return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    return kick_one(c, gid, sim_bot_role(c, gid), uid, reject);
}

int sim_act_set_group_kick_members(sim_ctx *c) {
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

int sim_act_set_group_ban(sim_ctx *c) {
    int64_t gid, uid, duration;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_i64(c, "duration", 0, &duration)) /* NapCat: default 0, which lifts */
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
    if (uid == sim_self_id(c) || !sim_outranks(bot, m.role)) return sim_fail(c, SIM_RC_REFUSED, "ERR_NOT_GROUP_ADMIN");
    if (duration < 0) return sim_fail(c, SIM_RC_REFUSED, "ERR_INVALID_PARAM: duration %lld", (long long)duration);
    if (duration > SIM_MAX_BAN_SECONDS) duration = SIM_MAX_BAN_SECONDS;
    int64_t now = sim_now(c);
    bool was_banned = m.ban_until > now;
    if (duration == 0 && !was_banned) return SIM_OK; /* nothing to lift: QQ shows no tip */
    if (!sim_sql_exec(c, "UPDATE members SET ban_until=? WHERE group_id=? AND user_id=?", "iii",
                      duration ? now + duration : 0, gid, uid))
        return sim_db_fail(c);
    sim_emit_ban(c, gid, uid, sim_self_id(c), duration);
    return SIM_OK;
}

int sim_act_set_group_whole_ban(sim_ctx *c) {
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
    if (r == 0)
        return *answer = sim_false_success(c, "user %lld is not in group %lld", (long long)uid, (long long)gid), false;
    if (sim_bot_role(c, gid) != SIM_ROLE_OWNER)
        return *answer = sim_false_success(c, "only the group owner %s, and the bot is not the owner of %lld", does,
                                           (long long)gid),
               false;
    return true;
}

int sim_act_set_group_admin(sim_ctx *c) {
    int64_t gid, uid;
    bool enable;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_bool(c, "enable", false, &enable)) /* NapCat: a missing enable removes admin */
        return SIM_ERR;
    sim_member m;
    int answer;
    if (!owner_may_change(c, gid, uid, "sets admins", &m, &answer)) return answer;
    if (m.role == SIM_ROLE_OWNER) return sim_false_success(c, "the owner's role cannot change");
    sim_role want = enable ? SIM_ROLE_ADMIN : SIM_ROLE_MEMBER;
    if (m.role == want) return SIM_OK;
    if (!sim_sql_exec(c, "UPDATE members SET role=? WHERE group_id=? AND user_id=?", "sii", sim_role_name(want), gid,
                      uid))
        return sim_db_fail(c);
    sim_emit_admin(c, gid, uid, enable);
    return SIM_OK;
}

int sim_act_set_group_leave(sim_ctx *c) {
    int64_t gid;
    bool dismiss;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_bool(c, "is_dismiss", false, &dismiss)) return SIM_ERR;
    (void)dismiss; /* NapCat ignores it and always quits */
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    if (sim_bot_role(c, gid) == SIM_ROLE_OWNER)
        return sim_false_success(c, "the owner cannot quit group %lld (QQ wants it dismissed; NapCat only quits)",
                                 (long long)gid);
    int64_t self = sim_self_id(c);
    if (!sim_sql_exec(c, "DELETE FROM members WHERE group_id=? AND user_id=?", "ii", gid, self)) return sim_db_fail(c);
    sim_emit_member_change(c, "group_decrease", "leave", gid, self, self);
    return SIM_OK;
}

int sim_act_set_group_special_title(sim_ctx *c) {
    int64_t gid, uid;
    const char *title;
    sim_data_absent(c); /* NapCat's handler returns nothing */
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_str(c, "special_title", "", SIM_MAX_NAME, &title))
        return SIM_ERR;
    sim_member m;
    int answer;
    if (!owner_may_change(c, gid, uid, "sets special titles", &m, &answer)) return answer;
    if (strlen(title) > SIM_QQ_TITLE_BYTES)
        return sim_false_success(c, "QQ limits a special title to %d bytes (6 CJK characters); got %zu",
                                 SIM_QQ_TITLE_BYTES, strlen(title));
    if (strcmp(m.title, title) == 0) return SIM_OK;
    if (!sim_sql_exec(c, "UPDATE members SET title=?, title_expire=0 WHERE group_id=? AND user_id=?", "sii", title, gid,
                      uid))
        return sim_db_fail(c);
    ob__jw *w = sim_group_notice_begin(c, "notify", "title", gid, uid);
    ob__jw_key_str(w, "title", title);
    sim_event_end(c);
    return SIM_OK;
}

int sim_act_set_group_add_request(sim_ctx *c) {
    const char *flag, *reason;
    bool approve;
    int64_t count;
    if (!sim_get_str(c, "flag", SIM_MAX_NAME, &flag) || !sim_opt_bool(c, "approve", true, &approve) ||
        !sim_opt_str(c, "reason", " ", SIM_MAX_TEXT, &reason) || !sim_opt_i64(c, "count", 100, &count))
        return SIM_ERR;
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT group_id, user_id, sub_type, invitor_id, rowid FROM requests"
                                     " WHERE flag=? AND state='pending'",
                                     "s", flag);
    if (!st) return sim_db_fail(c);
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
        if (!sim_sql_exec(c, "INSERT INTO members(group_id,user_id,role,join_time) VALUES(?,?,'member',?)", "iii", gid,
                          self, now) ||
            !sim_sql_exec(c, "UPDATE requests SET state='approved' WHERE flag=?", "s", flag))
            return sim_db_fail(c);
        sim_emit_member_change(c, "group_increase", "invite", gid, self, inviter);
        return SIM_OK;
    }
    sim_role bot = sim_bot_role(c, gid);
    if (!sim_is_admin_role(bot))
        return sim_false_success(c, "the bot is not an admin of group %lld and cannot handle join requests",
                                 (long long)gid);
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
    if (!sim_sql_exec(c, "INSERT INTO members(group_id,user_id,role,join_time) VALUES(?,?,'member',?)", "iii", gid, uid,
                      now) ||
        !sim_sql_exec(c, "UPDATE requests SET state='approved' WHERE flag=?", "s", flag))
        return sim_db_fail(c);
    sim_emit_member_change(c, "group_increase", "approve", gid, uid, self);
    return SIM_OK;
}

int sim_act_set_group_card(sim_ctx *c) {
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
    ob__jw *w = sim_group_notice_begin(c, "group_card", NULL, gid, uid);
    ob__jw_key_str(w, "card_new", card);
    ob__jw_key_str(w, "card_old", m.card);
    sim_event_end(c);
    return SIM_OK;
}

/* ------------------------------------------------------------------ group settings */

int sim_act_set_group_name(sim_ctx *c) {
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
    ob__jw *w = sim_group_notice_begin(c, "notify", "group_name", gid, sim_self_id(c));
    ob__jw_key_str(w, "name_new", name);
    sim_event_end(c);
    return SIM_OK;
}

int sim_act_set_group_remark(sim_ctx *c) {
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

int sim_act_set_group_portrait(sim_ctx *c) {
    int64_t gid;
    const char *file;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "file", SIM_MAX_PATH, &file)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    if (!file_arg_usable(file)) return sim_fail(c, SIM_RC_REFUSED, "识别URL失败");
    if (!sim_file_arg_in_root(c, file)) return SIM_ERR;
    sim_role bot = sim_bot_role(c, gid);
    if (!sim_is_admin_role(bot))
        return sim_fail(c, SIM_RC_REFUSED, "设置群头像失败: not an image or no permission (1004022)");
    if (!sim_sql_exec(c, "UPDATE groups SET avatar=? WHERE group_id=?", "si", file, gid)) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "result", 0);
    ob__jw_key_str(w, "errMsg", "success");
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ information */

int sim_act_get_group_info(sim_ctx *c) {
    sim_group g;
    if (!sim_group_info_param(c, &g)) return SIM_ERR;
    if (sim_bot_role(c, g.group_id) == SIM_ROLE_NONE) {
        /* Not in the group: NapCat merges the detail card's raw fields in. */
        ob__jw *w = sim_data(c);
        ob__jw_obj(w);
        sim_write_group_keys(w, &g);
        sim_key_int_str(w, "groupCode", g.group_id);
        ob__jw_key_str(w, "groupName", g.name);
        ob__jw_key_int(w, "memberNum", g.member_count);
        ob__jw_key_int(w, "maxMemberNum", g.max_members);
        ob__jw_key_int(w, "groupCreateTime", g.create_time);
        ob__jw_obj_end(w);
        return SIM_OK;
    }
    write_group(sim_data(c), &g);
    return SIM_OK;
}

static bool group_row(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    sim_group g;
    int r = sim_group_load(c, sqlite3_column_int64(st, 0), &g);
    if (r == 1) write_group(w, &g);
    return r >= 0;
}

int sim_act_get_group_list(sim_ctx *c) {
    bool no_cache;
    if (!sim_opt_bool(c, "no_cache", false, &no_cache)) return SIM_ERR;
    sqlite3_stmt *st =
        sim_sql_query(c, "SELECT group_id FROM members WHERE user_id=? ORDER BY group_id", "i", sim_self_id(c));
    return sim_write_rows(c, sim_data(c), st, group_row) ? SIM_OK : sim_db_fail(c);
}

int sim_act_get_group_info_ex(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    sim_group g;
    if (!sim_require_bot_in_group(c, gid, &g)) return SIM_ERR;
    int64_t owner = sim_group_owner(c, gid);
    char code[24], owner_s[24], owner_uid[40];
    snprintf(code, sizeof code, "%lld", (long long)gid);
    snprintf(owner_s, sizeof owner_s, "%lld", (long long)owner);
    snprintf(owner_uid, sizeof owner_uid, "u_sim%lld", (long long)owner);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_str(w, "groupCode", code);
    ob__jw_key_int(w, "resultCode", 0);
    ob__jw_key(w, "extInfo");
    ob__jw_obj(w);
    ob__jw_key_int(w, "groupInfoExtSeq", 1);
    ob__jw_key_int(w, "reserve", 0);
    ob__jw_key_str(w, "luckyWordId", "0");
    ob__jw_key_int(w, "lightCharNum", 0);
    ob__jw_key_str(w, "luckyWord", "");
    ob__jw_key_int(w, "starId", 0);
    ob__jw_key_int(w, "essentialMsgSwitch", 1);
    ob__jw_key_int(w, "todoSeq", 0);
    ob__jw_key_int(w, "blacklistExpireTime", 0);
    ob__jw_key_int(w, "isLimitGroupRtc", 0);
    ob__jw_key_int(w, "companyId", 0);
    ob__jw_key_int(w, "hasGroupCustomPortrait", 0);
    ob__jw_key_str(w, "bindGuildId", "0");
    ob__jw_key(w, "groupOwnerId");
    ob__jw_obj(w);
    ob__jw_key_str(w, "memberUin", owner_s);
    ob__jw_key_str(w, "memberUid", owner_uid);
    ob__jw_key_str(w, "memberQid", "");
    ob__jw_obj_end(w);
    ob__jw_key_int(w, "essentialMsgPrivilege", 0);
    ob__jw_key_str(w, "msgEventSeq", "0");
    ob__jw_key_int(w, "inviteRobotSwitch", 0);
    ob__jw_key_str(w, "gangUpId", "0");
    ob__jw_key_int(w, "qqMusicMedalSwitch", 0);
    ob__jw_key_int(w, "showPlayTogetherSwitch", 0);
    ob__jw_key_str(w, "groupFlagPro1", "0");
    ob__jw_key(w, "groupBindGuildIds");
    ob__jw_obj(w);
    sim_key_empty_array(w, "guildIds");
    ob__jw_obj_end(w);
    ob__jw_key_str(w, "viewedMsgDisappearTime", "0");
    ob__jw_key(w, "groupExtFlameData");
    ob__jw_obj(w);
    ob__jw_key_int(w, "switchState", 0);
    ob__jw_key_int(w, "state", 0);
    ob__jw_key_int(w, "dayNums", 0);
    ob__jw_key_int(w, "version", 0);
    ob__jw_key_int(w, "updateTime", 0);
    ob__jw_key_bool(w, "isDisplayDayNum", false);
    ob__jw_obj_end(w);
    ob__jw_key_int(w, "groupBindGuildSwitch", 0);
    ob__jw_key_str(w, "groupAioBindGuildId", "0");
    ob__jw_key(w, "groupExcludeGuildIds");
    ob__jw_obj(w);
    sim_key_empty_array(w, "guildIds");
    ob__jw_obj_end(w);
    ob__jw_key_int(w, "fullGroupExpansionSwitch", 0);
    ob__jw_key_str(w, "fullGroupExpansionSeq", "0");
    ob__jw_key_int(w, "inviteRobotMemberSwitch", 0);
    ob__jw_key_int(w, "inviteRobotMemberExamine", 0);
    ob__jw_key_int(w, "groupSquareSwitch", 0);
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    return SIM_OK;
}

int sim_act_get_group_member_info(sim_ctx *c) {
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

int sim_act_get_group_member_list(sim_ctx *c) {
    int64_t gid;
    bool no_cache;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_bool(c, "no_cache", false, &no_cache)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    member_iter it;
    if (!member_iter_open(c, &it, gid, NULL)) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    ob__jw_arr(w);
    sim_member m;
    int r;
    while ((r = member_iter_next(&it, &m)) == 1) write_member(c, w, &m);
    member_iter_close(&it);
    if (r < 0) return sim_db_fail(c);
    ob__jw_arr_end(w);
    return SIM_OK;
}

int sim_act_get_group_shut_list(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    ob__jw *w = sim_data(c);
    ob__jw_arr(w);
    /* NapCat answers [] rather than an error when it cannot get the list. */
    if (sim_bot_role(c, gid) == SIM_ROLE_NONE) {
        ob__jw_arr_end(w);
        return SIM_OK;
    }
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
        ob__jw_obj(w);
        ob__jw_key_str(w, "uid", uidstr);
        ob__jw_key_str(w, "qid", "");
        ob__jw_key_str(w, "uin", uin);
        ob__jw_key_str(w, "nick", m.nickname);
        ob__jw_key_str(w, "remark", "");
        ob__jw_key_int(w, "cardType", 0);
        ob__jw_key_str(w, "cardName", m.card);
        ob__jw_key_int(w, "role", (int64_t)m.role);
        ob__jw_key_str(w, "avatarPath", "");
        ob__jw_key_int(w, "shutUpTime", m.ban_until);
        ob__jw_key_bool(w, "isDelete", false);
        ob__jw_key_bool(w, "isSpecialConcerned", false);
        ob__jw_key_bool(w, "isSpecialShield", false);
        ob__jw_key_bool(w, "isRobot", m.is_robot);
        ob__jw_key(w, "groupHonor");
        ob__jw_obj(w);
        ob__jw_obj_end(w);
        ob__jw_key_int(w, "memberRealLevel", m.level);
        ob__jw_key_int(w, "memberLevel", m.level);
        ob__jw_key_int(w, "globalGroupLevel", 0);
        ob__jw_key_int(w, "globalGroupPoint", 0);
        ob__jw_key_int(w, "memberTitleId", 0);
        ob__jw_key_str(w, "memberSpecialTitle", m.title);
        ob__jw_key_str(w, "specialTitleExpireTime", expire);
        ob__jw_key_int(w, "userShowFlag", 0);
        ob__jw_key_int(w, "userShowFlagNew", 0);
        ob__jw_key_int(w, "richFlag", 0);
        ob__jw_key_int(w, "mssVipType", 0);
        ob__jw_key_int(w, "bigClubLevel", 0);
        ob__jw_key_int(w, "bigClubFlag", 0);
        ob__jw_key_int(w, "autoRemark", 0);
        ob__jw_key_int(w, "creditLevel", 0);
        ob__jw_key_int(w, "joinTime", m.join_time);
        ob__jw_key_int(w, "lastSpeakTime", m.last_sent_time);
        ob__jw_key_int(w, "memberFlag", 0);
        ob__jw_key_int(w, "memberFlagExt", 0);
        ob__jw_key_int(w, "memberMobileFlag", 0);
        ob__jw_key_int(w, "memberFlagExt2", 0);
        ob__jw_key_bool(w, "isSpecialShielded", false);
        ob__jw_key_int(w, "cardNameId", 0);
        ob__jw_obj_end(w);
    }
    member_iter_close(&it);
    if (r < 0) return sim_db_fail(c);
    ob__jw_arr_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ system */

int sim_act_get_login_info(sim_ctx *c) {
    sqlite3_stmt *st = sim_sql_query(c, "SELECT nickname FROM users WHERE user_id=?", "i", sim_self_id(c));
    if (!st) return sim_db_fail(c);
    char nick[SIM_MAX_NAME + 1] = "GuardBot";
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(nick, sizeof nick, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "user_id", sim_self_id(c));
    ob__jw_key_str(w, "nickname", nick);
    ob__jw_obj_end(w);
    return SIM_OK;
}
