/* Essence messages (docs/protocol.md §2.4, §3.2 essence): set_essence_msg,
 * delete_essence_msg, get_essence_msg_list, kept in the `essence` table.
 *
 * A message's msg_seq is its message_id here (the simulator keeps no
 * separate QQ sequence); msg_random is drawn when the message becomes
 * essence. Setting and removing need the bot to be admin or owner. NapCat
 * passes QQ's raw answer through without checking it, so a refusal
 * (no permission, not essence, already essence, bot not in the group, a
 * recalled message) is a
 * "false success": ok with QQ's error inside `data`, nothing changes, a
 * warning; 1200 under --strict. Only unknown messages fail outright, with
 * NapCat's own messages. Removing sends no event: NapCat declares
 * essence/delete but never emits it. */
#include "sim_actions.h"
#include "sim_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* QQ's raw answer to add/removeGroupEssence, passed through by NapCat. */
static void write_essence_result(sim_ctx *c, int err_code, const char *err_msg, int64_t digest_uin,
                                 int64_t digest_time) {
    char uin[24];
    snprintf(uin, sizeof uin, "%lld", (long long)digest_uin);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "errCode", err_code);
    ob__jw_key_str(w, "errMsg", err_msg);
    ob__jw_key(w, "rsp");
    ob__jw_obj(w);
    ob__jw_key_int(w, "errorCode", err_code);
    ob__jw_key_str(w, "wording", err_code ? err_msg : "");
    ob__jw_key_str(w, "digestUin", uin);
    ob__jw_key_int(w, "digestTime", digest_time);
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
}

/* A refusal NapCat reports as ok, QQ's error code inside the data. */
static int refused_anyway(sim_ctx *c, const char *action, int err_code, const char *why) {
    int fs = sim_false_success(c, "%s: %s", action, why);
    if (fs != SIM_OK) return fs;
    write_essence_result(c, err_code, why, 0, 0);
    return SIM_OK;
}

/* 1 when message_id of the group is essence, 0 not, -1 DB error. */
static int essence_exists(sim_ctx *c, int64_t gid, int64_t message_id) {
    int64_t one;
    return sim_sql_i64(c, &one, "SELECT 1 FROM essence WHERE group_id=? AND message_id=?", "ii", gid, message_id);
}

int sim_act_set_essence_msg(sim_ctx *c) {
    sim_message m;
    if (!sim_require_message(c, "msg not found", &m)) return SIM_ERR;
    int64_t mid = m.message_id;
    /* NapCat keeps recalled messages in its table and asks QQ, which refuses. */
    if (m.recalled) return refused_anyway(c, "set_essence_msg", 11002, "the message was recalled");
    if (sim_bot_role(c, m.group_id) == SIM_ROLE_NONE)
        return refused_anyway(c, "set_essence_msg", 11001, "the bot is not in the message's group");
    if (!sim_bot_is_admin(c, m.group_id))
        return refused_anyway(c, "set_essence_msg", 11004,
                              "no permission: only admins and the owner set essence messages");
    int e = essence_exists(c, m.group_id, mid);
    if (e < 0) return sim_db_fail(c);
    if (e == 1) return refused_anyway(c, "set_essence_msg", 11007, "the message is already an essence message");
    char hex[9];
    sim_random_hex(c, hex, 8);
    int64_t msg_random = (int64_t)(strtoul(hex, NULL, 16) & 0x7fffffffu);
    int64_t now = sim_now(c), self = sim_self_id(c);
    if (!sim_sql_exec(
            c,
            "INSERT INTO essence(group_id,message_id,msg_seq,msg_random,operator_id,operator_time) VALUES(?,?,?,?,?,?)",
            "iiiiii", m.group_id, mid, mid, msg_random, self, now))
        return sim_db_fail(c);
    ob__jw *w = sim_group_notice_begin(c, "essence", "add", m.group_id, m.user_id);
    ob__jw_key_int(w, "message_id", mid);
    ob__jw_key_int(w, "sender_id", m.user_id);
    ob__jw_key_int(w, "operator_id", self);
    sim_event_end(c);
    write_essence_result(c, 0, "success", m.user_id, now);
    return SIM_OK;
}

/* A decimal id given as a string param (NapCat declares msg_seq, msg_random
 * and group_id of delete_essence_msg as strings). */
static bool numeric(sim_ctx *c, const char *key, const char *s, int64_t *out) {
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!s[0] || *end) return sim_fail(c, SIM_RC_BAD_PARAM, "%s must be a decimal number (got \"%s\")", key, s), false;
    *out = v;
    return true;
}

