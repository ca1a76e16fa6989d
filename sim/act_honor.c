/* Group honors (get_group_honor_info, docs/protocol.md §2.3) and group sign-in
 * (set_group_sign / send_group_sign, §2.2).
 *
 * QQ computes honors on its servers; the simulator derives them from the
 * stored messages of the last 7 days on the simulated clock (recalled
 * messages do not count; only current members are listed):
 *   talkative (龙王)      every member who spoke, most messages first (ties:
 *                         the lower user id), at most 10; current_talkative is the first, {} if none;
 *   performer (群聊之火)  members who spoke on at least 3 distinct days;
 *   legend (群聊炽焰)     members who spoke on at least 5 distinct days;
 *   emotion (快乐源泉)    members with at least 3 messages holding an image,
 *                         face or mface segment;
 *   strong_newbie         always [] (NapCat: QQ removed it).
 * Rows of the `honors` table are added after the computed entries of their
 * kind (users already listed are not repeated), so a test can pin an honor.
 * As NapCat, every key is always present; lists of kinds not asked for are
 * []; a group the bot cannot see gives empty lists, not an error (NapCat's
 * failed web fetch); an unknown type is a 1400 (schema enum). Entries are
 * {user_id, nickname, avatar, description}, without day_count.
 *
 * Sign-in: one row per group, bot and UTC day of the simulated clock; a
 * second sign-in on the same day is accepted and changes nothing. The reply
 * has no data key, as NapCat's void handler. */
#include "sim_actions.h"
#include "sim_internal.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HONOR_WINDOW_DAYS 7
#define TALKATIVE_MAX 10

/* One honor kind: how its members are chosen and described. Each query
 * takes (group_id, window start) and yields (user_id, nickname, n). */
typedef struct honor_kind {
    const char *type; /* the `type` value that asks for it */
    const char *list_key;
    const char *table_kind; /* honors.kind */
    const char *sql;
    const char *description; /* printf with n */
} honor_kind;

#define RECENT_MESSAGES \
    " FROM messages msg JOIN members mb ON mb.group_id=msg.group_id AND mb.user_id=msg.user_id" \
    " JOIN users u ON u.user_id=msg.user_id" \
    " WHERE msg.group_id=?1 AND msg.time>=?2 AND msg.recalled=0"

static const honor_kind honor_kinds[] = {
    {"talkative", "talkative_list", "talkative",
     "SELECT msg.user_id, u.nickname, count(*) AS n" RECENT_MESSAGES
     " GROUP BY msg.user_id ORDER BY n DESC, msg.user_id ASC LIMIT 10",
     "近7天发言%lld条"},
    {"performer", "performer_list", "performer",
     "SELECT msg.user_id, u.nickname, count(DISTINCT msg.time/86400) AS n" RECENT_MESSAGES
     " GROUP BY msg.user_id HAVING n>=3 ORDER BY n DESC, msg.user_id ASC",
     "近7天有%lld天发言"},
    {"legend", "legend_list", "legend",
     "SELECT msg.user_id, u.nickname, count(DISTINCT msg.time/86400) AS n" RECENT_MESSAGES
     " GROUP BY msg.user_id HAVING n>=5 ORDER BY n DESC, msg.user_id ASC",
     "近7天有%lld天发言"},
    {"emotion", "emotion_list", "emotion",
     "SELECT msg.user_id, u.nickname, count(*) AS n" RECENT_MESSAGES
     " AND EXISTS (SELECT 1 FROM json_each(msg.segments) j"
     "             WHERE json_extract(j.value,'$.type') IN ('image','face','mface'))"
     " GROUP BY msg.user_id HAVING n>=3 ORDER BY n DESC, msg.user_id ASC",
     "近7天发图片/表情%lld次"},
};

static void write_entry(ob__jw *w, int64_t uid, const char *nickname, const char *description) {
    char avatar[96];
    snprintf(avatar, sizeof avatar, "https://q1.qlogo.cn/g?b=qq&nk=%lld&s=640", (long long)uid);
    ob__jw_obj(w);
    ob__jw_key_int(w, "user_id", uid);
    ob__jw_key_str(w, "nickname", nickname);
    ob__jw_key_str(w, "avatar", avatar);
    ob__jw_key_str(w, "description", description);
    ob__jw_obj_end(w);
}

/* Writes the list of one kind into its own buffer (the first entry is also
 * current_talkative). false on a DB error. */
