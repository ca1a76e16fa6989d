/* Simulator control actions (sim_*): drive the world from a test or a demo
 * script, as the people in the groups would. Only connections that present
 * the control token reach them; everyone else gets 1404. Each one emits the
 * events NapCat would send for what it simulates. docs/simulator.md lists
 * them with their params. */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool role_param(sim_ctx *c, const char *key, const char *def, bool allow_none, sim_role *out) {
    const char *r;
    if (def ? !sim_opt_str(c, key, def, 16, &r) : !sim_get_str(c, key, 16, &r)) return false;
    if (sim_role_parse(r, out)) return true;
    if (allow_none && strcmp(r, "none") == 0) *out = SIM_ROLE_NONE;
    else {
        sim_fail(c, SIM_RC_BAD_PARAM, "%s must be \"owner\", \"admin\", \"member\"%s", key,
                 allow_none ? " or \"none\"" : "");
        return false;
    }
    return true;
}

static bool positive_id(sim_ctx *c, const char *key, int64_t v) {
    if (v > 0) return true;
    sim_fail(c, SIM_RC_BAD_PARAM, "%s must be a positive id", key);
    return false;
}

/* Creates the user if the world does not know it yet (nickname: the given
 * one, else "用户<id>"); an existing user keeps its data unless a nickname is given. */
static bool ensure_user(sim_ctx *c, int64_t uid, const char *nickname) {
    char fallback[40];
    snprintf(fallback, sizeof fallback, "用户%lld", (long long)uid);
    if (!sim_sql_exec(c, "INSERT OR IGNORE INTO users(user_id,nickname) VALUES(?,?)", "is", uid,
                      nickname ? nickname : fallback))
        return false;
    if (nickname && !sim_sql_exec(c, "UPDATE users SET nickname=? WHERE user_id=?", "si", nickname, uid)) return false;
    return true;
}

static bool require_group(sim_ctx *c, int64_t gid, sim_group *g) {
    int r = sim_group_load(c, gid, g);
    if (r < 0) {
        sim_db_fail(c);
        return false;
    }
    if (r == 0) {
        sim_fail(c, SIM_RC_REFUSED, "group %lld does not exist (sim_create_group first)", (long long)gid);
        return false;
    }
    return true;
}

/* sim_create_group {group_id, group_name, bot_role="owner", owner_id, max_member_count=500} */
int sim_act_sim_create_group(sim_ctx *c) {
    int64_t gid, owner, cap;
    const char *name;
    sim_role bot_role;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "group_name", SIM_MAX_NAME, &name) ||
        !role_param(c, "bot_role", "owner", true, &bot_role) || !sim_opt_i64(c, "owner_id", 0, &owner) ||
        !sim_opt_i64(c, "max_member_count", 500, &cap))
        return SIM_ERR;
    if (!positive_id(c, "group_id", gid)) return SIM_ERR;
    if (cap < 2 || cap > 100000) return sim_fail(c, SIM_RC_BAD_PARAM, "max_member_count must be between 2 and 100000");
    int64_t self = sim_self_id(c), now = sim_now(c);
    if (bot_role == SIM_ROLE_OWNER) {
        if (owner && owner != self) return sim_fail(c, SIM_RC_BAD_PARAM, "owner_id contradicts bot_role \"owner\"");
        owner = self;
    } else if (owner <= 0 || owner == self) {
        return sim_fail(c, SIM_RC_BAD_PARAM, "owner_id (not the bot) is required when bot_role is not \"owner\"");
    }
    if (sim_group_load(c, gid, NULL) != 0)
        return sim_fail(c, SIM_RC_REFUSED, "group %lld already exists", (long long)gid);
    if (!sim_sql_exec(c, "INSERT INTO groups(group_id,name,max_members,create_time) VALUES(?,?,?,?)", "isii", gid, name,
                      cap, now) ||
        !ensure_user(c, owner, NULL) ||
        !sim_sql_exec(c, "INSERT INTO members(group_id,user_id,role,join_time) VALUES(?,?,'owner',?)", "iii", gid,
                      owner, now))
        return sim_db_fail(c);
    if (bot_role != SIM_ROLE_OWNER && bot_role != SIM_ROLE_NONE &&
        !sim_sql_exec(c, "INSERT INTO members(group_id,user_id,role,join_time) VALUES(?,?,?,?)", "iisi", gid, self,
                      sim_role_name(bot_role), now))
        return sim_db_fail(c);
    sim_data_int(c, "group_id", gid);
    return SIM_OK;
}

