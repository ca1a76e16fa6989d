/* Group messages, as NapCat v4.18 handles them: the message param in all its
 * forms (CQ-code string, one segment, a segment array) normalized to
 * segments plus their CQ-code text, storing a message (and its group
 * message event), loading it back, and the send_group_msg (node segments
 * make a forward: act_history.c), delete_msg (recall, with QQ's permission
 * rules) and get_msg actions. */
#include "sim_actions.h"
#include "sim_surface.h"
#include "text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_segment_types[] = {
    "text",     "at",   "reply", "face", "mface", "image",   "record",   "video", "file",    "json", "xml",
    "markdown", "dice", "rps",   "poke", "music", "contact", "location", "share", "forward", NULL,
};

static bool segment_type_known(const char *t) {
    for (int i = 0; known_segment_types[i]; i++)
        if (strcmp(known_segment_types[i], t) == 0) return true;
    return false;
}

static void seg_text(ob__jw *segs, ob__buf *raw, const char *text, size_t n) {
    ob__jw_obj(segs);
    ob__jw_key_str(segs, "type", "text");
    ob__jw_key(segs, "data");
    ob__jw_obj(segs);
    ob__jw_key(segs, "text");
    ob__jw_strn(segs, text, n);
    ob__jw_obj_end(segs);
    ob__jw_obj_end(segs);
    sim_cq_escape(raw, text, n, false);
}

/* A segment given as key/value strings: in its receive shape where it has
   one (sim_media.c), else as given, every value a string. */
static bool write_fields(sim_ctx *c, const char *type, const sim_seg_field *f, size_t n, ob__jw *segs, ob__buf *raw) {
    if (sim_segment_reshaped(type)) return sim_segment_receive(c, type, f, n, segs, raw);
    sim_segment_open(segs, raw, type);
    for (size_t i = 0; i < n; i++) {
        ob__jw_key_str(segs, f[i].key, f[i].value);
        ob__buf_putc(raw, ',');
        ob__buf_puts(raw, f[i].key);
        ob__buf_putc(raw, '=');
        sim_cq_escape(raw, f[i].value, strlen(f[i].value), true);
    }
    sim_segment_close(segs, raw);
    return true;
}

/* Parses a CQ-code string into segments. Unknown CQ types are refused. */
static bool parse_cq(sim_ctx *c, const char *s, ob__jw *segs, ob__buf *raw) {
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
            size_t l = ob__cq_unescape(tmp, text_end - i);
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
        sim_seg_field f[SIM_MAX_SEG_FIELDS];
        size_t nf = 0, p = tlen;
        while (p < blen && body[p] == ',') {
            p++;
            size_t plen = strcspn(body + p, ",]");
            if (plen > blen - p) plen = blen - p;
            const char *eq = memchr(body + p, '=', plen);
            if (eq) {
                size_t klen = (size_t)(eq - (body + p)), vlen = plen - klen - 1;
                char *key = sim_ctx_alloc(c, plen + 1), *val = key ? key + klen + 1 : NULL;
                if (!key) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
                if (klen == 0 || klen >= 64 || nf == SIM_MAX_SEG_FIELDS)
                    return sim_fail(c, SIM_RC_BAD_PARAM, "message: malformed CQ code parameter"), false;
                memcpy(key, body + p, klen);
                key[klen] = '\0';
                memcpy(val, eq + 1, vlen);
                val[ob__cq_unescape(val, vlen)] = '\0';
                f[nf++] = (sim_seg_field){key, val};
            }
            p += plen;
        }
        if (!write_fields(c, type, f, nf, segs, raw)) return false;
        i = (size_t)(close - s) + 1;
    }
    return true;
}

