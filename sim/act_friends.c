/* Friends, as NapCat v4.18 handles them: the friend list (with
 * categories), stranger info, friend requests, remarks, deleting, likes
 * with QQ's daily limit, and the control actions that make the world's
 * people befriend the bot or ask to (docs/simulator.md, "Friends and
 * private chat"). The private chats themselves are act_private.c's; the
 * tables are in the schema (sim_store.c). */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* QQ's limit for an account without SVIP: 10 likes per person per day. */
#define SIM_LIKES_PER_DAY 10
/* ------------------------------------------------------------------ world */

int sim_is_friend(sim_ctx *c, int64_t uid) {
    int64_t one;
    int r = sim_sql_i64(c, &one, "SELECT 1 FROM friends WHERE bot_id=? AND user_id=?", "ii", sim_self_id(c), uid);
    if (r < 0) sim_db_fail(c);
    return r;
}

/* Creates the user when the world does not know it (nickname: the given
 * one, else "用户<id>"); a given nickname replaces the old one. */
static bool ensure_user(sim_ctx *c, int64_t uid, const char *nickname) {
    char fallback[40];
    snprintf(fallback, sizeof fallback, "用户%lld", (long long)uid);
    return sim_sql_exec(c, "INSERT OR IGNORE INTO users(user_id,nickname) VALUES(?,?)", "is", uid,
                        nickname ? nickname : fallback) &&
           (!nickname || sim_sql_exec(c, "UPDATE users SET nickname=? WHERE user_id=?", "si", nickname, uid));
}

bool sim_positive_user(sim_ctx *c, int64_t uid) {
    if (uid <= 0) return sim_fail(c, SIM_RC_BAD_PARAM, "user_id must be a positive id"), false;
    if (uid == sim_self_id(c)) return sim_fail(c, SIM_RC_BAD_PARAM, "user_id is the bot itself"), false;
    return true;
}

/* The friend_add notice QQ's gray tip turns into (NapCat: busiId 19324). */
static void emit_friend_add(sim_ctx *c, int64_t uid) {
    ob__jw *w = sim_event_begin(c, "notice", "friend_add", NULL);
    ob__jw_key_int(w, "user_id", uid);
    sim_event_end(c);
}

/* Makes uid a friend in an existing category (a no-op for one already);
 * false on a DB error. */
static bool add_friend(sim_ctx *c, int64_t uid, const char *remark, int64_t category) {
    return sim_sql_exec(c,
                        "INSERT OR IGNORE INTO friends(bot_id,user_id,remark,category_id,add_time) VALUES(?,?,?,?,?)",
                        "iisii", sim_self_id(c), uid, remark, category, sim_now(c));
}

static bool set_remark(sim_ctx *c, int64_t uid, const char *remark) {
    return sim_sql_exec(c, "UPDATE friends SET remark=? WHERE bot_id=? AND user_id=?", "sii", remark, sim_self_id(c),
                        uid);
}

/* ------------------------------------------------------------------ friend lists */

#define FRIEND_SELECT \
    "SELECT f.user_id, u.nickname, f.remark, u.sex, u.age, u.qq_level, f.category_id FROM friends f" \
    " JOIN users u ON u.user_id=f.user_id WHERE f.bot_id=? "

/* One friend as NapCat's OB11Construct.friends writes it (its key order). */
static bool write_friend(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    const char *nick = sim_sql_text(c, st, 1), *remark = sim_sql_text(c, st, 2), *sex = sim_sql_text(c, st, 3);
    ob__jw_obj(w);
    ob__jw_key_int(w, "birthday_year", 0);
    ob__jw_key_int(w, "birthday_month", 0);
    ob__jw_key_int(w, "birthday_day", 0);
    ob__jw_key_int(w, "user_id", sqlite3_column_int64(st, 0));
    ob__jw_key_int(w, "age", sqlite3_column_int64(st, 4));
    ob__jw_key_str(w, "phone_num", "");
    ob__jw_key_str(w, "email", "");
    ob__jw_key_int(w, "category_id", sqlite3_column_int64(st, 6));
    ob__jw_key_str(w, "nickname", nick ? nick : "");
    /* remark ?? nick: the nickname when no remark is set */
    ob__jw_key_str(w, "remark", remark && remark[0] ? remark : nick ? nick : "");
    ob__jw_key_str(w, "sex", sex ? sex : "unknown");
    ob__jw_key_int(w, "level", sqlite3_column_int64(st, 5));
    ob__jw_obj_end(w);
    return true;
}