/* sim_add_user {user_id, nickname, sex="unknown", age=0, qq_level=1, is_robot=false}: creates or updates. */
int sim_act_sim_add_user(sim_ctx *c) {
    int64_t uid, age, qq_level;
    const char *nick, *sex;
    bool robot;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_get_str(c, "nickname", SIM_MAX_NAME, &nick) ||
        !sim_opt_str(c, "sex", "unknown", 8, &sex) || !sim_opt_i64(c, "age", 0, &age) ||
        !sim_opt_i64(c, "qq_level", 1, &qq_level) || !sim_opt_bool(c, "is_robot", false, &robot))
        return SIM_ERR;
    if (!positive_id(c, "user_id", uid)) return SIM_ERR;
    if (strcmp(sex, "male") && strcmp(sex, "female") && strcmp(sex, "unknown"))
        return sim_fail(c, SIM_RC_BAD_PARAM, "sex must be \"male\", \"female\" or \"unknown\"");
    if (!sim_sql_exec(c,
                      "INSERT INTO users(user_id,nickname,sex,age,qq_level,is_robot) VALUES(?,?,?,?,?,?)"
                      " ON CONFLICT(user_id) DO UPDATE SET nickname=excluded.nickname, sex=excluded.sex,"
                      " age=excluded.age, qq_level=excluded.qq_level, is_robot=excluded.is_robot",
                      "issiii", uid, nick, sex, age, qq_level, (int64_t)robot))
        return sim_db_fail(c);
    return SIM_OK;
}

/* sim_add_member {group_id, user_id, nickname, card="", role="member", level=1,
 *                 sub_type="approve"|"invite"|"none", operator_id=0}
 * Someone joins (group_increase unless sub_type is "none"). Adding the bot
 * makes it join the group (user_id = self). */
int sim_act_sim_add_member(sim_ctx *c) {
    int64_t gid, uid, level, op;
    const char *nick, *card, *sub;
    sim_role role;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_str(c, "nickname", NULL, SIM_MAX_NAME, &nick) || !sim_opt_str(c, "card", "", SIM_MAX_NAME, &card) ||
        !role_param(c, "role", "member", false, &role) || !sim_opt_i64(c, "level", 1, &level) ||
        !sim_opt_str(c, "sub_type", "approve", 16, &sub) || !sim_opt_i64(c, "operator_id", 0, &op))
        return SIM_ERR;
    if (!positive_id(c, "user_id", uid)) return SIM_ERR;
    if (strcmp(sub, "approve") && strcmp(sub, "invite") && strcmp(sub, "none"))
        return sim_fail(c, SIM_RC_BAD_PARAM, "sub_type must be \"approve\", \"invite\" or \"none\"");
    sim_group g;
    if (!require_group(c, gid, &g)) return SIM_ERR;
    if (sim_member_load(c, gid, uid, NULL) == 1)
        return sim_fail(c, SIM_RC_REFUSED, "user %lld is already in group %lld", (long long)uid, (long long)gid);
    if (role == SIM_ROLE_OWNER)
        return sim_fail(c, SIM_RC_BAD_PARAM, "a group has one owner; use sim_set_role to transfer it");
    if (g.member_count >= g.max_members) return sim_fail(c, SIM_RC_REFUSED, "group %lld is full", (long long)gid);
    if (!ensure_user(c, uid, nick) ||
        !sim_sql_exec(c, "INSERT INTO members(group_id,user_id,role,card,level,join_time) VALUES(?,?,?,?,?,?)",
                      "iissii", gid, uid, sim_role_name(role), card, level, sim_now(c)))
        return sim_db_fail(c);
    if (strcmp(sub, "none") != 0) sim_emit_member_change(c, "group_increase", sub, gid, uid, op);
    return SIM_OK;
}