/* One segment object from the request: validated and copied. */
static bool copy_segment(sim_ctx *c, const ob__jdoc *d, int e, const char *key, ob__jw *segs, ob__buf *raw) {
    if (d->tok[e].type != JSMN_OBJECT)
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s: each segment must be an object {\"type\",\"data\"}", key), false;
    int tt = ob__jget(d, e, "type");
    if (tt < 0 || d->tok[tt].type != JSMN_STRING || ob__jlen(d, tt) > 32)
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s: a segment has no string \"type\"", key), false;
    char type[40];
    long tl = ob__junescape(d, tt, type);
    if (tl < 0 || (size_t)tl != strlen(type)) return sim_fail(c, SIM_RC_BAD_PARAM, "%s: bad segment type", key), false;
    if (strcmp(type, "node") == 0)
        return sim_fail(c, SIM_RC_REFUSED, "node segments (a forward) are not taken here"), false;
    if (!segment_type_known(type)) return sim_fail(c, SIM_RC_REFUSED, "未知的消息类型：%s", type), false;
    int dt = ob__jget(d, e, "data");
    if (dt >= 0 && ob__jis_null(d, dt)) dt = -1;
    if (dt >= 0 && d->tok[dt].type != JSMN_OBJECT)
        return sim_fail(c, SIM_RC_BAD_PARAM, "%s: segment \"data\" must be an object", key), false;
    if (strcmp(type, "text") == 0) {
        int txt = dt >= 0 ? ob__jget(d, dt, "text") : -1;
        if (txt < 0 || d->tok[txt].type != JSMN_STRING)
            return sim_fail(c, SIM_RC_BAD_PARAM, "%s: a text segment needs data.text as a string", key), false;
        char *s = sim_ctx_alloc(c, ob__jlen(d, txt) + 1);
        if (!s) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
        long l = ob__junescape(d, txt, s);
        if (l < 0) return sim_fail(c, SIM_RC_BAD_PARAM, "%s: bad escape in text", key), false;
        seg_text(segs, raw, s, (size_t)l);
        return true;
    }
    if (sim_segment_reshaped(type)) { /* its receive shape from its string and number values */
        sim_seg_field f[SIM_MAX_SEG_FIELDS];
        size_t nf = 0;
        for (int i = 0, k = dt + 1; dt >= 0 && i < d->tok[dt].size; i++) {
            int v = k + 1;
            jsmntype_t vt = d->tok[v].type;
            if ((vt == JSMN_STRING || vt == JSMN_PRIMITIVE) && !ob__jis_null(d, v) && nf < SIM_MAX_SEG_FIELDS) {
                char *ks = sim_ctx_alloc(c, ob__jlen(d, k) + ob__jlen(d, v) + 2);
                if (!ks) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
                char *vs = ks + ob__jlen(d, k) + 1;
                long kl = ob__junescape(d, k, ks), vl = (long)ob__jlen(d, v);
                if (vt == JSMN_STRING) vl = ob__junescape(d, v, vs);
                else memcpy(vs, ob__jstart(d, v), (size_t)vl), vs[vl] = '\0';
                if (kl < 0 || vl < 0) return sim_fail(c, SIM_RC_BAD_PARAM, "%s: bad escape in a segment", key), false;
                f[nf++] = (sim_seg_field){ks, vs};
            }
            k = ob__jskip(d, v);
        }
        return sim_segment_receive(c, type, f, nf, segs, raw);
    }
    ob__jw_obj(segs);
    ob__jw_key_str(segs, "type", type);
    ob__jw_key(segs, "data");
    if (dt >= 0) ob__jw_raw(segs, ob__jstart(d, dt), ob__jlen(d, dt));
    else {
        ob__jw_obj(segs);
        ob__jw_obj_end(segs);
    }
    ob__jw_obj_end(segs);
    ob__buf_puts(raw, "[CQ:");
    ob__buf_puts(raw, type);
    if (dt >= 0) {
        int k = dt + 1;
        for (int i = 0; i < d->tok[dt].size; i++) {
            int v = k + 1;
            if (d->tok[v].type == JSMN_STRING || d->tok[v].type == JSMN_PRIMITIVE) {
                char *ks = sim_ctx_alloc(c, ob__jlen(d, k) + 1), *vs = sim_ctx_alloc(c, ob__jlen(d, v) + 1);
                if (!ks || !vs) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), false;
                long kl = ob__junescape(d, k, ks);
                long vl;
                if (d->tok[v].type == JSMN_STRING) vl = ob__junescape(d, v, vs);
                else {
                    vl = (long)ob__jlen(d, v);
                    memcpy(vs, ob__jstart(d, v), (size_t)vl);
                    vs[vl] = '\0';
                }
                if (kl > 0 && vl >= 0) {
                    ob__buf_putc(raw, ',');
                    ob__buf_put(raw, ks, (size_t)kl);
                    ob__buf_putc(raw, '=');
                    sim_cq_escape(raw, vs, (size_t)vl, true);
                }
            }
            k = ob__jskip(d, v);
        }
    }
    ob__buf_putc(raw, ']');
    return true;
}

