/* Internal to the simulator: how an action handler is written and registered.
 *
 * A handler is `int fn(sim_ctx *c)`. It reads its params with the typed
 * getters below, reads/writes the world through sim_db(c) (plain SQLite) or
 * the helpers, optionally writes a `data` value and queues events, and
 * returns SIM_OK or SIM_ERR. The dispatcher (sim_server.c) does the rest:
 *
 *   - it runs every handler inside one SQLite transaction (BEGIN IMMEDIATE);
 *     SIM_OK commits, SIM_ERR rolls back. So a handler never begins or
 *     commits anything itself, and a failed action leaves no half-change;
 *   - the reply is sent only after the commit is durable;
 *   - queued events are fanned out to every event connection only after the
 *     commit (and dropped on rollback), right after the reply;
 *   - it builds the reply frame: status, retcode, data, message, wording,
 *     echo, stream ("normal-action"), as NapCat does.
 *
 * Minimal handler:
 *
 *   static int act_set_group_name(sim_ctx *c) {
 *       int64_t gid; const char *name;
 *       if (!sim_get_i64(c, "group_id", &gid) ||
 *           !sim_get_str(c, "group_name", SIM_MAX_NAME, &name)) return SIM_ERR;
 *       if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
 *       ...UPDATE via sim_db(c)...; on an SQLite error: return sim_db_fail(c);
 *       ob__jw *ev = sim_event_begin(c, "notice", "notify", "group_name");
 *       ob__jw_key(ev, "group_id"); ob__jw_int(ev, gid); ...
 *       sim_event_end(c);
 *       return SIM_OK;          // data: null (the NapCat default for void-ish actions)
 *   }
 *
 * Register it as a row {"set_group_name", act_set_group_name, 0} in one of the
 * tables at the end of this file. The `_async` and `_rate_limited` suffixes
 * are stripped by the dispatcher; no rows for them.
 */
#ifndef OB_SIM_INTERNAL_H
#define OB_SIM_INTERNAL_H

#include "json.h"
#include "sim.h"
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_ctx sim_ctx;

enum { SIM_OK = 0, SIM_ERR = -1 };

/* NapCat retcodes on the forward-WS channel (docs/protocol.md §1.5). */
enum {
    SIM_RC_BAD_PARAM = 1400, /* schema/type failure, bad JSON */
    SIM_RC_REFUSED = 1200,   /* the handler "threw": business/QQ failure */
    SIM_RC_AUTH = 1403,
    SIM_RC_UNKNOWN = 1404 /* unknown action */
};

/* Size limits for strings the world keeps (bytes, UTF-8). Longer → 1400. */
#define SIM_MAX_NAME 256           /* group names, cards, titles, nicknames, file/folder names */
#define SIM_MAX_TEXT 65536         /* notice content, comments, reasons */
#define SIM_MAX_MESSAGE 1048576    /* a message (segments JSON or CQ string) */
#define SIM_MAX_PATH 4096          /* file arguments (paths, URLs) */
#define SIM_MAX_BASE64 (64u << 20) /* base64:// payloads */
#define SIM_MAX_LIST 2000          /* id arrays (set_group_kick_members) */
#define SIM_NAME_BYTES 255         /* a group file or folder name, as QQ limits it */

/* ---------------------------------------------------------------- params
 * NapCat forms (docs/protocol.md §1.8): ids as JSON integers or numeric strings;
 * booleans as true/false, "true"/"false", 1/0, "1"/"0"; numbers as numbers or
 * numeric strings. A JSON null is 1400 ("Key: k, Message: Expected
 * string"), as NapCat's TypeBox check says, except for the keys the action's
 * schema declares nullable (then absent) and in control actions: one table,
 * sim_schemas in sim_ctx.c, which also names the keys where a scalar is
 * taken as a one-element array. On a missing required key or a wrong type, a getter
 * records retcode 1400 with a message naming the key, e.g.
 *   "Schema compilation error: group_id: Expected required property"
 *   "Schema compilation error: duration: Expected number"
 * and returns false; the handler then just returns SIM_ERR.
 * Strings returned live until the request ends (the ctx owns them). */

