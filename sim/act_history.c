/* Message history, forwards and read marks, as NapCat v4.18 serves them
 * (docs/simulator.md, "History, forwards, reactions, pokes"):
 * get_group_msg_history, the forwards (send_group_forward_msg,
 * send_forward_msg to a group, send_group_msg with node segments,
 * get_forward_msg) and mark_group_msg_as_read, mark_msg_as_read,
 * _mark_all_as_read.
 *
 * A forward is stored as its nodes (table forward_nodes) under a res_id; the
 * message that carries it is one segment {"type":"forward","data":{"id":
 * res_id}}, which is also what its group message event shows (NapCat's
 * parseMultMsg is off for events). The readers (get_msg, the history,
 * get_forward_msg) show the nodes as whole messages in data.content, as
 * NapCat does with parse_mult_msg. */
#include "sim_actions.h"
#include "sim_surface.h"
#include <onebot/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NapCat stops building nested forwards at three levels, and so do the readers here. */
#define FORWARD_DEPTH 3
/* Inner messages one read renders at most: forwards of forwards multiply. */
#define FORWARD_RENDER_BUDGET 2000

static const char mixed_nodes[] = "转发消息不能和普通消息混在一起发送,转发需要保证message只有type为node的元素";

/* ------------------------------------------------------------------ building */

static bool is_node(const ob__jdoc *d, int e) {
    return d->tok[e].type == JSMN_OBJECT && ob__jeq(d, ob__jget(d, e, "type"), "node");
}

/* How many of the segments at token t (an array, or one segment object) are nodes; *total: how many there are. */
static int count_nodes(const ob__jdoc *d, int t, int *total) {
    if (d->tok[t].type == JSMN_OBJECT) return *total = 1, is_node(d, t);
    *total = 0;
    if (d->tok[t].type != JSMN_ARRAY) return 0;
    int n = 0;
    for (int i = 0, e = t + 1; i < d->tok[t].size; i++, e = ob__jskip(d, e)) n += is_node(d, e);
    *total = d->tok[t].size;
    return n;
}

/* A value as NapCat's Number(x): an integer or numeric string; else 0. */
static int64_t number_or_zero(const ob__jdoc *d, int t) {
    int64_t v = 0;
    if (t < 0 || (d->tok[t].type != JSMN_PRIMITIVE && d->tok[t].type != JSMN_STRING) || ob__jint(d, t, &v) != OB_OK)
        return 0;
    return v;
}

/* NapCat's `if (!node.data.id)`: absent, null, false, "" and 0 are false. */
static bool truthy(const ob__jdoc *d, int t) {
    if (t < 0 || ob__jis_null(d, t)) return false;
    if (d->tok[t].type == JSMN_STRING) return ob__jlen(d, t) > 0;
    if (d->tok[t].type != JSMN_PRIMITIVE) return true;
    const char *s = ob__jstart(d, t); /* the text goes on past the token, with a delimiter */
    return *s == 't' || (*s != 'f' && strtod(s, NULL) != 0);
}

static unsigned hex_value(char ch) { return ch <= '9' ? (unsigned)(ch - '0') : (unsigned)(ch - 'a' + 10); }

/* QQ's resids are base64 text; the leading letter keeps one from looking
   like a message id to get_forward_msg (NapCat's isNumeric). */
static const char *new_res_id(sim_ctx *c) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char hex[97], *id = sim_ctx_alloc(c, 49);
    if (!id) return NULL;
    sim_random_hex(c, hex, 96);
    for (int i = 0; i < 48; i++) id[i] = b64[(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1])) % (i ? 64 : 52)];
    id[48] = '\0';
    return id;
}

/* Moves a segment array and its CQ text into one block the ctx owns (*segs,
   *raw) and frees both buffers. False on OOM. */