/* A string member of element object e (NULL when absent/null), ctx-owned. */
static bool elem_str(sim_ctx *c, int e, const char *key, size_t max, const char **out) {
    const ob__jdoc *d = sim_params_doc(c);
    int t = ob__jget(d, e, key);
    *out = NULL;
    if (t < 0 || ob__jis_null(d, t)) return true;
    if (d->tok[t].type != JSMN_STRING || ob__jlen(d, t) > max * 6) {
        sim_fail(c, SIM_RC_BAD_PARAM, "members: %s must be a string of at most %zu bytes", key, max);
        return false;
    }
    char *s = sim_ctx_alloc(c, ob__jlen(d, t) + 1);
    long n = s ? ob__junescape(d, t, s) : -1;
    if (n < 0 || (size_t)n > max || (size_t)n != strlen(s)) {
        sim_fail(c, SIM_RC_BAD_PARAM, "members: bad %s", key);
        return false;
    }
    *out = s;
    return true;
}

/* sim_add_members {group_id, members:[{user_id, nickname, card, role, level}...],
 *                  sub_type="none"}: many members in one transaction (big
 * groups for benchmarks); events only when sub_type is approve/invite. */
int sim_act_sim_add_members(sim_ctx *c) {
    int64_t gid;
    const char *sub;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_str(c, "sub_type", "none", 16, &sub)) return SIM_ERR;
    if (strcmp(sub, "approve") && strcmp(sub, "invite") && strcmp(sub, "none"))
        return sim_fail(c, SIM_RC_BAD_PARAM, "sub_type must be \"approve\", \"invite\" or \"none\"");
    const ob__jdoc *d = sim_params_doc(c);
    int arr = sim_param_tok(c, "members");
    if (arr < 0 || d->tok[arr].type != JSMN_ARRAY)
        return sim_fail(c, SIM_RC_BAD_PARAM, "members must be an array of {user_id, nickname, card, role, level}");
    if (d->tok[arr].size > 100000) return sim_fail(c, SIM_RC_BAD_PARAM, "members: at most 100000 at once");
    sim_group g;
    if (!require_group(c, gid, &g)) return SIM_ERR;
    if (g.member_count + d->tok[arr].size > g.max_members)
        return sim_fail(c, SIM_RC_REFUSED, "group %lld would exceed its %lld members", (long long)gid,
                        (long long)g.max_members);
    int64_t now = sim_now(c);
    int e = arr + 1;
    for (int i = 0; i < d->tok[arr].size; i++, e = ob__jskip(d, e)) {
        if (d->tok[e].type != JSMN_OBJECT) return sim_fail(c, SIM_RC_BAD_PARAM, "members[%d] must be an object", i);
        int ut = ob__jget(d, e, "user_id"), lt = ob__jget(d, e, "level");
        int64_t uid = 0, level = 1;
        if (ut < 0 || ob__jint(d, ut, &uid) != 0 || uid <= 0)
            return sim_fail(c, SIM_RC_BAD_PARAM, "members[%d].user_id must be a positive id", i);
        if (lt >= 0 && ob__jint(d, lt, &level) != 0)
            return sim_fail(c, SIM_RC_BAD_PARAM, "members[%d].level must be a number", i);
        const char *nick, *card, *role;
        if (!elem_str(c, e, "nickname", SIM_MAX_NAME, &nick) || !elem_str(c, e, "card", SIM_MAX_NAME, &card) ||
            !elem_str(c, e, "role", 16, &role))
            return SIM_ERR;
        if (!role) role = "member";
        if (strcmp(role, "member") && strcmp(role, "admin"))
            return sim_fail(c, SIM_RC_BAD_PARAM, "members[%d].role must be \"member\" or \"admin\"", i);
        if (sim_member_load(c, gid, uid, NULL) == 1)
            return sim_fail(c, SIM_RC_REFUSED, "user %lld is already in group %lld", (long long)uid, (long long)gid);
        if (!ensure_user(c, uid, nick) ||
            !sim_sql_exec(c, "INSERT INTO members(group_id,user_id,role,card,level,join_time) VALUES(?,?,?,?,?,?)",
                          "iissii", gid, uid, role, card ? card : "", level, now))
            return sim_db_fail(c);
        if (strcmp(sub, "none") != 0) sim_emit_member_change(c, "group_increase", sub, gid, uid, 0);
    }
    sim_data_int(c, "added", d->tok[arr].size);
    return SIM_OK;
}

