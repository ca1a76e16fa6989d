/* Private chat, as NapCat v4.18 handles it: private messages (friend chats
 * and temporary chats through a group; forwards too, stored by
 * act_history.c), send_msg's target rules, the private history, get_msg and
 * delete_msg for private message ids, friend pokes, and the control actions
 * that make the world's people write to and poke the bot
 * (docs/simulator.md, "Friends and private chat"). Private messages take
 * their ids from the same counter as group messages, so a message id names
 * one message whatever chat it is in. */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool in_group(sim_ctx *c, int64_t gid, int64_t uid) { return sim_member_load(c, gid, uid, NULL) == 1; }

typedef struct private_msg {
    int64_t message_id, user_id, sender_id, group_id, time;
    const char *segments_json, *raw_message, *sender_nickname;
    bool recalled;
} private_msg;

/* Private messages with their sender's nickname; private_from_row reads a row. */
#define PRIVATE_SELECT \
    "SELECT p.message_id, p.user_id, p.sender_id, p.group_id, p.time, p.segments, p.raw_message," \
    " coalesce(u.nickname,''), p.recalled FROM private_messages p LEFT JOIN users u ON u.user_id=p.sender_id "

/* False on OOM. */
static bool private_from_row(sim_ctx *c, sqlite3_stmt *st, private_msg *m) {
    *m = (private_msg){.message_id = sqlite3_column_int64(st, 0),
                       .user_id = sqlite3_column_int64(st, 1),
                       .sender_id = sqlite3_column_int64(st, 2),
                       .group_id = sqlite3_column_int64(st, 3),
                       .time = sqlite3_column_int64(st, 4),
                       .segments_json = sim_sql_text(c, st, 5),
                       .raw_message = sim_sql_text(c, st, 6),
                       .sender_nickname = sim_sql_text(c, st, 7),
                       .recalled = sqlite3_column_int(st, 8) != 0};
    return m->segments_json && m->raw_message && m->sender_nickname;
}

/* The fields of a private message. envelope: the keys get_msg and the
 * history carry and an event has from sim_event_begin (self_id, time,
 * message_type, sub_type, post_type); an event adds target_id (the peer). */
static void write_private_fields(sim_ctx *c, ob__jw *w, const private_msg *m, bool envelope) {
    bool self = m->sender_id == sim_self_id(c);
    if (envelope) ob__jw_key_int(w, "self_id", sim_self_id(c));
    ob__jw_key_int(w, "user_id", m->sender_id);
    if (envelope) ob__jw_key_int(w, "time", m->time);
    ob__jw_key_int(w, "message_id", m->message_id);
    ob__jw_key_int(w, "message_seq", m->message_id);
    ob__jw_key_int(w, "real_id", m->message_id);
    sim_key_int_str(w, "real_seq", m->message_id);
    if (envelope) ob__jw_key_str(w, "message_type", "private");
    ob__jw_key(w, "sender");
    ob__jw_obj(w);
    ob__jw_key_int(w, "user_id", m->sender_id);
    ob__jw_key_str(w, "nickname", m->sender_nickname ? m->sender_nickname : "");
    ob__jw_key_str(w, "card", "");
    ob__jw_obj_end(w);
    ob__jw_key_str(w, "raw_message", m->raw_message);
    ob__jw_key_int(w, "font", 14);
    if (envelope) ob__jw_key_str(w, "sub_type", m->group_id ? "group" : "friend");
    ob__jw_key(w, "message");
    ob__jw_raw(w, m->segments_json, strlen(m->segments_json));
    ob__jw_key_str(w, "message_format", "array");
    if (envelope) {
        ob__jw_key_str(w, "post_type", self ? "message_sent" : "message");
        if (self) ob__jw_key_str(w, "message_sent_type", "self");
    }
    if (m->group_id) { /* a temporary chat: where it comes from */
        ob__jw_key_int(w, "group_id", m->group_id);
        ob__jw_key_int(w, "temp_source", 0);
    }
    if (!envelope) ob__jw_key_int(w, "target_id", m->user_id);
}

/* Stores a private message in the chat with user_id (group_id: 0 for a
 * friend chat, the group of a temporary one) and returns its id, or -1
 * with the failure recorded. A message the user sent is followed by a
 * private message event (the bot's own, as in groups, by none). */