static bool keep_message(sim_ctx *c, ob__buf *segs_buf, ob__buf *raw_buf, const char **segs, const char **raw) {
    ob__buf_putc(segs_buf, '\0');
    ob__buf_putc(raw_buf, '\0');
    char *a = segs_buf->oom || raw_buf->oom ? NULL : sim_ctx_alloc(c, segs_buf->len + raw_buf->len);
    if (a) {
        memcpy(a, segs_buf->p, segs_buf->len);
        memcpy(a + segs_buf->len, raw_buf->p, raw_buf->len);
        *segs = a;
        *raw = a + segs_buf->len;
    }
    ob__buf_free(segs_buf);
    ob__buf_free(raw_buf);
    return a != NULL;
}

typedef struct node_sender {
    int64_t user_id;
    const char *nickname;
} node_sender;

static bool store_forward(sim_ctx *c, int t, int64_t gid, const node_sender *parent, int depth, const char **res_id);

static bool forward_segment(sim_ctx *c, const char *res_id, const char **segs, const char **raw) {
    ob__jw w = {0};
    ob__buf r = {0};
    ob__jw_arr(&w);
    sim_segment_open(&w, &r, "forward");
    ob__jw_key_str(&w, "id", res_id);
    ob__buf_puts(&r, ",id=");
    sim_cq_escape(&r, res_id, strlen(res_id), true);
    sim_segment_close(&w, &r);
    ob__jw_arr_end(&w);
    return keep_message(c, &w.b, &r, segs, raw) || (sim_fail(c, SIM_RC_REFUSED, "out of memory"), false);
}

/* A node written here: {user_id|uin, nickname|name, content, time}. A
   content made of nodes is a nested forward (its other segments are
   dropped, as NapCat's packet path does). */
static bool custom_node(sim_ctx *c, int data, int64_t gid, const node_sender *parent, int depth, sim_message *out) {
    const ob__jdoc *d = sim_params_doc(c);
    int k[6];
    ob__jget_many(d, data, (const char *const[]){"user_id", "uin", "nickname", "name", "content", "time"}, k, 6);
    int64_t uid = number_or_zero(d, k[0] >= 0 ? k[0] : k[1]);
    node_sender me = {uid > 0 ? uid : parent ? parent->user_id : sim_self_id(c), NULL};
    for (int i = 2; i <= 3 && !me.nickname; i++) {
        const char *s;
        if (k[i] < 0 || ob__jis_null(d, k[i])) continue;
        if (!sim_tok_str(c, i == 2 ? "nickname" : "name", k[i], SIM_MAX_NAME, &s)) return false;
        if (*s) me.nickname = s;
    }
    if (!me.nickname) me.nickname = parent ? parent->nickname : "QQ用户";
    if (k[4] < 0 || ob__jis_null(d, k[4]))
        return sim_fail(c, SIM_RC_REFUSED, "发送伪造合并转发消息失败: a node needs data.id or data.content"), false;
    int64_t when = number_or_zero(d, k[5]);
    *out = (sim_message){.user_id = me.user_id, .time = when > 0 ? when : sim_now(c), .nickname = me.nickname};
    int total;
    if (count_nodes(d, k[4], &total) == 0)
        return sim_message_tok(c, "content", k[4], false, &out->segments_json, &out->raw_message);
    const char *inner = NULL;
    if (!store_forward(c, k[4], gid, &me, depth + 1, &inner)) return false;
    if (inner) return forward_segment(c, inner, &out->segments_json, &out->raw_message);
    out->segments_json = "[]"; /* nothing left to nest: an empty message, as NapCat sends it */
    out->raw_message = "";
    return true;
}

/* Stores the nodes among the segments at token t as a forward for group
   gid. *res_id: its id, or NULL when no node was usable (unknown message
   ids are skipped, as NapCat does; past FORWARD_DEPTH nothing is built). */
