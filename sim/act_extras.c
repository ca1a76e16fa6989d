/* Simulator actions: the rest of NapCat's surface, where no simulated QQ can
 * do anything meaningful (AI voices, OCR, translation, raw packets,
 * mini-app cards, inline keyboards, quick operations...). Each answers in
 * NapCat's reply shape with values that are obviously fake: keys
 * "SIMFAKE...", texts marked "[simulated]" (the table in docs/simulator.md,
 * "What the simulator fakes"). NapCat's own schema rules still hold (a
 * missing required key is 1400, a file argument that does not load fails
 * as NapCat's does).
 *
 * A few keep a little state because clients read it back:
 * create_collection fills get_collection_list, forward_group_single_msg
 * posts a copy, and get_recent_contact lists the groups' latest messages. */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A link on the simulator's port that serves a fake text (ctx-owned URL). */
static const char *fake_link(sim_ctx *c, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static const char *fake_link(sim_ctx *c, const char *name, const char *fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof text) n = sizeof text - 1;
    return sim_link_media(c, (const unsigned char *)text, (size_t)n, name);
}

/* ------------------------------------------------------------------ AI voices, OCR, translation */

static bool ai_voice_params(sim_ctx *c, const char **character, int64_t *gid, const char **text) {
    return sim_get_str(c, "character", SIM_MAX_NAME, character) && sim_get_i64(c, "group_id", gid) &&
           sim_get_str(c, "text", SIM_MAX_TEXT, text);
}

/* get_ai_record {character, group_id, text} → the voice's URL (a string):
 * a link on the simulator's port that serves a text saying what would be
 * spoken. */