/* sim_member_say {group_id, user_id, message, auto_escape=false} → {message_id}
 * A member speaks: the message is stored and a group message event follows.
 * Node segments make a forward, as in send_group_msg. */
int sim_act_sim_member_say(sim_ctx *c) {
    int64_t gid, uid;
    bool auto_escape;
    const char *segs, *raw;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_bool(c, "auto_escape", false, &auto_escape))
        return SIM_ERR;
    if (!sim_group_message_param(c, "message", auto_escape, gid, &segs, &raw, NULL)) return SIM_ERR;
    sim_group g;
    if (!require_group(c, gid, &g)) return SIM_ERR;
    sim_member m;
    if (!sim_require_member(c, gid, uid, &m)) return SIM_ERR;
    if (uid == sim_self_id(c)) return sim_fail(c, SIM_RC_BAD_PARAM, "the bot speaks with send_group_msg");
    if (m.ban_until > sim_now(c))
        return sim_fail(c, SIM_RC_REFUSED, "user %lld is muted in group %lld", (long long)uid, (long long)gid);
    if (g.whole_ban && m.role == SIM_ROLE_MEMBER)
        return sim_fail(c, SIM_RC_REFUSED, "group %lld is muted for members", (long long)gid);
    int64_t id = sim_message_add(c, gid, uid, segs, raw);
    if (id < 0) return sim_db_fail(c);
    sim_data_int(c, "message_id", id);
    return SIM_OK;
}

static int make_request(sim_ctx *c, int64_t gid, int64_t uid, const char *sub, int64_t inviter, const char *comment) {
    /* NapCat's flags are notification seqs: microsecond-timestamp strings. */
    char flag[40];
    int64_t seq = sim_next_id(c, "request");
    if (seq < 0) return sim_db_fail(c);
    snprintf(flag, sizeof flag, "%lld%06lld", (long long)sim_now(c), (long long)(seq % 1000000));
    if (!sim_sql_exec(
            c, "INSERT INTO requests(flag,group_id,user_id,sub_type,invitor_id,comment,time) VALUES(?,?,?,?,?,?,?)",
            "siisisi", flag, gid, uid, sub, inviter, comment, sim_now(c)))
        return sim_db_fail(c);
    ob__jw *w = sim_event_begin(c, "request", "group", sub);
    ob__jw_key_int(w, "group_id", gid);
    ob__jw_key_int(w, "user_id", strcmp(sub, "invite") == 0 ? inviter : uid);
    return sim_request_filed(c, w, comment, flag);
}

/* sim_member_request {group_id, user_id, comment="", nickname} → {flag}
 * Someone asks to join: a request.group/add event with the flag follows.
 * Users on the group's reject list (kicked with reject_add_request) are refused. */
int sim_act_sim_member_request(sim_ctx *c) {
    int64_t gid, uid;
    const char *comment, *nick;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_opt_str(c, "comment", "", SIM_MAX_TEXT, &comment) ||
        !sim_opt_str(c, "nickname", NULL, SIM_MAX_NAME, &nick))
        return SIM_ERR;
    if (!positive_id(c, "user_id", uid)) return SIM_ERR;
    sim_group g;
    if (!require_group(c, gid, &g)) return SIM_ERR;
    if (sim_member_load(c, gid, uid, NULL) == 1)
        return sim_fail(c, SIM_RC_REFUSED, "user %lld is already in group %lld", (long long)uid, (long long)gid);
    int64_t one;
    bool blocked = sim_sql_i64(c, &one, "SELECT 1 FROM blocklist WHERE group_id=? AND user_id=?", "ii", gid, uid) == 1;
    if (blocked)
        return sim_fail(c, SIM_RC_REFUSED, "QQ refuses: user %lld was kicked from group %lld with reject_add_request",
                        (long long)uid, (long long)gid);
    if (!ensure_user(c, uid, nick)) return sim_db_fail(c);
    return make_request(c, gid, uid, "add", 0, comment);
}

/* sim_bot_invite {group_id, user_id (inviter), comment=""} → {flag}
 * A member of a group the bot is not in invites it: request.group/invite. */