int sim_act_delete_essence_msg(sim_ctx *c) {
    const char *seq_s, *random_s, *gid_s;
    if (!sim_opt_str(c, "msg_seq", NULL, 32, &seq_s) || !sim_opt_str(c, "msg_random", NULL, 32, &random_s) ||
        !sim_opt_str(c, "group_id", NULL, 32, &gid_s))
        return SIM_ERR;
    int64_t gid = 0, mid = 0;
    bool found = false;
    if (seq_s && seq_s[0] && random_s && random_s[0] && gid_s && gid_s[0]) {
        /* The complete triple wins over message_id, as in NapCat. */
        int64_t seq, rnd;
        if (!numeric(c, "msg_seq", seq_s, &seq) || !numeric(c, "msg_random", random_s, &rnd) ||
            !numeric(c, "group_id", gid_s, &gid))
            return SIM_ERR;
        int f = sim_sql_i64(c, &mid, "SELECT message_id FROM essence WHERE group_id=? AND msg_seq=? AND msg_random=?",
                            "iii", gid, seq, rnd);
        if (f < 0) return sim_db_fail(c);
        found = f == 1;
    } else {
        if (!sim_has(c, "message_id"))
            return sim_fail(c, SIM_RC_REFUSED, "必须提供 message_id 或者同时提供 msg_seq, msg_random, group_id");
        if (!sim_get_i64(c, "message_id", &mid)) return SIM_ERR;
        sim_message m;
        int r = sim_message_load(c, mid, &m);
        if (r < 0) return sim_db_fail(c);
        if (r == 1) {
            gid = m.group_id;
            int e = essence_exists(c, gid, mid);
            if (e < 0) return sim_db_fail(c);
            found = e == 1;
        } else {
            /* Not a known message: maybe an id from get_essence_msg_list. */
            int f = sim_sql_i64(c, &gid, "SELECT group_id FROM essence WHERE message_id=?", "i", mid);
            if (f < 0) return sim_db_fail(c);
            if (f == 0) return sim_fail(c, SIM_RC_REFUSED, "消息不存在");
            found = true;
        }
    }
    if (sim_bot_role(c, gid) == SIM_ROLE_NONE)
        return refused_anyway(c, "delete_essence_msg", 11001, "the bot is not in the group");
    if (!found) return refused_anyway(c, "delete_essence_msg", 11008, "the message is not an essence message");
    if (!sim_bot_is_admin(c, gid))
        return refused_anyway(c, "delete_essence_msg", 11004,
                              "no permission: only admins and the owner remove essence messages");
    if (!sim_sql_exec(c, "DELETE FROM essence WHERE group_id=? AND message_id=?", "ii", gid, mid))
        return sim_db_fail(c);
    write_essence_result(c, 0, "success", 0, sim_now(c));
    return SIM_OK;
}

int sim_act_get_essence_msg_list(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    sqlite3_stmt *st = sim_sql_query(
        c,
        "SELECT e.msg_seq, e.msg_random, coalesce(m.user_id,0), e.operator_id, e.message_id, e.operator_time,"
        " coalesce(m.segments,'[]')"
        " FROM essence e LEFT JOIN messages m ON m.message_id=e.message_id"
        " WHERE e.group_id=? ORDER BY e.operator_time DESC, e.rowid DESC",
        "i", gid);
    if (!st) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    ob__jw_arr(w);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t sender = sqlite3_column_int64(st, 2), op = sqlite3_column_int64(st, 3);
        ob__jw_obj(w);
        ob__jw_key_int(w, "msg_seq", sqlite3_column_int64(st, 0));
        ob__jw_key_int(w, "msg_random", sqlite3_column_int64(st, 1));
        ob__jw_key_int(w, "sender_id", sender);
        ob__jw_key_str(w, "sender_nick", sim_display_name(c, gid, sender));
        ob__jw_key_int(w, "operator_id", op);
        ob__jw_key_str(w, "operator_nick", sim_display_name(c, gid, op));
        ob__jw_key_int(w, "message_id", sqlite3_column_int64(st, 4));
        ob__jw_key_int(w, "operator_time", sqlite3_column_int64(st, 5));
        ob__jw_key(w, "content");
        /* The stored segment array, already valid JSON. */
        ob__jw_raw(w, (const char *)sqlite3_column_text(st, 6), (size_t)sqlite3_column_bytes(st, 6));
        ob__jw_obj_end(w);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return sim_db_fail(c);
    ob__jw_arr_end(w);
    return SIM_OK;
}
