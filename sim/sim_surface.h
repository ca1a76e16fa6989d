/* Internal to the simulator's wider NapCat surface (act_account.c,
 * act_album.c, act_extras.c, act_fixed.c, act_friends.c, act_private.c,
 * act_social.c, act_system.c): the helpers they share (sim_surface.c) and
 * the fake values of what no simulated QQ can do (docs/simulator.md, "What
 * the simulator fakes"). */
#ifndef SIM_SURFACE_H
#define SIM_SURFACE_H

#include "sim_internal.h"

#define SIM_FAKE_SKEY "@SIMFAKE0"
#define SIM_FAKE_PSKEY "sim-fake-cookie-pskey"
#define SIM_FAKE_RKEY_PRIVATE "&rkey=SIMFAKE_PRIVATE_RKEY"
#define SIM_FAKE_RKEY_GROUP "&rkey=SIMFAKE_GROUP_RKEY"
#define SIM_FAKE_RKEY_TTL 3600
/* send_packet's answer: "SIMFAKE" in hex. */
#define SIM_FAKE_PACKET_HEX "53494d46414b45"
/* The category every new friend lands in ("我的好友", in the schema). */
#define SIM_DEFAULT_CATEGORY 1

/* 1 when the world knows the QQ account (else NapCat cannot map the uin to
 * a uid), 0 when not, -1 on a DB error (the failure then recorded). */
int sim_user_known(sim_ctx *c, int64_t uid);
/* The account's nickname, ctx-owned ("" for an unknown one); NULL on a DB
 * error or OOM (the failure then recorded). */
const char *sim_user_nickname(sim_ctx *c, int64_t uid);
/* QQ's uid of a uin as the simulator shows it: "u_sim<uin>". */
#define SIM_UID_BYTES 40
void sim_uid_of(int64_t uin, char out[SIM_UID_BYTES]);

/* The MD5 of data in lowercase hex ("" if OpenSSL fails). */
#define SIM_MD5_HEX_BYTES 33
void sim_md5_hex(const unsigned char *data, size_t len, char out[SIM_MD5_HEX_BYTES]);

/* The data is QQ's raw answer to a change, {result, <err_key>}: err_key is
 * "errMsg" for most services, "errMs" for the album's. Returns SIM_OK. */
int sim_raw_answer(sim_ctx *c, const char *err_key, int result, const char *err);
/* "key":"<v>": QQ's numbers that travel as strings. */
void sim_key_int_str(ob__jw *w, const char *key, int64_t v);

/* "<uid_key>":"u_sim<uin>","<uin_key>":"<uin>": QQ's two names of an
 * account, as its profile objects carry them. */
void sim_key_uid_uin(ob__jw *w, const char *uid_key, const char *uin_key, int64_t uin);
/* The data is the object {key: value} (sim_data_int's string twin). */
void sim_data_str(sim_ctx *c, const char *key, const char *value);
/* Opens the data object of QQ's raw answer to a query, {<code_key>: 0,
 * "errMsg": "", ...}, and returns the writer to add the rest and close it. */
ob__jw *sim_data_qq_ok(sim_ctx *c, const char *code_key);

/* Writes the rows of st as an array into w, each by row, and finalizes
 * st (NULL: a DB error already). False on a DB error or when row fails;
 * the caller records it (sim_db_fail). */
typedef bool (*sim_row_fn)(sim_ctx *c, ob__jw *w, sqlite3_stmt *st);
bool sim_write_rows(sim_ctx *c, ob__jw *w, sqlite3_stmt *st, sim_row_fn row);

/* Reads the group_id param and loads the group for an information action;
 * an unknown one is NapCat's 1200 "获取群信息失败: 群G不存在". True when
 * loaded into g. */
bool sim_group_info_param(sim_ctx *c, sim_group *g);
/* The keys NapCat sets on a QQ group card it passes on (get_group_info of a
 * group the bot is not in, get_group_detail_info): group_all_shut,
 * group_remark (""), group_id, group_name, member_count, max_member_count. */
void sim_write_group_keys(ob__jw *w, const sim_group *g);

/* Ends a request event (request.group or request.friend, opened by the
 * caller with its own keys written) with its comment and flag, and makes
 * the reply's data {flag} (the control actions that file a request).
 * Returns SIM_OK. */
int sim_request_filed(sim_ctx *c, ob__jw *ev, const char *comment, const char *flag);

/* Writes "raw_info":[...] of a notify/poke notice, QQ's gray-tip items
 * (the poker, the action's image, the verb, the target, a suffix), into the
 * event w is writing (act_social.c for groups, act_private.c for chats). */
void sim_write_poke_raw_info(ob__jw *w, int64_t sender, int64_t target);

/* The private chats (act_private.c). get_msg and delete_msg for a message
 * id that names a private message: the reply is written and SIM_OK or
 * SIM_ERR returned; 1 when the id names none (the group path goes on). */
int sim_private_msg_action(sim_ctx *c, int64_t message_id, bool recall);
/* One get_recent_contact entry for the bot's private chat whose latest
 * message is message_id; false on a DB error or OOM. */
bool sim_private_contact(sim_ctx *c, ob__jw *w, int64_t message_id);
/* The message history (act_history.c): reads NapCat's params
 * {message_seq, count=20, reverse_order | reverseOrder,
 * parse_mult_msg=true} and answers {messages:[...]}, oldest first, from the
 * chat's messages that select names ("SELECT <cols> FROM ... WHERE <the
 * chat>", ids written in; the rows need message_id and recalled columns).
 * Without message_seq (or "0"/""): the newest count messages. With it: count
 * messages from that one on toward newer ones, or reversed toward older
 * ones, that one included either way (NapCat's getMsgsIncludeSelf;
 * NapCatQQ#987); QQ finds nothing from an id not in the chat. Recalled
 * messages are left out. Nothing to return: 1200 消息<message_seq>不存在
 * ("undefined" when none was given). row writes one message object;
 * *budget is how many forwards' inner messages may still be shown (0 when
 * parse_mult_msg is false). Returns what the handler returns. */
typedef bool (*sim_history_row_fn)(sim_ctx *c, ob__jw *w, sqlite3_stmt *st, int *budget);
int sim_history_reply(sim_ctx *c, const char *select, sim_history_row_fn row);

/* The reply to a send: data {message_id}, plus res_id and forward_id
 * when res_id (a forward). Returns SIM_OK. */
int sim_sent_reply(sim_ctx *c, int64_t message_id, const char *res_id);

/* QQ lets anyone recall their own message within 2 minutes. */
#define SIM_RECALL_OWN_SECONDS 120
/* Friends (act_friends.c): the user_id of a control action must be a
 * positive id other than the bot's (else 1400, recorded). */
bool sim_positive_user(sim_ctx *c, int64_t uid);
/* Posts a message from the bot into its chat with uid, a user QQ knows
 * (the friend chat, else the temporary chat of an earlier one): the new
 * message's id, or -1 with the failure recorded (QQ does not deliver). */
int64_t sim_private_send(sim_ctx *c, int64_t uid, const char *segs, const char *raw);
/* 1 / 0 is the bot's friend, -1 on a DB error (the failure then recorded). */
int sim_is_friend(sim_ctx *c, int64_t uid);

#endif