int sim_act_sim_bot_invite(sim_ctx *c) {
    int64_t gid, inviter;
    const char *comment;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &inviter) ||
        !sim_opt_str(c, "comment", "", SIM_MAX_TEXT, &comment))
        return SIM_ERR;
    sim_group g;
    if (!require_group(c, gid, &g)) return SIM_ERR;
    if (sim_bot_role(c, gid) != SIM_ROLE_NONE)
        return sim_fail(c, SIM_RC_REFUSED, "the bot is already in group %lld", (long long)gid);
    if (!sim_require_member(c, gid, inviter, NULL)) return SIM_ERR;
    return make_request(c, gid, sim_self_id(c), "invite", inviter, comment);
}

/* sim_set_role {group_id, user_id=self, role}: changes anyone's role, the
 * bot's included. "owner" transfers ownership (the old owner becomes a
 * member). member<->admin emits group_admin as QQ's admin change does. */
int sim_act_sim_set_role(sim_ctx *c) {
    int64_t gid, uid;
    sim_role role;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_i64(c, "user_id", sim_self_id(c), &uid) ||
        !role_param(c, "role", NULL, false, &role))
        return SIM_ERR;
    sim_group g;
    if (!require_group(c, gid, &g)) return SIM_ERR;
    sim_member m;
    if (!sim_require_member(c, gid, uid, &m)) return SIM_ERR;
    if (m.role == role) return SIM_OK;
    if (m.role == SIM_ROLE_OWNER)
        return sim_fail(c, SIM_RC_REFUSED, "a group needs its owner: make someone else owner instead");
    if (role == SIM_ROLE_OWNER) {
        if (sim_group_owner(c, gid) == 0) return sim_db_fail(c);
        if (!sim_sql_exec(c, "UPDATE members SET role='member' WHERE group_id=? AND role='owner'", "i", gid))
            return sim_db_fail(c);
    }
    if (!sim_sql_exec(c, "UPDATE members SET role=? WHERE group_id=? AND user_id=?", "sii", sim_role_name(role), gid,
                      uid))
        return sim_db_fail(c);
    if (role != SIM_ROLE_OWNER) sim_emit_admin(c, gid, uid, role == SIM_ROLE_ADMIN);
    return SIM_OK;
}

/* sim_member_leave {group_id, user_id}: a member quits (group_decrease/leave). */
int sim_act_sim_member_leave(sim_ctx *c) {
    int64_t gid, uid;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid)) return SIM_ERR;
    sim_member m;
    if (!sim_require_member(c, gid, uid, &m)) return SIM_ERR;
    if (m.role == SIM_ROLE_OWNER)
        return sim_fail(c, SIM_RC_REFUSED, "the owner cannot leave; transfer ownership first");
    if (!sim_sql_exec(c, "DELETE FROM members WHERE group_id=? AND user_id=?", "ii", gid, uid)) return sim_db_fail(c);
    sim_emit_member_change(c, "group_decrease", "leave", gid, uid, uid);
    return SIM_OK;
}

/* sim_member_kick {group_id, user_id, operator_id}: an admin or the owner
 * removes someone (group_decrease/kick, or kick_me when it is the bot).
 * QQ's rank rules apply to the operator. */
int sim_act_sim_member_kick(sim_ctx *c) {
    int64_t gid, uid, op;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) || !sim_get_i64(c, "operator_id", &op))
        return SIM_ERR;
    sim_member target, oper;
    if (!sim_require_member(c, gid, uid, &target) || !sim_require_member(c, gid, op, &oper)) return SIM_ERR;
    if (!sim_outranks(oper.role, target.role) || uid == op)
        return sim_fail(c, SIM_RC_REFUSED, "QQ refuses: %lld may not kick %lld", (long long)op, (long long)uid);
    if (!sim_sql_exec(c, "DELETE FROM members WHERE group_id=? AND user_id=?", "ii", gid, uid)) return sim_db_fail(c);
    sim_emit_member_change(c, "group_decrease", uid == sim_self_id(c) ? "kick_me" : "kick", gid, uid, op);
    return SIM_OK;
}

/* sim_member_ban {group_id, user_id, duration, operator_id}: someone else mutes
 * (duration > 0) or unmutes (0) a member, possibly the bot; user_id 0 with
 * duration -1/0 toggles the whole-group mute. Asking for the state things
 * are already in (unmuting someone who is not muted, switching the
 * whole-group mute on twice) is ok and sends no event, as QQ shows no tip. */
