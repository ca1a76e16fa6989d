/* Emoji reactions and pokes, as NapCat v4.18 serves them (docs/simulator.md,
 * "History, forwards, reactions, pokes"): set_msg_emoji_like,
 * fetch_emoji_like, group_poke and send_poke in a group.
 *
 * Reactions are kept per message, emoji and user (table emoji_likes); get_msg
 * lists them as emoji_likes_list. A reaction the bot adds or removes comes
 * back as NapCat's group_msg_emoji_like notice; a poke as notify/poke with
 * QQ's gray-tip items in raw_info. The pokes need NapCat's packet backend,
 * which the simulated NapCat has. */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NapCat's setEmojiLike: ids longer than three digits are emoji code points. */
static const char *emoji_type_of(const char *emoji_id) { return strlen(emoji_id) > 3 ? "2" : "1"; }

bool sim_write_emoji_likes(sim_ctx *c, ob__jw *w, int64_t message_id) {
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT emoji_id, emoji_type, count(*) FROM emoji_likes WHERE message_id=?"
                                     " GROUP BY emoji_id, emoji_type ORDER BY min(time), min(rowid)",
                                     "i", message_id);
    if (!st) return false;
    ob__jw_key(w, "emoji_likes_list");
    ob__jw_arr(w);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ob__jw_obj(w);
        ob__jw_key_str(w, "emoji_id", (const char *)sqlite3_column_text(st, 0));
        ob__jw_key_str(w, "emoji_type", (const char *)sqlite3_column_text(st, 1));
        sim_key_int_str(w, "likes_cnt", sqlite3_column_int64(st, 2));
        ob__jw_obj_end(w);
    }
    ob__jw_arr_end(w);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
}

/* set_msg_emoji_like {message_id, emoji_id, set=true} → QQ's {result, errMsg}.
 * An unknown message: 1200 "msg not found"; emoji_id 0 or "": "emojiId not
 * found". QQ's refusals (a recalled message, a group the bot is not in) are
 * a false success. Adding a reaction the bot already has, or removing one it
 * has not, changes nothing and sends no event. */
int sim_act_set_msg_emoji_like(sim_ctx *c) {
    const char *emoji;
    bool set;
    sim_message m;
    if (!sim_get_str(c, "emoji_id", 32, &emoji) || !sim_opt_bool(c, "set", true, &set)) return SIM_ERR;
    if (!sim_require_message(c, "msg not found", &m)) return SIM_ERR;
    if (!*emoji || strcmp(emoji, "0") == 0) return sim_fail(c, SIM_RC_REFUSED, "emojiId not found");
    int64_t self = sim_self_id(c);
    const char *why = m.recalled                                     ? "the message was recalled"
                      : sim_bot_role(c, m.group_id) == SIM_ROLE_NONE ? "the bot is not in the message's group"
                                                                     : NULL;
    if (why) {
        int fs = sim_false_success(c, "set_msg_emoji_like: %s", why);
        return fs == SIM_OK ? sim_raw_answer(c, "errMsg", 1001, why) : fs;
    }
    bool ok = set ? sim_sql_exec(c,
                                 "INSERT OR IGNORE INTO emoji_likes(message_id,emoji_id,user_id,emoji_type,time)"
                                 " VALUES(?,?,?,?,?)",
                                 "isisi", m.message_id, emoji, self, emoji_type_of(emoji), sim_now(c))
                  : sim_sql_exec(c, "DELETE FROM emoji_likes WHERE message_id=? AND emoji_id=? AND user_id=?", "isi",
                                 m.message_id, emoji, self);
    if (!ok) return sim_db_fail(c);
    if (sqlite3_changes(sim_db(c)) > 0) {
        /* NapCat's reaction push reports one reaction at a time: count 1. */
        ob__jw *w = sim_group_notice_begin(c, "group_msg_emoji_like", NULL, m.group_id, self);
        ob__jw_key_int(w, "message_id", m.message_id);
        ob__jw_key(w, "likes");
        ob__jw_arr(w);
        ob__jw_obj(w);
        ob__jw_key_str(w, "emoji_id", emoji);
        ob__jw_key_int(w, "count", 1);
        ob__jw_obj_end(w);
        ob__jw_arr_end(w);
        ob__jw_key_bool(w, "is_add", set);
        sim_event_end(c);
    }
    return sim_raw_answer(c, "errMsg", 0, "");
}

