/* Control actions the browser console (docs/console.md) reads the world
 * and plays members with, beyond the standard ones; like every sim_*
 * action they need the control token (or, for the console's own socket
 * without one, a loopback client). docs/simulator.md lists them. */
#include "sim_actions.h"
#include "sim_internal.h"
#include "sim_surface.h"

static bool write_request(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    (void)c;
    ob__jw_obj(w);
    ob__jw_key_str(w, "flag", (const char *)sqlite3_column_text(st, 0));
    ob__jw_key_int(w, "user_id", sqlite3_column_int64(st, 1));
    ob__jw_key_str(w, "nickname", (const char *)sqlite3_column_text(st, 2));
    ob__jw_key_str(w, "sub_type", (const char *)sqlite3_column_text(st, 3));
    ob__jw_key_int(w, "invitor_id", sqlite3_column_int64(st, 4));
    ob__jw_key_str(w, "comment", (const char *)sqlite3_column_text(st, 5));
    ob__jw_key_int(w, "time", sqlite3_column_int64(st, 6));
    ob__jw_obj_end(w);
    return true;
}

static bool write_message(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    sim_message m;
    if (sim_message_load(c, sqlite3_column_int64(st, 0), &m) != 1) return false;
    ob__jw_obj(w);
    ob__jw_key_int(w, "time", m.time);
    ob__jw_key_bool(w, "recalled", m.recalled);
    sim_write_message_fields(c, w, &m);
    ob__jw_obj_end(w);
    return true;
}

/* sim_member_recall {message_id, operator_id=the sender}: a member recalls a
 * message (their own, or as an admin or the owner one of someone they
 * outrank), by QQ's rules as delete_msg applies them to the bot. */
int sim_act_sim_member_recall(sim_ctx *c) {
    sim_message m;
    if (!sim_require_message(c, "Recall failed", &m)) return SIM_ERR;
    int64_t op;
    if (!sim_opt_i64(c, "operator_id", m.user_id, &op)) return SIM_ERR;
    return sim_message_recall(c, &m, op);
}

/* sim_get_requests {group_id} → [{flag, user_id, nickname, sub_type,
 * invitor_id, comment, time}]: the group's pending join requests and
 * invitations, oldest first. */
int sim_act_sim_get_requests(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    /* the nickname: a user who asked before the world knew them has none */
    sqlite3_stmt *st =
        sim_sql_query(c,
                      "SELECT r.flag, r.user_id, COALESCE(u.nickname,''), r.sub_type, r.invitor_id, r.comment, r.time"
                      " FROM requests r LEFT JOIN users u ON u.user_id=r.user_id"
                      " WHERE r.group_id=? AND r.state='pending' ORDER BY r.time, r.rowid",
                      "i", gid);
    return sim_write_rows(c, sim_data(c), st, write_request) ? SIM_OK : sim_db_fail(c);
}

/* sim_get_messages {group_id, count=50 (1..500)} → [message]: the group's
 * latest messages, oldest first, each as get_msg returns it (without the
 * envelope) plus "time" and "recalled". */
int sim_act_sim_get_messages(sim_ctx *c) {
    int64_t gid, count;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_i64(c, "count", 50, &count)) return SIM_ERR;
    if (count < 1 || count > 500) return sim_fail(c, SIM_RC_BAD_PARAM, "count must be 1..500");
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT message_id FROM (SELECT message_id, time FROM messages WHERE group_id=?"
                                     " ORDER BY time DESC, message_id DESC LIMIT ?) ORDER BY time, message_id",
                                     "ii", gid, count);
    return sim_write_rows(c, sim_data(c), st, write_message) ? SIM_OK : sim_db_fail(c);
}