bool sim_message_param(sim_ctx *c, const char *key, bool auto_escape, const char **segments_json,
                       const char **raw_message) {
    int t = sim_param_tok(c, key);
    if (t < 0) {
        sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected required property", key);
        return false;
    }
    return sim_message_tok(c, key, t, auto_escape, segments_json, raw_message);
}

bool sim_message_tok(sim_ctx *c, const char *key, int t, bool auto_escape, const char **segments_json,
                     const char **raw_message) {
    const ob__jdoc *d = sim_params_doc(c);
    if (ob__jlen(d, t) > SIM_MAX_MESSAGE) {
        sim_fail(c, SIM_RC_BAD_PARAM, "%s is too long (at most %u bytes)", key, (unsigned)SIM_MAX_MESSAGE);
        return false;
    }
    ob__jw segs = {0};
    ob__buf raw = {0};
    bool ok = true;
    ob__jw_arr(&segs);
    jsmntype_t ty = d->tok[t].type;
    if (ty == JSMN_STRING || ty == JSMN_PRIMITIVE) {
        const char *s;
        ok = sim_tok_str(c, key, t, SIM_MAX_MESSAGE, &s);
        if (ok && auto_escape) seg_text(&segs, &raw, s, strlen(s));
        else if (ok) ok = parse_cq(c, s, &segs, &raw);
    } else if (ty == JSMN_OBJECT) {
        ok = copy_segment(c, d, t, key, &segs, &raw);
    } else {
        int e = t + 1;
        for (int i = 0; ok && i < d->tok[t].size; i++) {
            ok = copy_segment(c, d, e, key, &segs, &raw);
            e = ob__jskip(d, e);
        }
    }
    ob__jw_arr_end(&segs);
    if (ok && segs.b.len <= 2) {
        sim_fail(c, SIM_RC_REFUSED, "消息体无法解析, 请检查是否发送了不支持的消息类型");
        ok = false;
    }
    if (ok) {
        ob__buf_putc(&segs.b, '\0');
        ob__buf_putc(&raw, '\0');
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
    ob__buf_free(&segs.b);
    ob__buf_free(&raw);
    return ok;
}

void sim_write_message_fields(sim_ctx *c, ob__jw *w, const sim_message *m) {
    sim_member mem;
    bool known = sim_member_load(c, m->group_id, m->user_id, &mem) == 1;
    sim_group g;
    bool have_group = sim_group_load(c, m->group_id, &g) == 1;
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)m->message_id);
    ob__jw_key_int(w, "message_id", m->message_id);
    ob__jw_key_int(w, "message_seq", m->message_id);
    ob__jw_key_int(w, "real_id", m->message_id);
    ob__jw_key_str(w, "real_seq", seq);
    ob__jw_key_int(w, "group_id", m->group_id);
    ob__jw_key_str(w, "group_name", have_group ? g.name : "");
    ob__jw_key_int(w, "user_id", m->user_id);
    ob__jw_key(w, "sender");
    ob__jw_obj(w);
    ob__jw_key_int(w, "user_id", m->user_id);
    if (known) {
        ob__jw_key_str(w, "nickname", mem.nickname);
        ob__jw_key_str(w, "card", mem.card);
        ob__jw_key_str(w, "role", sim_role_name(mem.role));
    } else {
        ob__jw_key_str(w, "nickname", m->nickname ? m->nickname : "");
        ob__jw_key_str(w, "card", "");
    }
    ob__jw_obj_end(w);
    ob__jw_key(w, "message");
    ob__jw_raw(w, m->segments_json, strlen(m->segments_json));
    ob__jw_key_str(w, "message_format", "array");
    ob__jw_key_str(w, "raw_message", m->raw_message);
    ob__jw_key_int(w, "font", 14);
}