int sim_act_sim_member_ban(sim_ctx *c) {
    int64_t gid, uid, duration, op;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_i64(c, "user_id", &uid) ||
        !sim_get_i64(c, "duration", &duration) || !sim_get_i64(c, "operator_id", &op))
        return SIM_ERR;
    sim_member oper;
    if (!sim_require_member(c, gid, op, &oper)) return SIM_ERR;
    if (oper.role == SIM_ROLE_MEMBER)
        return sim_fail(c, SIM_RC_REFUSED, "QQ refuses: %lld is not an admin", (long long)op);
    if (uid == 0) {
        if (duration != -1 && duration != 0)
            return sim_fail(c, SIM_RC_BAD_PARAM, "whole-group mute takes duration -1 (on) or 0 (off)");
        sim_group g;
        if (!require_group(c, gid, &g)) return SIM_ERR;
        /* Switching it to the state it is in shows no gray tip: no event
           (as set_group_whole_ban). */
        if (g.whole_ban == (duration == -1)) return SIM_OK;
        if (!sim_sql_exec(c, "UPDATE groups SET whole_ban=? WHERE group_id=?", "ii", (int64_t)(duration == -1), gid))
            return sim_db_fail(c);
    } else {
        sim_member target;
        if (!sim_require_member(c, gid, uid, &target)) return SIM_ERR;
        /* oper is an owner or admin here (checked above). */
        if (!sim_outranks(oper.role, target.role) || uid == op)
            return sim_fail(c, SIM_RC_REFUSED, "QQ refuses: %lld may not mute %lld", (long long)op, (long long)uid);
        if (duration < 0 || duration > 30 * 24 * 3600)
            return sim_fail(c, SIM_RC_BAD_PARAM, "duration must be 0..2592000 seconds");
        /* Unmuting someone who is not muted changes nothing: no event (as set_group_ban). */
        if (duration == 0 && target.ban_until <= sim_now(c)) return SIM_OK;
        if (!sim_sql_exec(c, "UPDATE members SET ban_until=? WHERE group_id=? AND user_id=?", "iii",
                          duration ? sim_now(c) + duration : 0, gid, uid))
            return sim_db_fail(c);
    }
    sim_emit_ban(c, gid, uid, op, duration);
    return SIM_OK;
}

/* sim_set_clock {offset} or {advance}: moves the simulated clock (seconds
 * relative to real time; advance adds to the current offset). → {now, offset}.
 * Bans and titles expire against this clock. */
int sim_act_sim_set_clock(sim_ctx *c) {
    int64_t offset, advance;
    int64_t now = sim_now(c);
    int64_t cur = now - (int64_t)time(NULL);
    if (!sim_opt_i64(c, "offset", cur, &offset) || !sim_opt_i64(c, "advance", 0, &advance)) return SIM_ERR;
    if (advance < -(int64_t)1e10 || advance > (int64_t)1e10 || offset < -(int64_t)1e10 || offset > (int64_t)1e10)
        return sim_fail(c, SIM_RC_BAD_PARAM, "offset/advance out of range");
    if (sim_set_clock_offset(c, offset + advance) != 0) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "now", sim_now(c));
    ob__jw_key_int(w, "offset", offset + advance);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* sim_get_stats {} → {groups, users, members, messages, requests, pending_requests,
 * connections, unsent_bytes, max_total_backlog, backlog_drops}. */
int sim_act_sim_get_stats(sim_ctx *c) {
    static const struct {
        const char *key, *sql;
    } q[] = {
        {"groups", "SELECT count(*) FROM groups"},
        {"users", "SELECT count(*) FROM users"},
        {"members", "SELECT count(*) FROM members"},
        {"messages", "SELECT count(*) FROM messages"},
        {"requests", "SELECT count(*) FROM requests"},
        {"pending_requests", "SELECT count(*) FROM requests WHERE state='pending'"},
    };
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        int64_t n = 0;
        if (sim_sql_i64(c, &n, q[i].sql, "") < 0) return sim_db_fail(c);
        ob__jw_key_int(w, q[i].key, n);
    }
    sim_server_stats(c, w);
    ob__jw_obj_end(w);
    return SIM_OK;
}