/* fetch_emoji_like {message_id, emojiId, emojiType, count=20, cookie=""} →
 * QQ's page {result, errMsg, emojiLikesList:[{tinyId, nickName, headUrl}],
 * cookie, isLastPage, isFirstPage}, oldest reaction first. The cookie is
 * what to pass for the next page ("" on the last). tinyId stands for QQ's
 * tinyId, which is not a QQ number: 144115200000000000 + the user's. */
int sim_act_fetch_emoji_like(sim_ctx *c) {
    const char *emoji, *type, *cookie;
    int64_t count;
    sim_message m;
    if (!sim_get_str(c, "emojiId", 32, &emoji) || !sim_get_str(c, "emojiType", 8, &type) ||
        !sim_opt_i64(c, "count", 20, &count) || !sim_opt_str(c, "cookie", "", 64, &cookie) ||
        !sim_require_message(c, "消息不存在", &m))
        return SIM_ERR;
    int64_t offset = strtoll(cookie, NULL, 10);
    if (offset < 0) offset = 0;
    if (count < 1) count = 1;
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT e.user_id, coalesce(u.nickname,'') FROM emoji_likes e"
                                     " LEFT JOIN users u ON u.user_id=e.user_id"
                                     " WHERE e.message_id=? AND e.emoji_id=? AND e.emoji_type=?"
                                     " ORDER BY e.time, e.rowid LIMIT ? OFFSET ?",
                                     "issii", m.message_id, emoji, type, count + 1, offset);
    if (!st) return sim_db_fail(c);
    ob__jw *w = sim_data_qq_ok(c, "result");
    ob__jw_key(w, "emojiLikesList");
    ob__jw_arr(w);
    int rc;
    int64_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < count) {
        int64_t uid = sqlite3_column_int64(st, 0);
        char head[96];
        snprintf(head, sizeof head, "https://q1.qlogo.cn/g?b=qq&nk=%lld&s=640", (long long)uid);
        ob__jw_obj(w);
        sim_key_int_str(w, "tinyId", 144115200000000000LL + uid);
        ob__jw_key_str(w, "nickName", (const char *)sqlite3_column_text(st, 1));
        ob__jw_key_str(w, "headUrl", head);
        ob__jw_obj_end(w);
        n++;
    }
    bool more = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!more && rc != SQLITE_DONE) return sim_db_fail(c);
    ob__jw_arr_end(w);
    char next[24] = "";
    if (more) snprintf(next, sizeof next, "%lld", (long long)(offset + n));
    ob__jw_key_str(w, "cookie", next);
    ob__jw_key_bool(w, "isLastPage", !more);
    ob__jw_key_bool(w, "isFirstPage", *cookie == '\0');
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* group_poke and send_poke {group_id, user_id, target_id}: the bot pokes
 * target_id (else user_id) in the group; no data key in the reply, as
 * NapCat. Without group_id NapCat pokes in the private chat: friend_poke
 * (act_friends.c). A target who is not in the group: a false success. */
int sim_act_send_poke(sim_ctx *c) {
    int64_t gid, uid, target;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_i64(c, "group_id", 0, &gid) ||
        !sim_opt_i64(c, "target_id", 0, &target))
        return SIM_ERR;
    if (!target) target = uid;
    if (!gid) return sim_act_friend_poke(c);
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    int r = sim_member_load(c, gid, target, NULL);
    if (r < 0) return sim_db_fail(c);
    sim_data_absent(c);
    if (r == 0)
        return sim_false_success(c, "group_poke: user %lld is not in group %lld", (long long)target, (long long)gid);
    ob__jw *w = sim_group_notice_begin(c, "notify", "poke", gid, sim_self_id(c));
    ob__jw_key_int(w, "target_id", target);
    sim_write_poke_raw_info(w, sim_self_id(c), target);
    sim_event_end(c);
    return SIM_OK;
}