/* True when params has key (a null the schema refuses counts: its getter then fails). */
bool sim_has(sim_ctx *c, const char *key);
/* Required int64 id/number. */
bool sim_get_i64(sim_ctx *c, const char *key, int64_t *out);
/* Optional int64: def when absent (or a nullable null). */
bool sim_opt_i64(sim_ctx *c, const char *key, int64_t def, int64_t *out);
/* Optional boolean: def when absent (or a nullable null). */
bool sim_opt_bool(sim_ctx *c, const char *key, bool def, bool *out);
/* Required string (a JSON number is accepted and kept as its text, as
 * TypeBox's Value.Parse does). Unescaped, NUL-terminated. Embedded NUL or
 * more than max_bytes → 1400. */
bool sim_get_str(sim_ctx *c, const char *key, size_t max_bytes, const char **out);
/* Optional string: def when absent or a nullable null (def may be NULL). */
bool sim_opt_str(sim_ctx *c, const char *key, const char *def, size_t max_bytes, const char **out);
/* Required array of ids (a single scalar id is accepted as a one-element list,
 * as TypeBox coerces it). At most max items. *items is owned by the ctx. */
bool sim_get_i64_list(sim_ctx *c, const char *key, size_t max, int64_t **items, size_t *n);
/* Raw access for shapes the getters don't cover (message segments): the
 * params document and the token of key (-1 when absent or null). */
const ob__jdoc *sim_params_doc(sim_ctx *c);
int sim_param_tok(sim_ctx *c, const char *key);
/* sim_get_str's conversion for a token found that way (a value inside an
 * object of the params); key names it in the failure. */
bool sim_tok_str(sim_ctx *c, const char *key, int t, size_t max_bytes, const char **out);

/* ---------------------------------------------------------------- results
 * By default a successful reply carries "data": null (what most NapCat
 * group actions send). Otherwise call exactly one of: */

/* Returns the writer for the data value; write exactly one JSON value. */
ob__jw *sim_data(sim_ctx *c);
/* The data value is the object {key: value} (a new id, a count). */
void sim_data_int(sim_ctx *c, const char *key, int64_t value);
/* The reply has no "data" key at all (NapCat's void actions:
 * set_group_special_title, _send_group_notice, set_group_sign...). */
void sim_data_absent(sim_ctx *c);
/* Writes "key":[] into the object w is writing (NapCat's always-empty lists). */
void sim_key_empty_array(ob__jw *w, const char *key);

/* Fails the request: records retcode and a printf-style message (also used
 * as wording) and returns SIM_ERR. Use SIM_RC_REFUSED with NapCat's own
 * message text where NapCat has one (e.g. "cannot ban owner",
 * "No such request", "群(%lld)成员%lld不存在"). */