static bool store_forward(sim_ctx *c, int t, int64_t gid, const node_sender *parent, int depth, const char **res_id) {
    const ob__jdoc *d = sim_params_doc(c);
    *res_id = NULL;
    if (depth >= FORWARD_DEPTH) {
        sim_log(c, "warning: forward nested deeper than %d levels: the inner levels are dropped, as NapCat does",
                FORWARD_DEPTH);
        return true;
    }
    const char *res = new_res_id(c);
    if (!res) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
    int n = d->tok[t].type == JSMN_ARRAY ? d->tok[t].size : 1, seq = 0;
    for (int i = 0, e = d->tok[t].type == JSMN_ARRAY ? t + 1 : t; i < n; i++, e = ob__jskip(d, e)) {
        if (!is_node(d, e)) continue;
        int data = ob__jget(d, e, "data");
        if (data < 0 || d->tok[data].type != JSMN_OBJECT)
            return sim_fail(c, SIM_RC_BAD_PARAM, "a node segment needs data as an object"), false;
        int idt = ob__jget(d, data, "id");
        sim_message m;
        if (truthy(d, idt)) {
            int64_t mid = number_or_zero(d, idt);
            int r = mid > 0 ? sim_message_load(c, mid, &m) : 0;
            if (r < 0) return sim_db_fail(c), false;
            if (r == 0 || m.recalled) {
                sim_log(c, "warning: 转发消息失败，未找到消息 %.*s: node skipped, as NapCat does",
                        (int)ob__jlen(d, idt), ob__jstart(d, idt));
                continue;
            }
            m.nickname = sim_display_name(c, m.group_id, m.user_id);
        } else if (!custom_node(c, data, gid, parent, depth, &m)) {
            return false;
        }
        int64_t view_id = sim_next_id(c, "message_id");
        if (view_id < 0 || !sim_sql_exec(c,
                                         "INSERT INTO forward_nodes(res_id,seq,group_id,message_id,user_id,nickname,"
                                         "time,segments,raw_message) VALUES(?,?,?,?,?,?,?,?,?)",
                                         "siiiisiss", res, (int64_t)seq, gid, view_id, m.user_id, m.nickname, m.time,
                                         m.segments_json, m.raw_message))
            return sim_db_fail(c), false;
        seq++;
    }
    if (seq > 0) *res_id = res;
    return true;
}

bool sim_group_message_param(sim_ctx *c, const char *key, bool auto_escape, int64_t group_id,
                             const char **segments_json, const char **raw_message, const char **res_id) {
    int t = sim_param_tok(c, key);
    int total, nodes = t >= 0 ? count_nodes(sim_params_doc(c), t, &total) : 0;
    if (nodes == 0) return sim_message_param(c, key, auto_escape, segments_json, raw_message);
    if (nodes != total) return sim_fail(c, SIM_RC_BAD_PARAM, "%s", mixed_nodes), false;
    const char *res;
    if (!store_forward(c, t, group_id, NULL, 0, &res)) return false;
    if (!res) return sim_fail(c, SIM_RC_REFUSED, "发送伪造合并转发消息失败: Error: 转发消息失败，生成节点为空"), false;
    if (res_id) *res_id = res;
    return forward_segment(c, res, segments_json, raw_message);
}

/* ------------------------------------------------------------------ reading */

/* The res_id of the forward segment that starts segments (ctx-owned), or
   NULL; *only: it is the only segment. */
static const char *forward_id_of(sim_ctx *c, const char *segments, bool *only) {
    if (!strstr(segments, "\"forward\"")) return NULL; /* most messages: no parse */
    ob__jdoc d = {0};
    const char *id = NULL;
    if (ob__jdoc_parse(&d, segments, strlen(segments)) == OB_OK && d.tok[0].type == JSMN_ARRAY && d.tok[0].size > 0 &&
        d.tok[1].type == JSMN_OBJECT && ob__jeq(&d, ob__jget(&d, 1, "type"), "forward")) {
        int data = ob__jget(&d, 1, "data");
        int t = data >= 0 ? ob__jget(&d, data, "id") : -1;
        char *s = t >= 0 && d.tok[t].type != JSMN_OBJECT && d.tok[t].type != JSMN_ARRAY
                      ? sim_ctx_alloc(c, ob__jlen(&d, t) + 1)
                      : NULL;
        if (s && ob__junescape(&d, t, s) >= 0) id = s;
        *only = d.tok[0].size == 1;
    }
    ob__jdoc_free(&d);
    return id;
}