static int64_t private_add(sim_ctx *c, int64_t user_id, int64_t sender_id, int64_t group_id, const char *segs,
                           const char *raw) {
    int64_t id = sim_next_id(c, "message_id");
    int64_t now = sim_now(c);
    if (id < 0 || !sim_sql_exec(c,
                                "INSERT INTO private_messages(message_id,bot_id,user_id,sender_id,group_id,time,"
                                "segments,raw_message) VALUES(?,?,?,?,?,?,?,?)",
                                "iiiiiiss", id, sim_self_id(c), user_id, sender_id, group_id, now, segs, raw))
        return sim_db_fail(c), -1;
    if (sender_id != sim_self_id(c)) {
        const char *nick = sim_user_nickname(c, sender_id);
        if (!nick) return -1;
        private_msg m = {id, user_id, sender_id, group_id, now, segs, raw, nick, false};
        ob__jw *w = sim_event_begin(c, "message", "private", group_id ? "group" : "friend");
        write_private_fields(c, w, &m, false);
        sim_event_end(c);
    }
    return id;
}

/* The group of the last temporary chat with uid that both sides are still
 * in (NapCat's getTempChatInfo), 0 when none; -1 on a DB error. */
static int64_t temp_chat_group(sim_ctx *c, int64_t uid) {
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT group_id FROM private_messages WHERE bot_id=? AND user_id=?"
                                     " AND group_id<>0 GROUP BY group_id ORDER BY max(message_id) DESC",
                                     "ii", sim_self_id(c), uid);
    if (!st) return -1;
    int64_t found = 0;
    int rc = SQLITE_DONE;
    while (!found && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t gid = sqlite3_column_int64(st, 0);
        if (in_group(c, gid, uid) && in_group(c, gid, sim_self_id(c))) found = gid;
    }
    sqlite3_finalize(st);
    return found || rc == SQLITE_DONE ? found : -1;
}

/* What QQ does with a message to someone it will not deliver to: NapCat
 * waits for a send that never succeeds. */
static int undeliverable(sim_ctx *c, int64_t uid) {
    return sim_fail(c, SIM_RC_REFUSED,
                    "Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg "
                    "ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{\n    \"result\": 0,\n"
                    "    \"errMsg\": \"\"\n}\n"
                    "发送失败 / not delivered: user %lld is not the bot's friend and no group_id names a group "
                    "both are in (a temporary chat goes through a common group)",
                    (long long)uid);
}

/* The chat a message from the bot to uid (a user QQ knows) goes into: a
 * friend gets the friend chat (*via 0), whatever gid says; someone else a
 * temporary chat through gid when both are in it, or through the group of
 * an earlier temporary chat. True when there is one; else QQ does not
 * deliver and the failure is recorded. */
static bool private_route(sim_ctx *c, int64_t uid, int64_t gid, int64_t *via) {
    int f = sim_is_friend(c, uid);
    if (f < 0) return false;
    *via = 0;
    if (f == 1) return true;
    if (gid) *via = in_group(c, gid, uid) && in_group(c, gid, sim_self_id(c)) ? gid : 0;
    else *via = temp_chat_group(c, uid);
    if (*via < 0) return sim_db_fail(c), false;
    if (*via == 0) return undeliverable(c, uid), false;
    return true;
}

int64_t sim_private_send(sim_ctx *c, int64_t uid, const char *segs, const char *raw) {
    int64_t via;
    return private_route(c, uid, 0, &via) ? private_add(c, uid, sim_self_id(c), via, segs, raw) : -1;
}

/* NapCat's createContext + send for a private target (user_id given): the
 * chat private_route finds; a number QQ cannot resolve goes to group_id as
 * a group message (NapCat's fallback), else fails. The message under key
 * may be node segments: a forward (act_history.c stores it, group_id 0),
 * and the reply adds its res_id, as for a group. */