static bool build_list(sim_ctx *c, const honor_kind *k, int64_t gid, int64_t since, ob__jw *out, ob__jw *first) {
    ob__jw_arr(out);
    int64_t listed[TALKATIVE_MAX + 64];
    size_t nlisted = 0;
    bool ok = true;
    sqlite3_stmt *st = sim_sql_query(c, k->sql, "ii", gid, since);
    if (!st) return false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t uid = sqlite3_column_int64(st, 0);
        const char *nick = (const char *)sqlite3_column_text(st, 1);
        char desc[96];
        snprintf(desc, sizeof desc, k->description, (long long)sqlite3_column_int64(st, 2));
        write_entry(out, uid, nick ? nick : "", desc);
        if (first && nlisted == 0) write_entry(first, uid, nick ? nick : "", desc);
        if (nlisted < sizeof listed / sizeof listed[0]) listed[nlisted++] = uid;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return false;
    st = sim_sql_query(
        c,
        "SELECT h.user_id, coalesce(u.nickname,''), h.description FROM honors h LEFT JOIN users u ON u.user_id=h.user_id"
        " WHERE h.group_id=? AND h.kind=? ORDER BY h.rowid",
        "is", gid, k->table_kind);
    if (!st) return false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t uid = sqlite3_column_int64(st, 0);
        bool seen = false;
        for (size_t i = 0; i < nlisted; i++) seen = seen || listed[i] == uid;
        if (seen) continue;
        const char *nick = (const char *)sqlite3_column_text(st, 1), *desc = (const char *)sqlite3_column_text(st, 2);
        write_entry(out, uid, nick ? nick : "", desc ? desc : "");
        if (first && nlisted == 0) write_entry(first, uid, nick ? nick : "", desc ? desc : "");
        if (nlisted < sizeof listed / sizeof listed[0]) listed[nlisted++] = uid;
    }
    sqlite3_finalize(st);
    ok = rc == SQLITE_DONE;
    ob__jw_arr_end(out);
    return ok;
}

int sim_act_get_group_honor_info(sim_ctx *c) {
    static const char *const types[] = {"all", "talkative", "performer", "legend", "strong_newbie", "emotion", NULL};
    int64_t gid;
    const char *type;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_str(c, "type", "all", 32, &type)) return SIM_ERR;
    bool known = false;
    for (int i = 0; types[i]; i++) known = known || strcmp(types[i], type) == 0;
    if (!known)
        return sim_fail(c, SIM_RC_BAD_PARAM,
                        "Schema compilation error: type: Expected union value "
                        "(all, talkative, performer, legend, strong_newbie, emotion), got \"%s\"",
                        type);
    bool visible = sim_bot_role(c, gid) != SIM_ROLE_NONE;
    int64_t since = sim_now(c) - HONOR_WINDOW_DAYS * 86400;
    bool all = strcmp(type, "all") == 0;
    ob__jw lists[sizeof honor_kinds / sizeof honor_kinds[0]];
    ob__jw current = {0};
    bool ok = true;
    memset(lists, 0, sizeof lists);
    for (size_t i = 0; i < sizeof honor_kinds / sizeof honor_kinds[0]; i++) {
        const honor_kind *k = &honor_kinds[i];
        bool is_talkative = strcmp(k->type, "talkative") == 0;
        if (ok && visible && (all || strcmp(type, k->type) == 0)) {
            ok = build_list(c, k, gid, since, &lists[i], is_talkative ? &current : NULL);
        } else {
            ob__jw_arr(&lists[i]);
            ob__jw_arr_end(&lists[i]);
        }
    }
    if (ok) {
        ob__jw *w = sim_data(c);
        ob__jw_obj(w);
        ob__jw_key_int(w, "group_id", gid);
        ob__jw_key(w, "current_talkative");
        if (current.b.len) ob__jw_raw(w, current.b.p, current.b.len);
        else {
            ob__jw_obj(w);
            ob__jw_obj_end(w);
        }
        for (size_t i = 0; i < sizeof honor_kinds / sizeof honor_kinds[0]; i++) {
            ob__jw_key(w, honor_kinds[i].list_key);
            ob__jw_raw(w, lists[i].b.p ? lists[i].b.p : "[]", lists[i].b.p ? lists[i].b.len : 2);
        }
        sim_key_empty_array(w, "strong_newbie_list");
        ob__jw_obj_end(w);
    }
    for (size_t i = 0; i < sizeof honor_kinds / sizeof honor_kinds[0]; i++) ob__buf_free(&lists[i].b);
    ob__buf_free(&current.b);
    return ok ? SIM_OK : sim_db_fail(c);
}

int sim_act_set_group_sign(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    int64_t now = sim_now(c);
    time_t t = (time_t)now;
    struct tm tm;
    char day[16];
    if (!gmtime_r(&t, &tm) || strftime(day, sizeof day, "%Y-%m-%d", &tm) == 0)
        return sim_fail(c, SIM_RC_REFUSED, "the simulated clock is out of range");
    if (!sim_sql_exec(c, "INSERT OR IGNORE INTO signins(group_id,user_id,day,time) VALUES(?,?,?,?)", "iisi", gid,
                      sim_self_id(c), day, now))
        return sim_db_fail(c);
    sim_data_absent(c);
    return SIM_OK;
}