bool sim_message_from_row(sim_ctx *c, sqlite3_stmt *st, sim_message *out) {
    const char *seg = sim_sql_text(c, st, 4), *raw = sim_sql_text(c, st, 5);
    if (!seg || !raw) return false;
    *out = (sim_message){
        .message_id = sqlite3_column_int64(st, 0),
        .group_id = sqlite3_column_int64(st, 1),
        .user_id = sqlite3_column_int64(st, 2),
        .time = sqlite3_column_int64(st, 3),
        .segments_json = *seg ? seg : "[]",
        .raw_message = raw,
        .recalled = sqlite3_column_int(st, 6) != 0,
    };
    return true;
}

int sim_message_load(sim_ctx *c, int64_t message_id, sim_message *out) {
    sqlite3_stmt *st = sim_sql_query(c, SIM_MESSAGE_SELECT "WHERE message_id=?", "i", message_id);
    if (!st) return -1;
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1 && !sim_message_from_row(c, st, out)) found = -1;
    sqlite3_finalize(st);
    return found;
}

bool sim_require_message(sim_ctx *c, const char *not_found, sim_message *out) {
    int64_t mid;
    if (!sim_get_i64(c, "message_id", &mid)) return false;
    int r = sim_message_load(c, mid, out);
    if (r < 0) return sim_db_fail(c), false;
    if (r == 0) return sim_fail(c, SIM_RC_REFUSED, "%s", not_found), false;
    return true;
}

int64_t sim_message_add(sim_ctx *c, int64_t group_id, int64_t user_id, const char *segments_json,
                        const char *raw_message) {
    int64_t id = sim_next_id(c, "message_id");
    if (id < 0) return -1;
    int64_t now = sim_now(c);
    if (!sim_sql_exec(c,
                      "INSERT INTO messages(message_id,group_id,user_id,time,segments,raw_message) VALUES(?,?,?,?,?,?)",
                      "iiiiss", id, group_id, user_id, now, segments_json, raw_message) ||
        !sim_sql_exec(c, "UPDATE members SET last_sent_time=? WHERE group_id=? AND user_id=?", "iii", now, group_id,
                      user_id))
        return -1;
    {
        /* For the other bots in the group; the sender's own account does not
           get it (NapCat reports a bot's own messages only with
           reportSelfMessage): sim_accounts_fanout. */
        sim_message m = {.message_id = id,
                         .group_id = group_id,
                         .user_id = user_id,
                         .time = now,
                         .segments_json = segments_json,
                         .raw_message = raw_message};
        ob__jw *w = sim_event_begin(c, "message", "group", "normal");
        sim_write_message_fields(c, w, &m);
        sim_event_end(c);
    }
    return id;
}

int sim_send_group_message(sim_ctx *c, const char *key) {
    int64_t gid;
    bool auto_escape;
    const char *segs, *raw, *res_id = NULL;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_bool(c, "auto_escape", false, &auto_escape)) return SIM_ERR;
    if (!sim_group_message_param(c, key, auto_escape, gid, &segs, &raw, &res_id)) return SIM_ERR;
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
    return sim_sent_reply(c, id, res_id);
}

int sim_sent_reply(sim_ctx *c, int64_t message_id, const char *res_id) {
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "message_id", message_id);
    if (res_id) { /* a forward: NapCat adds its res_id, and again as go-cqhttp's forward_id */
        ob__jw_key_str(w, "res_id", res_id);
        ob__jw_key_str(w, "forward_id", res_id);
    }
    ob__jw_obj_end(w);
    return SIM_OK;
}