static int send_private(sim_ctx *c, int64_t uid, int64_t gid, const char *key) {
    bool auto_escape;
    const char *segs, *raw, *res_id = NULL;
    int known = sim_user_known(c, uid);
    if (known < 0) return SIM_ERR;
    if (known == 0 || uid == sim_self_id(c)) {
        if (gid) return sim_send_group_message(c, key);
        return sim_fail(c, SIM_RC_REFUSED, "无法获取用户信息");
    }
    int64_t via;
    if (!private_route(c, uid, gid, &via)) return SIM_ERR;
    if (!sim_opt_bool(c, "auto_escape", false, &auto_escape) ||
        !sim_group_message_param(c, key, auto_escape, 0, &segs, &raw, &res_id))
        return SIM_ERR;
    int64_t id = private_add(c, uid, sim_self_id(c), via, segs, raw);
    if (id < 0) return SIM_ERR;
    return sim_sent_reply(c, id, res_id);
}

int sim_send_message(sim_ctx *c, const char *mode, const char *key) {
    int64_t uid = 0, gid = 0;
    if (!mode && !sim_opt_str(c, "message_type", NULL, 16, &mode)) return SIM_ERR;
    if (mode && strcmp(mode, "private") && strcmp(mode, "group"))
        return sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: message_type: Expected union value");
    if (!sim_opt_i64(c, "user_id", 0, &uid) || !sim_opt_i64(c, "group_id", 0, &gid)) return SIM_ERR;
    if (!sim_has(c, key))
        return sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected required property", key);
    bool to_group = !mode || strcmp(mode, "group") == 0, to_user = !mode || strcmp(mode, "private") == 0;
    if (to_group && gid) return sim_send_group_message(c, key);
    if (to_user && uid) return send_private(c, uid, gid, key);
    if (to_user && gid) return sim_fail(c, SIM_RC_REFUSED, "当前私聊发送,请指定 user_id 而不是 group_id");
    if (to_group && uid) return sim_fail(c, SIM_RC_REFUSED, "当前群聊发送,请指定 group_id 而不是 user_id");
    return sim_fail(c, SIM_RC_REFUSED, "请指定正确的 group_id 或 user_id");
}

/* send_private_msg {user_id, message, auto_escape, group_id (temporary chat)} → {message_id} */
int sim_act_send_private_msg(sim_ctx *c) { return sim_send_message(c, "private", "message"); }

/* send_msg {message_type, user_id, group_id, message, auto_escape} → {message_id} */
int sim_act_send_msg(sim_ctx *c) { return sim_send_message(c, NULL, "message"); }

/* send_private_forward_msg {user_id, messages (or message)}: send_private_msg
 * with node segments → {message_id, res_id, forward_id}. */
int sim_act_send_private_forward_msg(sim_ctx *c) {
    return sim_send_message(c, "private", sim_has(c, "messages") ? "messages" : "message");
}

/* One private message object as get_msg and the history show it; a
 * forward with its content while *budget lasts. */
static bool write_private_message(sim_ctx *c, ob__jw *w, private_msg *m, int *budget) {
    if (*budget > 0) {
        sim_message x = {.message_id = m->message_id,
                         .user_id = m->sender_id,
                         .time = m->time,
                         .segments_json = m->segments_json,
                         .raw_message = m->raw_message};
        if (!sim_forward_expand(c, &x)) return false;
        m->segments_json = x.segments_json;
        m->raw_message = x.raw_message;
    }
    ob__jw_obj(w);
    write_private_fields(c, w, m, true);
    return true;
}

static bool private_history_row(sim_ctx *c, ob__jw *w, sqlite3_stmt *st, int *budget) {
    private_msg m;
    bool ok = private_from_row(c, st, &m) && write_private_message(c, w, &m, budget);
    if (ok) ob__jw_obj_end(w);
    return ok;
}

/* get_friend_msg_history {user_id, message_seq, count=20, reverse_order |
 * reverseOrder, parse_mult_msg=true, disable_get_url, quick_reply}: the
 * chat NapCat opens (the friend chat for a friend, the temporary chat for
 * anyone else), as get_group_msg_history (sim_history_reply). An unknown
 * user: NapCat's 记录<user_id>不存在. */
int sim_act_get_friend_msg_history(sim_ctx *c) {
    int64_t uid;
    bool b;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_bool(c, "disable_get_url", false, &b) ||
        !sim_opt_bool(c, "quick_reply", false, &b))
        return SIM_ERR;
    int known = sim_user_known(c, uid), f = known == 1 ? sim_is_friend(c, uid) : 0;
    if (known < 0 || f < 0) return SIM_ERR;
    if (known == 0) return sim_fail(c, SIM_RC_REFUSED, "记录%lld不存在", (long long)uid);
    char select[512];
    snprintf(select, sizeof select, PRIVATE_SELECT "WHERE p.bot_id=%lld AND p.user_id=%lld AND (p.group_id=0)=%d",
             (long long)sim_self_id(c), (long long)uid, f == 1);
    return sim_history_reply(c, select, private_history_row);
}