static bool write_message(sim_ctx *c, ob__jw *w, const sim_message *m, int depth, int *budget);

/* The nodes of forward res as message objects, an array into w. 1 written,
   0 no such forward (nothing written), -1 DB error or OOM. */
static int write_forward_content(sim_ctx *c, ob__jw *w, const char *res, int depth, int *budget, int *count) {
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT message_id, group_id, user_id, time, segments, raw_message, 0, nickname"
                                     " FROM forward_nodes WHERE res_id=? ORDER BY seq",
                                     "s", res);
    if (!st) return -1;
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sim_message m;
        const char *nick = sim_sql_text(c, st, 7);
        if (!nick || !sim_message_from_row(c, st, &m)) break;
        m.nickname = nick;
        if (n++ == 0) ob__jw_arr(w);
        (*budget)--;
        if (!write_message(c, w, &m, depth + 1, budget)) break;
    }
    if (rc == SQLITE_DONE && n > 0) ob__jw_arr_end(w);
    sqlite3_finalize(st);
    *count = n;
    return rc != SQLITE_DONE ? -1 : n > 0;
}

/* m's forward with its content, or m untouched (not a forward, too deep,
   over budget, or naming no stored forward). */
static bool expand(sim_ctx *c, sim_message *m, int depth, int *budget) {
    bool only = false;
    const char *res = forward_id_of(c, m->segments_json, &only);
    if (!res || !only || depth >= FORWARD_DEPTH || *budget <= 0) return true;
    ob__jw w = {0};
    ob__jw_arr(&w);
    ob__jw_obj(&w);
    ob__jw_key_str(&w, "type", "forward");
    ob__jw_key(&w, "data");
    ob__jw_obj(&w);
    ob__jw_key_str(&w, "id", res);
    ob__jw_key(&w, "content");
    int n = 0, r = write_forward_content(c, &w, res, depth, budget, &n);
    if (r != 1) {
        ob__buf_free(&w.b);
        return r == 0;
    }
    ob__jw_obj_end(&w);
    ob__jw_obj_end(&w);
    ob__jw_arr_end(&w);
    /* NapCat's encodeCQCode writes the content array with its toString(),
       "[object Object]" per message, escaped. */
    ob__buf raw = {0};
    ob__buf_puts(&raw, "[CQ:forward,id=");
    sim_cq_escape(&raw, res, strlen(res), true);
    for (int i = 0; i < n; i++)
        ob__buf_puts(&raw, i ? "&#44;&#91;object Object&#93;" : ",content=&#91;object Object&#93;");
    ob__buf_puts(&raw, "]");
    return keep_message(c, &w.b, &raw, &m->segments_json, &m->raw_message);
}

/* One message object as the readers show it. */
static bool write_message(sim_ctx *c, ob__jw *w, const sim_message *m, int depth, int *budget) {
    sim_message x = *m;
    if (!expand(c, &x, depth, budget)) return false;
    ob__jw_obj(w);
    sim_write_message_object(c, w, &x);
    ob__jw_obj_end(w);
    return true;
}

bool sim_forward_expand(sim_ctx *c, sim_message *m) {
    int budget = FORWARD_RENDER_BUDGET;
    return expand(c, m, 0, &budget);
}