/* Writes the bot's friends matching `where` ("AND ...", with one int64
 * bound when has_arg) as an array. */
static bool write_friends(sim_ctx *c, ob__jw *w, const char *where, bool has_arg, int64_t arg) {
    char sql[512];
    snprintf(sql, sizeof sql, "%s%s ORDER BY f.add_time, f.user_id", FRIEND_SELECT, where);
    sqlite3_stmt *st =
        has_arg ? sim_sql_query(c, sql, "ii", sim_self_id(c), arg) : sim_sql_query(c, sql, "i", sim_self_id(c));
    return sim_write_rows(c, w, st, write_friend);
}

/* get_friend_list {no_cache} */
int sim_act_get_friend_list(sim_ctx *c) {
    bool no_cache;
    if (!sim_opt_bool(c, "no_cache", false, &no_cache)) return SIM_ERR;
    if (!write_friends(c, sim_data(c), "", false, 0)) return sim_db_fail(c);
    return SIM_OK;
}

static bool category_row(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    int64_t id = sqlite3_column_int64(st, 0);
    ob__jw_obj(w);
    ob__jw_key_int(w, "categoryId", id);
    ob__jw_key_int(w, "categorySortId", sqlite3_column_int64(st, 1));
    ob__jw_key_str(w, "categoryName", sim_sql_text(c, st, 2));
    ob__jw_key_int(w, "categoryMbCount", sqlite3_column_int64(st, 3));
    ob__jw_key_int(w, "onlineCount", 0);
    ob__jw_key(w, "buddyList");
    bool ok = write_friends(c, w, "AND f.category_id=?", true, id);
    ob__jw_obj_end(w);
    return ok;
}

/* get_friends_with_category: every category, empty ones too, in QQ's order,
 * with NapCat's keys (categoryId, categorySortId, categoryName,
 * categoryMbCount, onlineCount, buddyList). */
int sim_act_get_friends_with_category(sim_ctx *c) {
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT k.category_id, k.sort_id, k.name,"
                                     " (SELECT count(*) FROM friends f WHERE f.bot_id=k.bot_id"
                                     "  AND f.category_id=k.category_id)"
                                     " FROM friend_categories k WHERE k.bot_id=? ORDER BY k.sort_id, k.category_id",
                                     "i", sim_self_id(c));
    return sim_write_rows(c, sim_data(c), st, category_row) ? SIM_OK : sim_db_fail(c);
}

/* get_stranger_info {user_id, no_cache}: NapCat spreads QQ's profile
 * objects (coreInfo, commonExt, baseInfo, status) and then sets its own
 * keys; a key already spread keeps its place with the new value. The world
 * keeps no qid, signature or registration time: "" and 0. */