int sim_act_send_group_msg(sim_ctx *c) { return sim_send_group_message(c, "message"); }

void sim_write_message_object(sim_ctx *c, ob__jw *w, const sim_message *m) {
    ob__jw_key_int(w, "self_id", sim_self_id(c));
    ob__jw_key_int(w, "time", m->time);
    ob__jw_key_str(w, "post_type", m->user_id == sim_self_id(c) ? "message_sent" : "message");
    ob__jw_key_str(w, "message_type", "group");
    ob__jw_key_str(w, "sub_type", "normal");
    /* NapCat's parseMessage marks the bot's own messages. */
    if (m->user_id == sim_self_id(c)) ob__jw_key_str(w, "message_sent_type", "self");
    sim_write_message_fields(c, w, m);
}

/* The message the message_id param names for get_msg and delete_msg: 1
   with a group message in *m that is not recalled. A private message is
   act_private.c's to answer, and an unknown or recalled one fails
   (not_found, recalled): then SIM_OK or SIM_ERR is returned, the reply
   written. */
static int message_to_act_on(sim_ctx *c, bool recall, const char *not_found, const char *recalled, sim_message *m) {
    int64_t mid;
    if (!sim_get_i64(c, "message_id", &mid)) return SIM_ERR;
    int p = sim_private_msg_action(c, mid, recall);
    if (p != 1) return p;
    if (!sim_require_message(c, not_found, m)) return SIM_ERR;
    if (m->recalled) return sim_fail(c, SIM_RC_REFUSED, "%s", recalled);
    return 1;
}

int sim_act_get_msg(sim_ctx *c) {
    sim_message m;
    int r = message_to_act_on(c, false, "消息不存在", "消息不存在或已被撤回", &m);
    if (r != 1) return r;
    if (!sim_forward_expand(c, &m)) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    sim_write_message_object(c, w, &m);
    if (!sim_write_emoji_likes(c, w, m.message_id)) return sim_db_fail(c);
    ob__jw_obj_end(w);
    return SIM_OK;
}

int sim_message_recall(sim_ctx *c, const sim_message *m, int64_t operator_id) {
    sim_member op;
    if (m->recalled || sim_member_load(c, m->group_id, operator_id, &op) != 1)
        return sim_fail(c, SIM_RC_REFUSED, "Recall failed");
    /* QQ: anyone recalls their own message within 2 minutes; admins and the
       owner recall their own at any time and outranked members' messages. */
    bool allowed;
    if (m->user_id == operator_id) {
        allowed = op.role != SIM_ROLE_MEMBER || sim_now(c) - m->time <= SIM_RECALL_OWN_SECONDS;
    } else {
        sim_member sender;
        int sr = sim_member_load(c, m->group_id, m->user_id, &sender);
        sim_role target = sr == 1 ? sender.role : SIM_ROLE_MEMBER; /* a departed sender counts as a member */
        allowed = sim_outranks(op.role, target);
    }
    if (!allowed)
        return sim_fail(
            c, SIM_RC_REFUSED,
            "Timeout: NTEvent serviceAndMethod:NodeIKernelMsgService/recallMsg "
            "ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet: {\"result\":1001,\"errMsg\":\"no permission\"}");
    if (!sim_sql_exec(c, "UPDATE messages SET recalled=1 WHERE message_id=?", "i", m->message_id))
        return sim_db_fail(c);
    ob__jw *w = sim_group_notice_begin(c, "group_recall", NULL, m->group_id, m->user_id);
    ob__jw_key_int(w, "operator_id", operator_id);
    ob__jw_key_int(w, "message_id", m->message_id);
    sim_event_end(c);
    return SIM_OK;
}

int sim_act_delete_msg(sim_ctx *c) {
    sim_message m;
    int r = message_to_act_on(c, true, "Recall failed", "Recall failed", &m);
    if (r != 1) return r;
    return sim_message_recall(c, &m, sim_self_id(c));
}