int sim_history_reply(sim_ctx *c, const char *select, sim_history_row_fn row) {
    const char *seq;
    int64_t count, anchor = INT64_MAX, one;
    bool rev, rev_old, parse_mult;
    if (!sim_opt_str(c, "message_seq", NULL, 64, &seq) || !sim_opt_i64(c, "count", 20, &count) ||
        !sim_opt_bool(c, "reverse_order", false, &rev) || !sim_opt_bool(c, "reverseOrder", false, &rev_old) ||
        !sim_opt_bool(c, "parse_mult_msg", true, &parse_mult))
        return SIM_ERR;
    rev = rev || rev_old;
    bool from = seq && *seq && strcmp(seq, "0") != 0;
    char sql[2048];
    if (from) {
        char *end = NULL;
        anchor = strtoll(seq, &end, 10);
        snprintf(sql, sizeof sql, "SELECT 1 FROM (%s) WHERE message_id=?", select);
        /* QQ finds nothing from an id that is not in this chat */
        int r = *end == '\0' && anchor > 0 ? sim_sql_i64(c, &one, sql, "i", anchor) : 0;
        if (r < 0) return sim_db_fail(c);
        if (r == 0) count = 0;
    }
    /* Pick the window from the right end, then list it oldest first. */
    if (from && !rev)
        snprintf(sql, sizeof sql, "%s AND recalled=0 AND message_id>=? ORDER BY message_id LIMIT ?", select);
    else
        snprintf(sql, sizeof sql,
                 "SELECT * FROM (%s AND recalled=0 AND message_id<=? ORDER BY message_id DESC LIMIT ?)"
                 " ORDER BY message_id",
                 select);
    sqlite3_stmt *st = count > 0 ? sim_sql_query(c, sql, "ii", anchor, count) : NULL;
    if (count > 0 && !st) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    int rc = SQLITE_DONE, n = 0, budget = parse_mult ? FORWARD_RENDER_BUDGET : 0;
    bool ok = true;
    while (ok && st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == 0) {
            ob__jw_obj(w);
            ob__jw_key(w, "messages");
            ob__jw_arr(w);
        }
        ok = row(c, w, st, &budget);
    }
    sqlite3_finalize(st);
    if (!ok || rc != SQLITE_DONE) return sim_db_fail(c);
    if (n == 0) return sim_fail(c, SIM_RC_REFUSED, "消息%s不存在", seq ? seq : "undefined");
    ob__jw_arr_end(w);
    ob__jw_obj_end(w);
    return SIM_OK;
}

static bool group_history_row(sim_ctx *c, ob__jw *w, sqlite3_stmt *st, int *budget) {
    sim_message m;
    return sim_message_from_row(c, st, &m) && write_message(c, w, &m, 0, budget);
}

/* get_group_msg_history {group_id, message_seq, count=20, reverse_order |
 * reverseOrder, parse_mult_msg=true} → {messages:[...]}: sim_history_reply
 * over the group's messages. */
int sim_act_get_group_msg_history(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    char select[256];
    snprintf(select, sizeof select, SIM_MESSAGE_SELECT "WHERE group_id=%lld", (long long)gid);
    return sim_history_reply(c, select, group_history_row);
}

/* get_forward_msg {message_id | id} → {messages:[...]}: the nodes of a
 * forward, by the id of the message that carries it or by its res_id (the
 * data.id of a forward segment, what sending returned). */