/* delete_msg of a private message: QQ recalls the bot's own within two
 * minutes (friend_recall notice, user_id the chat's peer); the other
 * side's, or an older one, it refuses. */
static int private_recall(sim_ctx *c, const private_msg *m) {
    if (m->sender_id != sim_self_id(c) || sim_now(c) - m->time > SIM_RECALL_OWN_SECONDS)
        return sim_fail(c, SIM_RC_REFUSED,
                        "Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/recallMsg "
                        "ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet: "
                        "{\"result\":1001,\"errMsg\":\"no permission\"}");
    if (!sim_sql_exec(c, "UPDATE private_messages SET recalled=1 WHERE message_id=?", "i", m->message_id))
        return sim_db_fail(c);
    ob__jw *w = sim_event_begin(c, "notice", "friend_recall", NULL);
    ob__jw_key_int(w, "user_id", m->user_id);
    ob__jw_key_int(w, "message_id", m->message_id);
    sim_event_end(c);
    return SIM_OK;
}

int sim_private_msg_action(sim_ctx *c, int64_t message_id, bool recall) {
    /* another bot's private chat is not this bot's to see: as unknown */
    sqlite3_stmt *st =
        sim_sql_query(c, PRIVATE_SELECT "WHERE p.message_id=? AND p.bot_id=?", "ii", message_id, sim_self_id(c));
    if (!st) return sim_db_fail(c);
    private_msg m;
    int rc = sqlite3_step(st);
    bool ok = rc == SQLITE_ROW && private_from_row(c, st, &m);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return 1;
    if (!ok) return sim_db_fail(c);
    if (m.recalled) return sim_fail(c, SIM_RC_REFUSED, recall ? "Recall failed" : "消息不存在或已被撤回");
    if (recall) return private_recall(c, &m);
    int budget = 1;
    ob__jw *w = sim_data(c);
    if (!write_private_message(c, w, &m, &budget) || !sim_write_emoji_likes(c, w, m.message_id)) return sim_db_fail(c);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ recent chats */

bool sim_private_contact(sim_ctx *c, ob__jw *w, int64_t message_id) {
    sqlite3_stmt *st =
        sim_sql_query(c, PRIVATE_SELECT "WHERE p.message_id=? AND p.bot_id=?", "ii", message_id, sim_self_id(c));
    private_msg m;
    bool ok = st && sqlite3_step(st) == SQLITE_ROW && private_from_row(c, st, &m);
    sqlite3_finalize(st);
    if (!ok) return false;
    st = sim_sql_query(c,
                       "SELECT u.nickname, coalesce(f.remark,'') FROM users u"
                       " LEFT JOIN friends f ON f.bot_id=? AND f.user_id=u.user_id WHERE u.user_id=?",
                       "ii", sim_self_id(c), m.user_id);
    const char *peer = st && sqlite3_step(st) == SQLITE_ROW ? sim_sql_text(c, st, 0) : NULL;
    const char *remark = peer ? sim_sql_text(c, st, 1) : NULL;
    sqlite3_finalize(st);
    if (!remark) return false;
    int budget = 0;
    ob__jw_obj(w);
    ob__jw_key(w, "lastestMsg");
    if (!write_private_message(c, w, &m, &budget)) return false;
    ob__jw_obj_end(w);
    sim_key_int_str(w, "peerUin", m.user_id);
    ob__jw_key_str(w, "remark", remark);
    sim_key_int_str(w, "msgTime", m.time);
    ob__jw_key_int(w, "chatType", m.group_id ? 100 : 1); /* NT: 1 a friend's chat, 100 a temporary one */
    sim_key_int_str(w, "msgId", m.message_id);
    ob__jw_key_str(w, "sendNickName", m.sender_nickname);
    ob__jw_key_str(w, "sendMemberName", "");
    ob__jw_key_str(w, "peerName", peer);
    ob__jw_obj_end(w);
    return true;
}

/* ------------------------------------------------------------------ pokes */

/* The notify/poke notice of a private chat (NapCat's OB11FriendPokeEvent):
 * user_id is the chat's peer, sender_id who poked, target_id who was
 * poked; raw_info the gray tip's items. */
static void emit_friend_poke(sim_ctx *c, int64_t peer, int64_t sender, int64_t target) {
    ob__jw *w = sim_event_begin(c, "notice", "notify", "poke");
    ob__jw_key_int(w, "target_id", target);
    ob__jw_key_int(w, "user_id", peer);
    sim_write_poke_raw_info(w, sender, target);
    ob__jw_key_int(w, "sender_id", sender);
    sim_event_end(c);
}

/* friend_poke {user_id, target_id (default: user_id)}: pokes in the chat
 * with user_id. NapCat sends the poke packet without reading the answer:
 * for someone who is no friend QQ does nothing and NapCat says ok (a false
 * success). With a group_id it is NapCat's group poke (one handler serves
 * friend_poke, group_poke and send_poke): act_social.c's. */
int sim_act_friend_poke(sim_ctx *c) {
    int64_t uid, target, gid;
    if (!sim_opt_i64(c, "group_id", 0, &gid)) return SIM_ERR;
    if (gid) return sim_act_send_poke(c);
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_i64(c, "target_id", uid, &target)) return SIM_ERR;
    sim_data_absent(c); /* NapCat's handler returns nothing */
    int f = sim_is_friend(c, uid);
    if (f < 0) return SIM_ERR;
    if (f == 0) return sim_false_success(c, "user %lld is not the bot's friend: QQ drops the poke", (long long)uid);
    if (target != uid && target != sim_self_id(c))
        return sim_false_success(c, "target %lld is not in the chat with %lld", (long long)target, (long long)uid);
    emit_friend_poke(c, uid, sim_self_id(c), target);
    return SIM_OK;
}