int sim_fail(sim_ctx *c, int retcode, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An SQLite error: 1200 with the SQLite message. Returns SIM_ERR. */
int sim_db_fail(sim_ctx *c);
/* NapCat "false success" (docs/protocol.md §4): QQ would refuse, NapCat says ok.
 * Non-strict: logs a warning naming the reason, changes nothing, returns
 * SIM_OK (data null). --strict: fails with 1200 and the reason. The handler
 * returns what this returns, without touching the world. */
int sim_false_success(sim_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------- events
 * sim_event_begin opens an event object with the envelope already written:
 *   {"time":<sim_now>,"self_id":<bot>,"post_type":post_type,
 *    "<notice_type|request_type|message_type|meta_event_type>":detail,
 *    "sub_type":sub_type          (omitted when sub_type is NULL)
 * The detail key is chosen from post_type ("notice" → notice_type,
 * "request" → request_type, "message"/"message_sent" → message_type,
 * "meta_event" → meta_event_type). Add the other keys with the writer, then
 * sim_event_end closes it and queues it; it goes to every event connection
 * after the commit. One event open at a time. */
ob__jw *sim_event_begin(sim_ctx *c, const char *post_type, const char *detail, const char *sub_type);
void sim_event_end(sim_ctx *c);
/* Opens a group notice (post_type "notice") and writes the group_id and
 * user_id that follow the envelope in every one; add the rest, then
 * sim_event_end. */
ob__jw *sim_group_notice_begin(sim_ctx *c, const char *notice_type, const char *sub_type, int64_t group_id,
                               int64_t user_id);
/* The membership notices, keys in NapCat's order: notice_type
 * "group_increase" or "group_decrease" with group_id, user_id, operator_id;
 * group_ban ("ban" when duration != 0, else "lift_ban"; user_id 0 is the
 * whole group); group_admin ("set"/"unset", no operator_id in NapCat's). */
void sim_emit_member_change(sim_ctx *c, const char *notice_type, const char *sub_type, int64_t group_id,
                            int64_t user_id, int64_t operator_id);
void sim_emit_ban(sim_ctx *c, int64_t group_id, int64_t user_id, int64_t operator_id, int64_t duration);
void sim_emit_admin(sim_ctx *c, int64_t group_id, int64_t user_id, bool set);

/* ---------------------------------------------------------------- world */

typedef enum { SIM_ROLE_NONE = 0, SIM_ROLE_MEMBER = 2, SIM_ROLE_ADMIN = 3, SIM_ROLE_OWNER = 4 } sim_role;
/* NT role codes as in the shut list (2/3/4) so raw objects can use them. */
/* "member" / "admin" / "owner" (ob_role_name's), "" for SIM_ROLE_NONE. */
const char *sim_role_name(sim_role r);
/* "member" / "admin" / "owner" (ob_role_parse's) -> *out; false for anything else. */
bool sim_role_parse(const char *name, sim_role *out);

sqlite3 *sim_db(sim_ctx *c);
int64_t sim_self_id(sim_ctx *c);
/* The simulated clock: Unix seconds + the offset set by sim_set_clock. */
int64_t sim_now(sim_ctx *c);
/* A fresh positive int32 from the named counter (persisted in meta). Used for
 * message ids ("message_id"), request flags etc. Returns -1 on a DB error. */
int64_t sim_next_id(sim_ctx *c, const char *counter);
/* nhex random lowercase hex digits + NUL into out (file ids, folder ids). */
void sim_random_hex(sim_ctx *c, char *out, size_t nhex);
/* Warning line to the simulator's log (no-op without a log). */
void sim_log(sim_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when this request came from a connection that presented the control token. */
bool sim_is_control(sim_ctx *c);
/* True under --strict. */
bool sim_is_strict(sim_ctx *c);
/* Writes the server's counters as keys of the open object w: connections,
 * unsent_bytes, max_total_backlog, backlog_drops (sim_get_stats). */
void sim_server_stats(sim_ctx *c, ob__jw *w);
/* Memory that lives until the request ends (freed with the ctx); NULL on OOM. */
void *sim_ctx_alloc(sim_ctx *c, size_t n);
/* Moves the simulated clock: sim_now = real time + offset (persisted). 0 or -1. */
int sim_set_clock_offset(sim_ctx *c, int64_t offset);

typedef struct sim_group {
    int64_t group_id;
    char name[SIM_MAX_NAME + 1], remark[SIM_MAX_NAME + 1];
    bool whole_ban;
    int64_t max_members, member_count, create_time;
} sim_group;

typedef struct sim_member {
    int64_t group_id, user_id;
    char nickname[SIM_MAX_NAME + 1], card[SIM_MAX_NAME + 1], title[SIM_MAX_NAME + 1];
    char sex[8]; /* "male" / "female" / "unknown" */
    int64_t age, qq_level, level;
    sim_role role;
    int64_t join_time, last_sent_time, title_expire_time, ban_until;
    bool is_robot;
} sim_member;

/* For queries over many members: SIM_MEMBER_SELECT "WHERE ... ORDER BY ..."
 * selects rows that sim_member_from_row turns into a sim_member. */
#define SIM_MEMBER_SELECT \
    "SELECT m.group_id, m.user_id, u.nickname, m.card, m.title, u.sex, u.age, u.qq_level," \
    " m.level, m.role, m.join_time, m.last_sent_time, m.title_expire, m.ban_until, u.is_robot" \
    " FROM members m JOIN users u ON u.user_id=m.user_id "
void sim_member_from_row(sqlite3_stmt *st, sim_member *out);

/* 1 found, 0 not found, -1 DB error (then return sim_db_fail(c)). */
int sim_group_load(sim_ctx *c, int64_t group_id, sim_group *out);
int sim_member_load(sim_ctx *c, int64_t group_id, int64_t user_id, sim_member *out);
/* How a member shows up in web listings: the group card, else the nickname
 * ("" when the user is unknown). Owned by the ctx. */
const char *sim_display_name(sim_ctx *c, int64_t group_id, int64_t user_id);
/* The group owner's user id; 0 when the group has none (or on a DB error). */
int64_t sim_group_owner(sim_ctx *c, int64_t group_id);
/* The bot's role in the group (SIM_ROLE_NONE when not a member / no group). */
sim_role sim_bot_role(sim_ctx *c, int64_t group_id);
/* True for the owner and admins: the roles that may moderate. */
bool sim_is_admin_role(sim_role r);
/* True when the bot is the group's owner or one of its admins. */
bool sim_bot_is_admin(sim_ctx *c, int64_t group_id);
/* Does `actor` outrank `target` for kicking, muting or recalling? The owner
 * outranks everyone else; an admin outranks plain members only. */
bool sim_outranks(sim_role actor, sim_role target);

/* Checks that the group exists and the bot is in it; fails with NapCat-like
 * 1200 messages otherwise. out may be NULL. True when fine. */
bool sim_require_bot_in_group(sim_ctx *c, int64_t group_id, sim_group *out);
/* Checks the member exists: else 1200 "群(G)成员U不存在". out may be NULL. */
bool sim_require_member(sim_ctx *c, int64_t group_id, int64_t user_id, sim_member *out);

/* Messages. segments_json is a JSON array of OneBot segments as received
 * ({"type":..,"data":{..}}); raw_message is its CQ-code form. */
typedef struct sim_message {
    int64_t message_id, group_id, user_id, time;
    const char *segments_json; /* owned by the ctx */
    const char *raw_message;   /* owned by the ctx */
    bool recalled;
    const char *nickname; /* the sender's name when not a member (forward nodes); NULL: "" */
} sim_message;
/* For queries over many messages: SIM_MESSAGE_SELECT "WHERE ... ORDER BY ..."
 * selects rows that sim_message_from_row turns into a sim_message (false on OOM). */
#define SIM_MESSAGE_SELECT "SELECT message_id, group_id, user_id, time, segments, raw_message, recalled FROM messages "
bool sim_message_from_row(sim_ctx *c, sqlite3_stmt *st, sim_message *out);
/* 1 found (recalled messages too; check .recalled), 0 not, -1 DB error. */
int sim_message_load(sim_ctx *c, int64_t message_id, sim_message *out);
/* Reads the message_id param and loads that message (recalled ones too:
 * check .recalled); an unknown id fails with 1200 `not_found`. True when
 * loaded; else the reply is written (return SIM_ERR). */
bool sim_require_message(sim_ctx *c, const char *not_found, sim_message *out);
/* Stores a group message from user_id (the bot, or a member) and returns its
 * message_id (> 0), or -1 on a DB error. When the sender is not the bot, a
 * group message event follows (NapCat reports no self messages). Also bumps
 * the sender's last_sent_time. */
int64_t sim_message_add(sim_ctx *c, int64_t group_id, int64_t user_id, const char *segments_json,
                        const char *raw_message);
/* Recalls m as operator_id would in QQ (their own message within 2 minutes,
 * any time as an admin; an admin or the owner also those of members they
 * outrank): marks it recalled and emits group_recall. Refusals are NapCat's
 * delete_msg failures. SIM_OK or SIM_ERR. */
int sim_message_recall(sim_ctx *c, const sim_message *m, int64_t operator_id);
/* Reads the message param `key` in any form send_group_msg takes (a string
 * with CQ codes, or plain text when auto_escape; one segment object; an
 * array of segments), validates it, and returns the normalized segment
 * array JSON and its CQ-code form (both owned by the ctx). Failures are
 * recorded (1400 for shapes, 1200 `未知的消息类型：<type>` for unknown types,
 * as NapCat) and false is returned. */
bool sim_message_param(sim_ctx *c, const char *key, bool auto_escape, const char **segments_json,
                       const char **raw_message);
/* sim_message_param for the message at token t of the params (a node's
 * content); key names it in failures. */
bool sim_message_tok(sim_ctx *c, const char *key, int t, bool auto_escape, const char **segments_json,
                     const char **raw_message);
/* Segments in their receive shape (sim_media.c, docs/simulator.md): image,
 * record, video (the bytes behind a download link, a file name from their
 * MD5) and face (NapCat's faceElement). A segment's data as key/value
 * strings, at most SIM_MAX_SEG_FIELDS of them. */
#define SIM_MAX_SEG_FIELDS 32
typedef struct sim_seg_field {
    const char *key, *value;
} sim_seg_field;
/* True for the types sim_segment_receive reshapes. */
bool sim_segment_reshaped(const char *type);
/* Writes the segment as a receiver sees it to segs and its CQ code to raw.
 * False with the failure recorded (no source: 1400; a source that does not
 * load: sim_load_file_arg's). */
bool sim_segment_receive(sim_ctx *c, const char *type, const sim_seg_field *f, size_t n, ob__jw *segs, ob__buf *raw);
/* Opens a segment {"type":type,"data":{ in segs and "[CQ:type" in raw;
 * sim_segment_close ends both. */
void sim_segment_open(ob__jw *segs, ob__buf *raw, const char *type);
void sim_segment_close(ob__jw *segs, ob__buf *raw);
/* One data key of an open segment: value as a JSON string (json: as raw
 * JSON), and ",key=value" (CQ-escaped) in raw unless it is empty or null. */
void sim_segment_put(ob__jw *segs, ob__buf *raw, const char *key, const char *value, bool json);
/* CQ-code escaping (docs/protocol.md §3.4): & [ ] always, and , in a parameter. */
void sim_cq_escape(ob__buf *b, const char *s, size_t n, bool param);
/* Writes the message object as get_msg returns it and as the group message
 * event carries it, minus the envelope (for events, call after
 * sim_event_begin(c, "message", "group", "normal")). */
void sim_write_message_fields(sim_ctx *c, ob__jw *w, const sim_message *m);
/* The keys of the object get_msg and the histories return for m (self_id,
 * time, post_type... then sim_write_message_fields), into the object w is
 * writing; get_msg adds emoji_likes_list. */
void sim_write_message_object(sim_ctx *c, ob__jw *w, const sim_message *m);
/* send_group_msg with the message under key ("messages" for
 * send_group_forward_msg): group_id, auto_escape, the bot's checks, storing;
 * data {message_id}, plus res_id and forward_id for a forward. Returns what
 * the handler returns. */
int sim_send_group_message(sim_ctx *c, const char *key);

/* send_msg's target rules (NapCat's createContext; act_friends.c) for the
 * message under key: mode "private", "group" or NULL (message_type from the
 * params; absent: group_id first, then user_id). A group goes to
 * sim_send_group_message, a user to their friend chat or a temporary chat
 * through a common group; node segments make a forward either way. Returns
 * what the handler returns. */
int sim_send_message(sim_ctx *c, const char *mode, const char *key);

/* ---------------------------------------------------------------- forwards and reactions
 * (act_history.c, act_social.c; docs/simulator.md) */
/* sim_message_param for a group message that may be a forward: when the
 * message under key is made of node segments, the forward is built and
 * stored for group_id (inner messages, nested forwards) and the message is
 * its one forward segment, with *res_id its id (else *res_id is left
 * alone; res_id may be NULL). Node and other segments mixed: 1400, NapCat's
 * words. False with the failure recorded. */
bool sim_group_message_param(sim_ctx *c, const char *key, bool auto_escape, int64_t group_id,
                             const char **segments_json, const char **raw_message, const char **res_id);
/* When m is a forward (one forward segment naming a stored forward), gives
 * it the content NapCat's readers show (get_msg, the histories): the inner
 * messages in data.content, and raw_message as NapCat encodes that. Other
 * messages are left alone. False on a DB error or OOM. */
bool sim_forward_expand(sim_ctx *c, sim_message *m);
/* Writes "emoji_likes_list":[{emoji_id, emoji_type, likes_cnt}] (get_msg's,
 * all strings) for the message into the object w is writing. False on a DB error. */
bool sim_write_emoji_likes(sim_ctx *c, ob__jw *w, int64_t message_id);

/* ---------------------------------------------------------------- registration
 * Each table is an array of rows ending with a {NULL, NULL, 0} row.
 * SIM_ACT_CONTROL: only for connections with the control token (others get
 * 1404 as for an unknown action). */
typedef int (*sim_handler)(sim_ctx *c);
enum { SIM_ACT_CONTROL = 1 };
typedef struct sim_action {
    const char *name;
    sim_handler fn;
    unsigned flags;
} sim_action;

/* The actions themselves: sim_actions.h, one list. */

/* ---------------------------------------------------------------- store (sim_store.c)
 * The SQLite schema is SIM_SCHEMA_SQL in sim_store.c, documented table by
 * table there. application_id 'OBSM', user_version SIM_SCHEMA_VERSION. */
#define SIM_APPLICATION_ID 0x4F42534D /* "OBSM" */
#define SIM_SCHEMA_VERSION 3
extern const char SIM_SCHEMA_SQL[];
/* Opens path (WAL, synchronous=FULL, foreign keys on), creates the schema in
 * an empty file, refuses a foreign/newer/corrupt one with a sentence in err.
 * *created is true when the schema was just made. */
int sim_store_open(const char *path, sqlite3 **db, bool *created, char *err, size_t errlen);
/* meta table (key → text). get returns false when absent. */
bool sim_meta_get_i64(sqlite3 *db, const char *key, int64_t *out);
int sim_meta_set_i64(sqlite3 *db, const char *key, int64_t v);
/* Fills an empty world with the demo (sim_demo.c). */
int sim_demo_create(sqlite3 *db, int64_t self_id, int64_t now, char *err, size_t errlen);

/* ---------------------------------------------------------------- SQL (sim_sql.c)
 * Every action file reaches SQLite through these. fmt has one letter per `?`
 * (in order): 'i' int64_t, 's' const char * (text; NULL binds NULL), 'b'
 * const void * then size_t (blob). */
/* Runs one statement. True when it ran to completion. */
bool sim_sql_exec(sim_ctx *c, const char *sql, const char *fmt, ...);
/* Prepares and binds; the caller steps (row by row) and finalizes.
 * NULL on an SQLite error. */
sqlite3_stmt *sim_sql_query(sim_ctx *c, const char *sql, const char *fmt, ...);
/* One integer: the first column of the first row into *out. 1 when there is
 * a row, 0 when none (*out untouched), -1 on an SQLite error. */
int sim_sql_i64(sim_ctx *c, int64_t *out, const char *sql, const char *fmt, ...);
/* Copy of text column col, owned by the ctx ("" for NULL); NULL on OOM. */
const char *sim_sql_text(sim_ctx *c, sqlite3_stmt *st, int col);

/* ---------------------------------------------------------------- download links (sim_http.c)
 * HTTP URLs on the simulator's own port that download a group file or the
 * bytes of a received media item with a plain GET (docs/simulator.md). Both
 * return the URL (ctx-owned), or NULL with the failure recorded. A group
 * file's link expires after an hour of simulated time and stops working
 * when the file is deleted; a media link never expires. */
const char *sim_link_group_file(sim_ctx *c, int64_t gid, const char *file_id, const char *name);
const char *sim_link_media(sim_ctx *c, const unsigned char *data, size_t len, const char *name);

/* ---------------------------------------------------------------- file arguments (sim_fileargs.c) */
/* Loads a file argument in NapCat's forms (docs/protocol.md §3.4): a local path
 * or file:// URI on the simulator host (a regular file, read only, and only
 * under the files root, --files-root), base64://, data:<mime>;base64,.
 * http(s):// cannot be fetched (the simulator has no network) and fails with
 * 1200. The bytes are owned by the ctx. On failure the reason is recorded and
 * false is returned. */
bool sim_load_file_arg(sim_ctx *c, const char *arg, const unsigned char **data, size_t *len);
/* For a file argument that is a local path or file:// URI: true when it
 * resolves (symlinks, "..") to something under the files root; else 1200
 * naming --files-root is recorded and false returned. Other forms: true. */
bool sim_file_arg_in_root(sim_ctx *c, const char *arg);
/* The path of a file:// URI (file:///p or file://localhost/p), percent-decoded
 * ('+' stays '+'; a '%' without two hex digits stays as is), owned by the
 * ctx. NULL when it is not an absolute local path, when a %00 would cut it,
 * or on OOM. */
const char *sim_file_uri_path(sim_ctx *c, const char *uri);
/* Checks a file or folder name given by a client: not empty, at most
 * SIM_NAME_BYTES bytes, no '/', '\\', control bytes, and not "." or "..".
 * Records 1400 naming key and returns false otherwise. */
bool sim_check_name(sim_ctx *c, const char *key, const char *name);

/* ---------------------------------------------------------------- group files (act_files.c) */
/* For send_group_msg (NapCat's post_group_file path, docs/protocol.md §3.4): a
 * `file` segment sent to a group uploads a group file into the root, exactly
 * as upload_group_file does (group_upload notice included). Call it before
 * storing the message, with the normalized segment array. Other segment
 * types are left alone. On success every file segment's upload is done and
 * true is returned; on failure the reason is recorded (1200/1400, as
 * upload_group_file) and false is returned: the handler returns SIM_ERR and
 * the transaction rolls the uploads back. */
bool sim_files_post_segments(sim_ctx *c, int64_t group_id, const char *segments_json);

#endif