int sim_act_get_forward_msg(sim_ctx *c) {
    const char *mid, *id;
    if (!sim_opt_str(c, "message_id", "", 64, &mid) || !sim_opt_str(c, "id", "", SIM_MAX_NAME, &id)) return SIM_ERR;
    const char *key = *mid ? mid : id, *res = key;
    if (!*key) return sim_fail(c, SIM_RC_REFUSED, "message_id is required");
    bool numeric = strspn(key, "0123456789") == strlen(key);
    if (numeric) {
        /* NapCat reads the message's first segment; a recalled or unknown
           message, or one that is not a forward, is "expired". */
        sqlite3_stmt *st = sim_sql_query(c,
                                         "SELECT segments FROM messages WHERE message_id=?1 AND recalled=0 UNION ALL"
                                         " SELECT segments FROM private_messages WHERE message_id=?1 AND recalled=0"
                                         " AND bot_id=?2",
                                         "ii", (int64_t)strtoll(key, NULL, 10), sim_self_id(c));
        if (!st) return sim_db_fail(c);
        int rc = sqlite3_step(st);
        const char *segs = rc == SQLITE_ROW ? sim_sql_text(c, st, 0) : NULL;
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sim_db_fail(c);
        bool only;
        res = segs ? forward_id_of(c, segs, &only) : NULL;
    }
    int budget = FORWARD_RENDER_BUDGET, n = 0;
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key(w, "messages");
    int r = res ? write_forward_content(c, w, res, 0, &budget, &n) : 0;
    if (r < 0) return sim_db_fail(c);
    if (r == 0 && numeric) return sim_fail(c, SIM_RC_REFUSED, "消息已过期或者为内层消息，无法获取转发消息");
    if (r == 0) return sim_fail(c, SIM_RC_REFUSED, "protocolFallbackLogic: 找不到相关的聊天记录");
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* send_group_forward_msg {group_id, messages (or message)}: send_group_msg
 * with node segments. Without node segments the message is sent as it is,
 * as NapCat does. */
int sim_act_send_group_forward_msg(sim_ctx *c) {
    return sim_send_group_message(c, sim_has(c, "messages") ? "messages" : "message");
}

/* send_forward_msg {message_type, group_id, user_id, messages (or
 * message)}: send_msg's targets (act_friends.c) with node segments. */
int sim_act_send_forward_msg(sim_ctx *c) {
    return sim_send_message(c, NULL, sim_has(c, "messages") ? "messages" : "message");
}

/* ------------------------------------------------------------------ read marks */

/* Records that the bot has read group gid up to its newest message. */
static bool mark_group_read(sim_ctx *c, int64_t gid) {
    return sim_sql_exec(c,
                        "INSERT INTO read_marks(bot_id,group_id,message_id,time) VALUES(?,?,"
                        "coalesce((SELECT max(message_id) FROM messages WHERE group_id=?),0),?)"
                        " ON CONFLICT(bot_id,group_id) DO UPDATE SET message_id=excluded.message_id,"
                        " time=excluded.time",
                        "iiii", sim_self_id(c), gid, gid, sim_now(c));
}

/* mark_msg_as_read and mark_group_msg_as_read {message_id | user_id |
 * group_id}: the chat of the group message (when it is known), else the
 * private chat of user_id (ok for anyone QQ knows; no mark is kept for
 * private chats), else the group. */
int sim_act_mark_msg_as_read(sim_ctx *c) {
    int64_t mid, uid, gid;
    if (!sim_opt_i64(c, "message_id", 0, &mid) || !sim_opt_i64(c, "user_id", 0, &uid) ||
        !sim_opt_i64(c, "group_id", 0, &gid))
        return SIM_ERR;
    sim_message m;
    int r = mid > 0 ? sim_message_load(c, mid, &m) : 0;
    if (r < 0) return sim_db_fail(c);
    if (r == 1) {
        gid = m.group_id;
    } else if (uid) {
        int known = sim_user_known(c, uid);
        if (known < 0) return SIM_ERR;
        return known ? SIM_OK : sim_fail(c, SIM_RC_REFUSED, "私聊%lld不存在", (long long)uid);
    } else if (gid == 0) {
        return sim_fail(c, SIM_RC_REFUSED, "缺少参数 group_id 或 user_id");
    }
    if (sim_bot_role(c, gid) == SIM_ROLE_NONE)
        return sim_fail(c, SIM_RC_REFUSED, "设置已读失败,群%lld不存在", (long long)gid);
    return mark_group_read(c, gid) ? SIM_OK : sim_db_fail(c);
}

/* _mark_all_as_read: every group of the bot. */
int sim_act_mark_all_as_read(sim_ctx *c) {
    sqlite3_stmt *st = sim_sql_query(c, "SELECT group_id FROM members WHERE user_id=?", "i", sim_self_id(c));
    if (!st) return sim_db_fail(c);
    int rc;
    bool ok = true;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) ok = mark_group_read(c, sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return ok && rc == SQLITE_DONE ? SIM_OK : sim_db_fail(c);
}