/* ------------------------------------------------------------------ control actions */

/* sim_friend_say {user_id, message, auto_escape=false, group_id} → {message_id}:
 * a friend writes to the bot (private message event, sub_type friend); with
 * group_id, someone in that group writes through a temporary chat
 * (sub_type group). */
int sim_act_sim_friend_say(sim_ctx *c) {
    int64_t uid, gid;
    bool auto_escape;
    const char *segs, *raw;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_i64(c, "group_id", 0, &gid) ||
        !sim_opt_bool(c, "auto_escape", false, &auto_escape))
        return SIM_ERR;
    if (!sim_positive_user(c, uid)) return SIM_ERR;
    if (!sim_message_param(c, "message", auto_escape, &segs, &raw)) return SIM_ERR;
    int f = sim_is_friend(c, uid);
    if (f < 0) return SIM_ERR;
    if (f == 1) gid = 0; /* QQ opens the friend chat */
    else if (!gid)
        return sim_fail(c, SIM_RC_REFUSED, "user %lld is not the bot's friend (sim_add_friend, or give a group_id)",
                        (long long)uid);
    else if (!in_group(c, gid, uid) || !in_group(c, gid, sim_self_id(c)))
        return sim_fail(c, SIM_RC_REFUSED, "user %lld and the bot are not both in group %lld", (long long)uid,
                        (long long)gid);
    int64_t id = private_add(c, uid, uid, gid, segs, raw);
    if (id < 0) return SIM_ERR;
    sim_data_int(c, "message_id", id);
    return SIM_OK;
}

/* sim_friend_poke {user_id, target_id=the bot}: a friend pokes in their chat
 * with the bot (notify/poke, sender_id the friend). */
int sim_act_sim_friend_poke(sim_ctx *c) {
    int64_t uid, target;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_i64(c, "target_id", sim_self_id(c), &target)) return SIM_ERR;
    if (!sim_positive_user(c, uid)) return SIM_ERR;
    int f = sim_is_friend(c, uid);
    if (f < 0) return SIM_ERR;
    if (f == 0) return sim_fail(c, SIM_RC_REFUSED, "user %lld is not the bot's friend", (long long)uid);
    if (target != uid && target != sim_self_id(c))
        return sim_fail(c, SIM_RC_BAD_PARAM, "target_id must be the bot or the friend");
    emit_friend_poke(c, uid, uid, target);
    return SIM_OK;
}