int sim_act_get_stranger_info(sim_ctx *c) {
    int64_t uid;
    bool no_cache;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_bool(c, "no_cache", false, &no_cache)) return SIM_ERR;
    int known = sim_user_known(c, uid);
    if (known < 0) return SIM_ERR;
    if (known == 0) /* QQ's answer for a number it cannot resolve (NapCatQQ issue #696) */
        return sim_fail(c, SIM_RC_REFUSED,
                        "Timeout: NTEvent serviceAndMethod:NodeIKernelProfileService/fetchUserDetailInfo "
                        "ListenerName:NodeIKernelProfileListener/onUserDetailInfoChanged EventRet:\n{\n"
                        "    \"result\": 316,\n    \"errMsg\": \"账号转换错误：存在格式非法账号\",\n"
                        "    \"source\": 1,\n    \"detail\": {}\n}\n");
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT u.nickname, u.sex, u.age, u.qq_level, coalesce(f.remark,'') FROM users u"
                                     " LEFT JOIN friends f ON f.bot_id=? AND f.user_id=u.user_id WHERE u.user_id=?",
                                     "ii", sim_self_id(c), uid);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    const char *nick = rc == SQLITE_ROW ? sim_sql_text(c, st, 0) : NULL, *sex = nick ? sim_sql_text(c, st, 1) : NULL;
    const char *remark = sex ? sim_sql_text(c, st, 4) : NULL;
    int64_t age = remark ? sqlite3_column_int64(st, 2) : 0, level = remark ? sqlite3_column_int64(st, 3) : 0;
    sqlite3_finalize(st);
    if (!remark) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    /* coreInfo */
    sim_key_uid_uin(w, "uid", "uin", uid);
    ob__jw_key_str(w, "nick", nick);
    ob__jw_key_str(w, "remark", remark);
    /* commonExt */
    ob__jw_key_int(w, "constellation", 0);
    ob__jw_key_int(w, "shengXiao", 0);
    ob__jw_key_int(w, "kBloodType", 0);
    ob__jw_key_str(w, "homeTown", "0-0-0");
    ob__jw_key_int(w, "makeFriendCareer", 0);
    ob__jw_key_str(w, "pos", "");
    ob__jw_key_str(w, "college", "");
    ob__jw_key_str(w, "country", "");
    ob__jw_key_str(w, "province", "");
    ob__jw_key_str(w, "city", "");
    ob__jw_key_str(w, "postCode", "");
    ob__jw_key_str(w, "address", "");
    ob__jw_key_int(w, "regTime", 0);
    ob__jw_key_str(w, "interest", "");
    sim_key_empty_array(w, "labels");
    ob__jw_key_int(w, "qqLevel", level);
    /* baseInfo */
    ob__jw_key_str(w, "qid", "");
    ob__jw_key_str(w, "longNick", "");
    ob__jw_key_int(w, "birthday_year", 0);
    ob__jw_key_int(w, "birthday_month", 0);
    ob__jw_key_int(w, "birthday_day", 0);
    ob__jw_key_int(w, "age", age);
    ob__jw_key_str(w, "sex", sex);
    ob__jw_key_str(w, "eMail", "");
    ob__jw_key_str(w, "phoneNum", "");
    ob__jw_key_int(w, "categoryId", SIM_DEFAULT_CATEGORY);
    ob__jw_key_int(w, "richTime", 0);
    ob__jw_key_str(w, "richBuffer", "");
    /* status, then NapCat's own keys */
    ob__jw_key_int(w, "status", 20);
    ob__jw_key_int(w, "extStatus", 0);
    ob__jw_key_int(w, "user_id", uid);
    ob__jw_key_str(w, "nickname", nick);
    ob__jw_key_str(w, "long_nick", "");
    ob__jw_key_int(w, "reg_time", 0);
    ob__jw_key_bool(w, "is_vip", false);
    ob__jw_key_bool(w, "is_years_vip", false);
    ob__jw_key_int(w, "vip_level", 0);
    ob__jw_key_int(w, "login_days", 0); /* NapCat: always 0 (失效) */
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ friend management */

/* set_friend_remark {user_id, remark} */
int sim_act_set_friend_remark(sim_ctx *c) {
    int64_t uid;
    const char *remark;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_get_str(c, "remark", SIM_MAX_NAME, &remark)) return SIM_ERR;
    int f = sim_is_friend(c, uid);
    if (f < 0) return SIM_ERR;
    if (f == 0) return sim_fail(c, SIM_RC_REFUSED, "用户 %lld 不是好友", (long long)uid);
    if (!set_remark(c, uid, remark)) return sim_db_fail(c);
    sim_data_absent(c); /* NapCat's handler returns nothing */
    return SIM_OK;
}

/* delete_friend {friend_id or user_id, temp_block, temp_both_del}: NapCat
 * answers ok with {valid:false, message} for someone who is no friend, and
 * QQ's answer ({result, errMsg}) otherwise. The chat history stays. */