int sim_act_get_ai_record(sim_ctx *c) {
    const char *character, *text;
    int64_t gid;
    if (!ai_voice_params(c, &character, &gid, &text)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    const char *url = fake_link(c, "ai-voice-simulated.txt", "[simulated] AI voice %s says: %.900s", character, text);
    if (!url) return SIM_ERR;
    ob__jw_str(sim_data(c), url);
    return SIM_OK;
}

/* translate_en2zh {words: [string]} → {words}: each word marked
 * "[simulated]". A single string counts as one word, as TypeBox's Convert
 * wraps it. */
int sim_act_translate_en2zh(sim_ctx *c) {
    int t = sim_param_tok(c, "words");
    if (t < 0) {
        if (sim_has(c, "words")) return sim_fail(c, SIM_RC_BAD_PARAM, "Key: words, Message: Expected array");
        return sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: words: Expected required property");
    }
    const ob__jdoc *d = sim_params_doc(c);
    bool one = d->tok[t].type == JSMN_STRING;
    if (!one && d->tok[t].type != JSMN_ARRAY)
        return sim_fail(c, SIM_RC_BAD_PARAM, "Key: words, Message: Expected array");
    int n = one ? 1 : d->tok[t].size;
    if (n > SIM_MAX_LIST) return sim_fail(c, SIM_RC_BAD_PARAM, "words: at most %d items", SIM_MAX_LIST);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key(w, "words");
    ob__jw_arr(w);
    for (int i = 0, e = one ? t : t + 1; i < n; i++, e = ob__jskip(d, e)) {
        if (d->tok[e].type != JSMN_STRING)
            return sim_fail(c, SIM_RC_BAD_PARAM, "Key: words/%d, Message: Expected string", i);
        char *s = sim_ctx_alloc(c, ob__jlen(d, e) + 16);
        if (!s) return sim_fail(c, SIM_RC_REFUSED, "out of memory");
        memcpy(s, "[simulated] ", 12);
        if (ob__junescape(d, e, s + 12) < 0) return sim_fail(c, SIM_RC_BAD_PARAM, "Key: words/%d: bad escape", i);
        ob__jw_str(w, s);
    }
    ob__jw_arr_end(w);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ packets */

/* send_packet {cmd, data (hex), rsp=true} → the answer in hex
 * ("SIMFAKE"), or no data key when rsp is false (NapCat's undefined). */
int sim_act_send_packet(sim_ctx *c) {
    const char *cmd, *hex;
    bool rsp;
    if (!sim_get_str(c, "cmd", SIM_MAX_NAME, &cmd) || !sim_get_str(c, "data", SIM_MAX_MESSAGE, &hex) ||
        !sim_opt_bool(c, "rsp", true, &rsp))
        return SIM_ERR;
    if (!rsp) sim_data_absent(c);
    else ob__jw_str(sim_data(c), SIM_FAKE_PACKET_HEX);
    return SIM_OK;
}

/* ------------------------------------------------------------------ the client */

/* bot_exit {}: NapCat exits (and never answers); the simulator logs it and
 * keeps serving. No data key. */
int sim_act_bot_exit(sim_ctx *c) {
    sim_log(c, "bot_exit: NapCat would exit here; the simulator keeps running");
    sim_data_absent(c);
    return SIM_OK;
}

/* .handle_quick_operation {context, operation}: accepted and not applied
 * (NapCat answers before it applies anything, and logs what fails). No
 * data key. */
int sim_act_handle_quick_operation(sim_ctx *c) {
    static const char *const keys[] = {"context", "operation"};
    sim_data_absent(c);
    for (int i = 0; i < 2; i++) {
        int t = sim_param_tok(c, keys[i]);
        if (t < 0 && !sim_has(c, keys[i]))
            return sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected required property", keys[i]);
        if (t < 0 || sim_params_doc(c)->tok[t].type != JSMN_OBJECT)
            return sim_fail(c, SIM_RC_BAD_PARAM, "Key: %s, Message: Expected object", keys[i]);
    }
    sim_log(c, ".handle_quick_operation: accepted, not applied (the simulator does not apply quick operations)");
    return SIM_OK;
}

/* get_mini_app_ark {type: bili|weibo, title, desc, picUrl, jumpUrl, webUrl?,
 * rawArkData?} (or NapCat's custom form with appId and the rest) →
 * {data: the card}: the ark a json segment sends, in NapCat's send shape
 * (its raw shape with rawArkData "true"), token "SIMFAKE". */
int sim_act_get_mini_app_ark(sim_ctx *c) {
    const char *type, *title, *desc, *pic, *jump, *web, *raw, *appid;
    if (!sim_opt_str(c, "type", NULL, SIM_MAX_NAME, &type) || !sim_get_str(c, "title", SIM_MAX_TEXT, &title) ||
        !sim_get_str(c, "desc", SIM_MAX_TEXT, &desc) || !sim_get_str(c, "picUrl", SIM_MAX_PATH, &pic) ||
        !sim_get_str(c, "jumpUrl", SIM_MAX_PATH, &jump) || !sim_opt_str(c, "webUrl", "", SIM_MAX_PATH, &web) ||
        !sim_opt_str(c, "rawArkData", NULL, 16, &raw) || !sim_opt_str(c, "appId", NULL, SIM_MAX_NAME, &appid))
        return SIM_ERR;
    if (type && strcmp(type, "bili") != 0 && strcmp(type, "weibo") != 0)
        return sim_fail(c, SIM_RC_BAD_PARAM, "Key: type, Message: Expected union value");
    if (!type && !appid)
        return sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: appId: Expected required property");
    bool raw_form = raw && strcmp(raw, "true") == 0;
    size_t plen = strlen(title) + 32;
    char *prompt = sim_ctx_alloc(c, plen);
    if (!prompt) return sim_fail(c, SIM_RC_REFUSED, "out of memory");
    snprintf(prompt, plen, "[QQ小程序]%s", title);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key(w, "data");
    ob__jw_obj(w);
    ob__jw_key_str(w, raw_form ? "appName" : "app", "com.tencent.miniapp_01");
    ob__jw_key_str(w, raw_form ? "appView" : "view", "view_8C8E89B49BE609866298ADDFF2DBABA4");
    ob__jw_key_str(w, "ver", "1.0.0.19");
    if (raw_form) ob__jw_key_str(w, "desc", desc);
    ob__jw_key_str(w, "prompt", prompt);
    ob__jw_key(w, raw_form ? "metaData" : "meta");
    ob__jw_obj(w);
    ob__jw_key(w, "detail_1");
    ob__jw_obj(w);
    ob__jw_key_str(w, "appid", appid ? appid : type && strcmp(type, "bili") == 0 ? "1109937557" : "sim-fake-weibo");
    ob__jw_key_str(w, "title", title);
    ob__jw_key_str(w, "desc", desc);
    ob__jw_key_str(w, "preview", pic);
    ob__jw_key_str(w, "url", jump);
    ob__jw_key_str(w, "qqdocurl", web[0] ? web : jump);
    ob__jw_key(w, "host");
    ob__jw_obj(w);
    ob__jw_key_int(w, "uin", sim_self_id(c));
    ob__jw_key_str(w, "nick", "[simulated]");
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    ob__jw_key(w, "config");
    ob__jw_obj(w);
    ob__jw_key_str(w, "type", "normal");
    ob__jw_key_int(w, "width", 0);
    ob__jw_key_int(w, "height", 0);
    ob__jw_key_int(w, "forward", 1);
    ob__jw_key_int(w, "autoSize", 0);
    ob__jw_key_int(w, "ctime", sim_now(c));
    ob__jw_key_str(w, "token", "SIMFAKE_ARK_TOKEN");
    ob__jw_obj_end(w);
    if (!raw_form) {
        ob__jw_key_int(w, "miniappShareOrigin", 3);
        ob__jw_key_str(w, "miniappOpenRefer", "10002");
    }
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ collections, stickers */

/* create_collection {rawData, brief} → QQ's {result, errMsg}; the text is
 * kept for get_collection_list (the collections table). */
int sim_act_create_collection(sim_ctx *c) {
    const char *raw, *brief;
    if (!sim_get_str(c, "rawData", SIM_MAX_TEXT, &raw) || !sim_get_str(c, "brief", SIM_MAX_TEXT, &brief))
        return SIM_ERR;
    if (!sim_sql_exec(c, "INSERT INTO collections(bot_id,brief,raw_data,time) VALUES(?,?,?,?)", "issi", sim_self_id(c),
                      brief, raw, sim_now(c)))
        return sim_db_fail(c);
    return sim_raw_answer(c, "errMsg", 0, "");
}

/* get_collection_list {category, count="50"} → QQ's {errCode, errMsg,
 * collectionSearchList: {collectionItemList, hasMore, bottomTimeStamp}}:
 * the texts create_collection kept, newest first, whatever the category.
 * Times are milliseconds, as strings. */
int sim_act_get_collection_list(sim_ctx *c) {
    const char *category;
    int64_t count;
    if (!sim_get_str(c, "category", SIM_MAX_NAME, &category) || !sim_opt_i64(c, "count", 50, &count)) return SIM_ERR;
    int64_t self = sim_self_id(c), bottom = 0;
    const char *nick = sim_user_nickname(c, self);
    if (!nick) return SIM_ERR;
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT cid, brief, raw_data, time FROM collections WHERE bot_id=?"
                                     " ORDER BY time DESC, cid DESC LIMIT ?",
                                     "ii", self, count < 0 ? 0 : count);
    if (!st) return sim_db_fail(c);
    char uid[SIM_UID_BYTES];
    sim_uid_of(self, uid);
    ob__jw *w = sim_data_qq_ok(c, "errCode");
    ob__jw_key(w, "collectionSearchList");
    ob__jw_obj(w);
    ob__jw_key(w, "collectionItemList");
    ob__jw_arr(w);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t ms = sqlite3_column_int64(st, 3) * 1000;
        bottom = ms;
        ob__jw_obj(w);
        sim_key_int_str(w, "cid", sqlite3_column_int64(st, 0));
        ob__jw_key_int(w, "type", 1);
        ob__jw_key_int(w, "status", 1);
        ob__jw_key(w, "author");
        ob__jw_obj(w);
        ob__jw_key_int(w, "type", 1);
        sim_key_int_str(w, "numId", self);
        ob__jw_key_str(w, "strId", nick);
        ob__jw_key_str(w, "groupId", "");
        ob__jw_key_str(w, "groupName", "");
        ob__jw_key_str(w, "uid", uid);
        ob__jw_obj_end(w);
        ob__jw_key_int(w, "bid", 1);
        ob__jw_key_int(w, "category", 1);
        sim_key_int_str(w, "createTime", ms);
        sim_key_int_str(w, "collectTime", ms);
        sim_key_int_str(w, "modifyTime", ms);
        sim_key_int_str(w, "sequence", ms);
        ob__jw_key_str(w, "shareUrl", "");
        ob__jw_key_int(w, "customGroupId", 0);
        ob__jw_key_bool(w, "securityBeat", false);
        ob__jw_key(w, "summary");
        ob__jw_obj(w);
        static const char *const nulls[] = {"textSummary",  "linkSummary", "gallerySummary", "audioSummary",
                                            "videoSummary", "fileSummary", "locationSummary"};
        for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
            ob__jw_key(w, nulls[i]);
            ob__jw_null(w);
        }
        ob__jw_key(w, "richMediaSummary");
        ob__jw_obj(w);
        ob__jw_key_str(w, "title", sim_sql_text(c, st, 1));
        ob__jw_key_str(w, "subTitle", "");
        ob__jw_key_str(w, "brief", sim_sql_text(c, st, 2));
        sim_key_empty_array(w, "picList");
        ob__jw_key_int(w, "contentType", 1);
        ob__jw_key_str(w, "originalUri", "");
        ob__jw_key_str(w, "publisher", "");
        ob__jw_key_int(w, "richMediaVersion", 0);
        ob__jw_obj_end(w);
        ob__jw_obj_end(w);
        ob__jw_obj_end(w);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return sim_db_fail(c);
    ob__jw_arr_end(w);
    ob__jw_key_bool(w, "hasMore", false);
    sim_key_int_str(w, "bottomTimeStamp", bottom);
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ recent chats */

/* One recent chat: the group of the message st names (kind 2), or the
 * private chat (kind 1, act_private.c). */
static bool contact_row(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    if (sqlite3_column_int(st, 0) == 1) return sim_private_contact(c, w, sqlite3_column_int64(st, 1));
    sim_message m;
    if (sim_message_load(c, sqlite3_column_int64(st, 1), &m) != 1) return false;
    sim_group g;
    bool have_group = sim_group_load(c, m.group_id, &g) == 1;
    sim_member sender;
    bool known = sim_member_load(c, m.group_id, m.user_id, &sender) == 1;
    ob__jw_obj(w);
    ob__jw_key(w, "lastestMsg");
    ob__jw_obj(w);
    sim_write_message_object(c, w, &m);
    ob__jw_obj_end(w);
    sim_key_int_str(w, "peerUin", m.group_id);
    ob__jw_key_str(w, "remark", have_group ? g.remark : "");
    sim_key_int_str(w, "msgTime", m.time);
    ob__jw_key_int(w, "chatType", 2);
    sim_key_int_str(w, "msgId", m.message_id);
    ob__jw_key_str(w, "sendNickName", known ? sender.nickname : "");
    ob__jw_key_str(w, "sendMemberName", known ? sender.card : "");
    ob__jw_key_str(w, "peerName", have_group ? g.name : "");
    ob__jw_obj_end(w);
    return true;
}

/* get_recent_contact {count=10} → [{lastestMsg, peerUin, remark, msgTime,
 * chatType, msgId, sendNickName, sendMemberName, peerName}]: the groups
 * the bot is in (chatType 2) and its private chats (1 a friend's, 100 a
 * temporary one), by their latest stored message, newest first;
 * lastestMsg as get_msg returns it. */
int sim_act_get_recent_contact(sim_ctx *c) {
    int64_t count;
    if (!sim_opt_i64(c, "count", 10, &count)) return SIM_ERR;
    int64_t self = sim_self_id(c);
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT kind, mid FROM ("
                                     " SELECT 2 AS kind, m.message_id AS mid, m.time AS t FROM members b"
                                     "  JOIN messages m ON m.message_id=(SELECT x.message_id FROM messages x"
                                     "   WHERE x.group_id=b.group_id ORDER BY x.time DESC, x.message_id DESC LIMIT 1)"
                                     "  WHERE b.user_id=?1"
                                     " UNION ALL"
                                     " SELECT 1, p.message_id, p.time FROM private_messages p WHERE p.bot_id=?1"
                                     "  AND p.message_id=(SELECT max(q.message_id) FROM private_messages q"
                                     "   WHERE q.bot_id=?1 AND q.user_id=p.user_id AND (q.group_id=0)=(p.group_id=0)))"
                                     " ORDER BY t DESC, mid DESC LIMIT ?2",
                                     "ii", self, count < 0 ? 0 : count);
    return sim_write_rows(c, sim_data(c), st, contact_row) ? SIM_OK : sim_db_fail(c);
}

/* ------------------------------------------------------------------ forwarding one message */

/* forward_group_single_msg / forward_friend_single_msg {message_id,
 * group_id?, user_id?}: NapCat forwards to user_id when given, else to
 * group_id. The bot posts a copy of the message: into the group (the
 * group's message history shows it), or into its private chat with the
 * user (get_friend_msg_history shows it; QQ delivers only to a friend or
 * through an earlier temporary chat). No event, as for the bot's own
 * messages. data null. */
int sim_act_forward_single_msg(sim_ctx *c) {
    const char *ref;
    int64_t gid, uid;
    if (!sim_get_str(c, "message_id", SIM_MAX_NAME, &ref) || !sim_opt_i64(c, "group_id", 0, &gid) ||
        !sim_opt_i64(c, "user_id", 0, &uid))
        return SIM_ERR;
    char *end = NULL;
    long long id = strtoll(ref, &end, 10);
    sim_message m;
    int r = end && !*end && id > 0 ? sim_message_load(c, id, &m) : 0;
    if (r < 0) return sim_db_fail(c);
    if (r == 0 || m.recalled) return sim_fail(c, SIM_RC_REFUSED, "无法找到消息%s", ref);
    if (uid) {
        if (sim_user_known(c, uid) != 1) return sim_fail(c, SIM_RC_REFUSED, "无法找到私聊对象%lld", (long long)uid);
        return sim_private_send(c, uid, m.segments_json, m.raw_message) < 0 ? SIM_ERR : SIM_OK;
    }
    sim_group g;
    sim_member bot;
    if (!gid || sim_group_load(c, gid, &g) != 1 || sim_member_load(c, gid, sim_self_id(c), &bot) != 1)
        return sim_fail(c, SIM_RC_REFUSED, "转发消息失败 the bot is not in group %lld", (long long)gid);
    if (bot.ban_until > sim_now(c) || (g.whole_ban && bot.role == SIM_ROLE_MEMBER))
        return sim_fail(c, SIM_RC_REFUSED, "转发消息失败 the bot is muted in group %lld", (long long)gid);
    if (sim_message_add(c, gid, sim_self_id(c), m.segments_json, m.raw_message) < 0) return sim_db_fail(c);
    return SIM_OK;
}

/* ------------------------------------------------------------------ private files */

/* upload_private_file {user_id, file, name, upload_file=true} → {file_id}:
 * the file must load and the user exist, and QQ must deliver to them (a
 * friend, or a temporary chat: sim_private_send's rules); the file then
 * appears in the chat as a file message from the bot (get_msg, the
 * history, get_recent_contact), its bytes behind get_private_file_url. */
int sim_act_upload_private_file(sim_ctx *c) {
    int64_t uid;
    const char *file, *name;
    bool upload;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_get_str(c, "file", SIM_MAX_PATH, &file) ||
        !sim_get_str(c, "name", SIM_MAX_NAME, &name) || !sim_opt_bool(c, "upload_file", true, &upload))
        return SIM_ERR;
    const unsigned char *data;
    size_t len;
    if (!sim_load_file_arg(c, file, &data, &len)) return SIM_ERR;
    if (sim_user_known(c, uid) != 1) return sim_fail(c, SIM_RC_REFUSED, "私聊%lld不存在", (long long)uid);
    char hex[33], id[40];
    sim_random_hex(c, hex, 32);
    snprintf(id, sizeof id, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    /* the bytes behind a download link the file segment carries */
    const char *url = sim_link_media(c, data, len, name);
    if (!url) return SIM_ERR;
    char size[24];
    snprintf(size, sizeof size, "%zu", len);
    ob__jw seg = {0};
    ob__buf raw = {0};
    ob__jw_arr(&seg);
    sim_segment_open(&seg, &raw, "file");
    sim_segment_put(&seg, &raw, "file", name, false);
    sim_segment_put(&seg, &raw, "file_id", id, false);
    sim_segment_put(&seg, &raw, "file_size", size, false);
    sim_segment_put(&seg, &raw, "url", url, false);
    sim_segment_close(&seg, &raw);
    ob__jw_arr_end(&seg);
    char *segs = ob__buf_take(&seg.b), *rawt = ob__buf_take(&raw);
    int64_t mid = segs && rawt ? sim_private_send(c, uid, segs, rawt) : -2;
    free(segs);
    free(rawt);
    if (mid == -2) return sim_fail(c, SIM_RC_REFUSED, "out of memory");
    if (mid < 0) return SIM_ERR;
    sim_data_str(c, "file_id", id);
    return SIM_OK;
}

/* get_private_file_url {file_id} → {url}: the link to the bytes of a file
 * the bot sent in one of its private chats (upload_private_file); any
 * other id (a file someone sent the bot, which the simulator does not
 * keep) gets a link that serves a text naming the id. */
int sim_act_get_private_file_url(sim_ctx *c) {
    const char *file_id;
    if (!sim_get_str(c, "file_id", SIM_MAX_PATH, &file_id)) return SIM_ERR;
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT json_extract(segments,'$[0].data.url') FROM private_messages"
                                     " WHERE bot_id=? AND json_extract(segments,'$[0].type')='file'"
                                     " AND json_extract(segments,'$[0].data.file_id')=?",
                                     "is", sim_self_id(c), file_id);
    if (!st) return sim_db_fail(c);
    int rc = sqlite3_step(st);
    const char *kept = rc == SQLITE_ROW ? sim_sql_text(c, st, 0) : NULL;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sim_db_fail(c);
    if (kept) return sim_data_str(c, "url", kept), SIM_OK;
    const char *url = fake_link(c, "private-file-simulated.txt", "[simulated] private file %.900s", file_id);
    if (!url) return SIM_ERR;
    sim_data_str(c, "url", url);
    return SIM_OK;
}