int sim_act_delete_friend(sim_ctx *c) {
    int64_t uid = 0;
    bool block, both;
    if (!sim_opt_i64(c, "friend_id", 0, &uid) || (!sim_has(c, "friend_id") && !sim_opt_i64(c, "user_id", 0, &uid)) ||
        !sim_opt_bool(c, "temp_block", false, &block) || !sim_opt_bool(c, "temp_both_del", false, &both))
        return SIM_ERR;
    int known = uid > 0 ? sim_user_known(c, uid) : 0, f = known == 1 ? sim_is_friend(c, uid) : 0;
    if (known < 0 || f < 0) return SIM_ERR;
    if (f == 1) {
        if (!sim_sql_exec(c, "DELETE FROM friends WHERE bot_id=? AND user_id=?", "ii", sim_self_id(c), uid))
            return sim_db_fail(c);
        return sim_raw_answer(c, "errMsg", 0, "");
    }
    const char *no =
        known ? "{\"valid\":false,\"message\":\"不是好友\"}" : "{\"valid\":false,\"message\":\"好友不存在\"}";
    ob__jw_raw(sim_data(c), no, strlen(no));
    return SIM_OK;
}

/* set_friend_add_request {flag, approve (absent: approve, as NapCat's
 * `approve?.toString() !== 'false'`), remark}. An unknown flag is NapCat's
 * "No such request"; a request already handled is found again and QQ
 * ignores the second answer: a false success. Approving makes a friend
 * (friend_add notice); the remark is set on the new friend. */
int sim_act_set_friend_add_request(sim_ctx *c) {
    const char *flag, *remark;
    bool approve;
    if (!sim_get_str(c, "flag", SIM_MAX_NAME, &flag) || !sim_opt_bool(c, "approve", true, &approve) ||
        !sim_opt_str(c, "remark", "", SIM_MAX_NAME, &remark))
        return SIM_ERR;
    sqlite3_stmt *st = sim_sql_query(c, "SELECT user_id, state FROM friend_requests WHERE flag=? AND bot_id=?", "si",
                                     flag, sim_self_id(c));
    if (!st) return sim_db_fail(c);
    int rc = sqlite3_step(st);
    int64_t uid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    bool pending = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 1), "pending") == 0;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return sim_fail(c, SIM_RC_REFUSED, "No such request");
    if (rc != SQLITE_ROW) return sim_db_fail(c);
    sim_data_absent(c); /* NapCat's handler returns nothing */
    if (!pending) return sim_false_success(c, "friend request %s was already handled", flag);
    if (!sim_sql_exec(c, "UPDATE friend_requests SET state=? WHERE flag=? AND bot_id=?", "ssi",
                      approve ? "approved" : "rejected", flag, sim_self_id(c)))
        return sim_db_fail(c);
    if (!approve) return SIM_OK;
    int f = sim_is_friend(c, uid);
    if (f < 0) return SIM_ERR;
    if (!add_friend(c, uid, remark, SIM_DEFAULT_CATEGORY) || (remark[0] && !set_remark(c, uid, remark)))
        return sim_db_fail(c);
    if (f == 0) emit_friend_add(c, uid);
    return SIM_OK;
}

/* send_like {user_id, times=1}: QQ counts likes per person per day and
 * stops at 10 (accounts without SVIP); likes past the limit are dropped,
 * and once none are left the call fails as QQ answers then. */
int sim_act_send_like(sim_ctx *c) {
    int64_t uid, times;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_i64(c, "times", 1, &times)) return SIM_ERR;
    int known = sim_user_known(c, uid);
    if (known < 0) return SIM_ERR;
    if (known == 0 || uid == sim_self_id(c))
        return sim_fail(c, SIM_RC_REFUSED, "点赞失败 (user %lld cannot be liked: not in the simulated world)",
                        (long long)uid);
    if (times < 1) return sim_fail(c, SIM_RC_REFUSED, "点赞失败 (times must be at least 1)");
    time_t t = (time_t)sim_now(c);
    struct tm tm;
    char day[16];
    if (!gmtime_r(&t, &tm) || strftime(day, sizeof day, "%Y-%m-%d", &tm) == 0)
        return sim_fail(c, SIM_RC_REFUSED, "the simulated clock is out of range");
    int64_t used = 0;
    if (sim_sql_i64(c, &used, "SELECT count FROM likes WHERE bot_id=? AND user_id=? AND day=?", "iis", sim_self_id(c),
                    uid, day) < 0)
        return sim_db_fail(c);
    if (used >= SIM_LIKES_PER_DAY) return sim_fail(c, SIM_RC_REFUSED, "点赞失败 今日同一好友点赞数已达上限");
    int64_t add = times < SIM_LIKES_PER_DAY - used ? times : SIM_LIKES_PER_DAY - used;
    if (!sim_sql_exec(c,
                      "INSERT INTO likes(bot_id,user_id,day,count) VALUES(?,?,?,?)"
                      " ON CONFLICT(bot_id,user_id,day) DO UPDATE SET count=count+excluded.count",
                      "iisi", sim_self_id(c), uid, day, add))
        return sim_db_fail(c);
    sim_data_absent(c); /* NapCat's handler returns nothing */
    return SIM_OK;
}

/* ------------------------------------------------------------------ control actions */

/* sim_add_friend {user_id, remark="", nickname, category_id=1,
 * category_name}: the user (created when unknown) becomes the bot's friend,
 * as when they accept the bot's request: friend_add notice. A new
 * category_id makes the category (named category_name, else "分组<id>"). */
int sim_act_sim_add_friend(sim_ctx *c) {
    int64_t uid, category;
    const char *remark, *nick, *cname;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_str(c, "remark", "", SIM_MAX_NAME, &remark) ||
        !sim_opt_str(c, "nickname", NULL, SIM_MAX_NAME, &nick) ||
        !sim_opt_i64(c, "category_id", SIM_DEFAULT_CATEGORY, &category) ||
        !sim_opt_str(c, "category_name", NULL, SIM_MAX_NAME, &cname))
        return SIM_ERR;
    if (!sim_positive_user(c, uid)) return SIM_ERR;
    if (category < 0) return sim_fail(c, SIM_RC_BAD_PARAM, "category_id must not be negative");
    int f = sim_is_friend(c, uid);
    if (f < 0) return SIM_ERR;
    if (f == 1) return sim_fail(c, SIM_RC_REFUSED, "user %lld is already the bot's friend", (long long)uid);
    char fallback[40];
    snprintf(fallback, sizeof fallback, "分组%lld", (long long)category);
    if (!sim_sql_exec(c, "INSERT OR IGNORE INTO friend_categories(bot_id,category_id,name,sort_id) VALUES(?,?,?,?)",
                      "iisi", sim_self_id(c), category, cname ? cname : fallback, category) ||
        (cname && !sim_sql_exec(c, "UPDATE friend_categories SET name=? WHERE bot_id=? AND category_id=?", "sii", cname,
                                sim_self_id(c), category)) ||
        !ensure_user(c, uid, nick) || !add_friend(c, uid, remark, category))
        return sim_db_fail(c);
    emit_friend_add(c, uid);
    return SIM_OK;
}

/* sim_friend_request {user_id, comment="", nickname} → {flag}: someone asks
 * to be the bot's friend: request.friend with the flag (QQ's reqTime, a
 * timestamp string). */
int sim_act_sim_friend_request(sim_ctx *c) {
    int64_t uid;
    const char *comment, *nick;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_opt_str(c, "comment", "", SIM_MAX_TEXT, &comment) ||
        !sim_opt_str(c, "nickname", NULL, SIM_MAX_NAME, &nick))
        return SIM_ERR;
    if (!sim_positive_user(c, uid)) return SIM_ERR;
    int f = sim_is_friend(c, uid);
    if (f < 0) return SIM_ERR;
    if (f == 1) return sim_fail(c, SIM_RC_REFUSED, "user %lld is already the bot's friend", (long long)uid);
    int64_t seq = sim_next_id(c, "request");
    if (seq < 0 || !ensure_user(c, uid, nick)) return sim_db_fail(c);
    char flag[40];
    snprintf(flag, sizeof flag, "%lld%06lld", (long long)sim_now(c), (long long)(seq % 1000000));
    if (!sim_sql_exec(c, "INSERT INTO friend_requests(flag,bot_id,user_id,comment,time) VALUES(?,?,?,?,?)", "siisi",
                      flag, sim_self_id(c), uid, comment, sim_now(c)))
        return sim_db_fail(c);
    ob__jw *w = sim_event_begin(c, "request", "friend", NULL);
    ob__jw_key_int(w, "user_id", uid);
    return sim_request_filed(c, w, comment, flag);
}
