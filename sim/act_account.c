/* Simulator actions: the bot's account where QQ keeps what the simulated
 * world does not have (cookies, keys, online status, profile cards), with
 * obviously fake values (docs/simulator.md, "What the simulator fakes").
 * set_qq_profile renames the bot (get_login_info shows it) and
 * set_online_status is what nc_get_user_status reports for the bot; the
 * rest only answers in NapCat's shape, NapCat's schema rules still
 * holding (a missing required key is 1400). The constant answers are
 * act_fixed.c's rows. */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdio.h>
#include <string.h>

/* NapCat's bkn of an skey (WebApi.getBknFromSKey: hash = hash + (hash << 5)
 * + code over UTF-16 units, in JavaScript's int32 shifts). The fake keys are
 * ASCII. */
static int64_t bkn_of(const char *key) {
    int64_t hash = 5381;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        hash = hash + (int64_t)(int32_t)((uint32_t)hash << 5) + *p;
    return (int64_t)((uint32_t)hash & 0x7FFFFFFFu);
}

/* ------------------------------------------------------------------ cookies and keys */

/* get_cookies {domain} → {cookies, bkn}: qzone domains take the bkn of
 * p_skey, the others that of skey (NapCat's rule). get_credentials
 * {domain} → {cookies, token}: the skey's bkn, a number. The cookie jar is
 * fake, joined as NapCat joins it ("k=v; k=v"). */
static int cookie_jar(sim_ctx *c, bool credentials) {
    const char *domain;
    if (!sim_get_str(c, "domain", SIM_MAX_NAME, &domain)) return SIM_ERR;
    char jar[256];
    long long self = (long long)sim_self_id(c);
    snprintf(jar, sizeof jar, "p_skey=%s; p_uin=o%lld; skey=%s; uin=o%lld", SIM_FAKE_PSKEY, self, SIM_FAKE_SKEY, self);
    int64_t bkn = bkn_of(!credentials && strstr(domain, "qzone.qq.com") ? SIM_FAKE_PSKEY : SIM_FAKE_SKEY);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_str(w, "cookies", jar);
    if (credentials) ob__jw_key_int(w, "token", bkn);
    else sim_key_int_str(w, "bkn", bkn);
    ob__jw_obj_end(w);
    return SIM_OK;
}

int sim_act_get_cookies(sim_ctx *c) { return cookie_jar(c, false); }

int sim_act_get_credentials(sim_ctx *c) { return cookie_jar(c, true); }

/* get_csrf_token {} → {token}: the bkn of the fake skey. */
int sim_act_get_csrf_token(sim_ctx *c) {
    sim_data_int(c, "token", bkn_of(SIM_FAKE_SKEY));
    return SIM_OK;
}

/* The two fake rkeys: get_rkey {} → QQ's raw list [{rkey, ttl, time,
 * type}] (type 10 private, 20 group; ttl a uint64, sent as a string);
 * nc_get_rkey {} → NapCat's [{type: "private"|"group", rkey, created_at,
 * ttl}]. */
static int rkey_list(sim_ctx *c, bool napcat) {
    static const struct {
        const char *name, *rkey;
        int type;
    } keys[] = {{"private", SIM_FAKE_RKEY_PRIVATE, 10}, {"group", SIM_FAKE_RKEY_GROUP, 20}};
    ob__jw *w = sim_data(c);
    ob__jw_arr(w);
    for (int i = 0; i < 2; i++) {
        ob__jw_obj(w);
        if (napcat) ob__jw_key_str(w, "type", keys[i].name);
        ob__jw_key_str(w, "rkey", keys[i].rkey);
        if (napcat) {
            ob__jw_key_int(w, "created_at", sim_now(c));
            ob__jw_key_int(w, "ttl", SIM_FAKE_RKEY_TTL);
        } else {
            sim_key_int_str(w, "ttl", SIM_FAKE_RKEY_TTL);
            ob__jw_key_int(w, "time", sim_now(c));
            ob__jw_key_int(w, "type", keys[i].type);
        }
        ob__jw_obj_end(w);
    }
    ob__jw_arr_end(w);
    return SIM_OK;
}

int sim_act_get_rkey(sim_ctx *c) { return rkey_list(c, false); }

int sim_act_nc_get_rkey(sim_ctx *c) { return rkey_list(c, true); }

/* get_rkey_server {} → {private_rkey, group_rkey, expired_time, name}. */
int sim_act_get_rkey_server(sim_ctx *c) {
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_str(w, "private_rkey", SIM_FAKE_RKEY_PRIVATE);
    ob__jw_key_str(w, "group_rkey", SIM_FAKE_RKEY_GROUP);
    ob__jw_key_int(w, "expired_time", sim_now(c) + SIM_FAKE_RKEY_TTL);
    ob__jw_key_str(w, "name", "NapCat 4");
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ the account */

/* nc_get_user_status {user_id} → {status, ext_status}: 10 (online) for
 * everyone the world knows; the bot's is what set_online_status set. An
 * unknown user: NapCat's 无法获取用户状态. */
int sim_act_nc_get_user_status(sim_ctx *c) {
    int64_t uid;
    if (!sim_get_i64(c, "user_id", &uid)) return SIM_ERR;
    if (sim_user_known(c, uid) != 1) return sim_fail(c, SIM_RC_REFUSED, "无法获取用户状态");
    int64_t status = 10, ext = 0;
    if (uid == sim_self_id(c)) {
        sim_meta_get_i64(sim_db(c), "online_status", &status);
        sim_meta_get_i64(sim_db(c), "online_ext_status", &ext);
    }
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "status", status);
    ob__jw_key_int(w, "ext_status", ext);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* set_online_status {status, ext_status, battery_status}: kept for
 * nc_get_user_status; data null. */
int sim_act_set_online_status(sim_ctx *c) {
    int64_t status, ext, battery;
    if (!sim_get_i64(c, "status", &status) || !sim_get_i64(c, "ext_status", &ext) ||
        !sim_get_i64(c, "battery_status", &battery))
        return SIM_ERR;
    if (sim_meta_set_i64(sim_db(c), "online_status", status) != 0 ||
        sim_meta_set_i64(sim_db(c), "online_ext_status", ext) != 0 ||
        sim_meta_set_i64(sim_db(c), "battery_status", battery) != 0)
        return sim_db_fail(c);
    return SIM_OK;
}

/* set_input_status {user_id, event_type} → QQ's {result, errMsg}. */
int sim_act_set_input_status(sim_ctx *c) {
    int64_t uid, type;
    if (!sim_get_i64(c, "user_id", &uid) || !sim_get_i64(c, "event_type", &type)) return SIM_ERR;
    if (sim_user_known(c, uid) != 1) return sim_fail(c, SIM_RC_REFUSED, "uid is empty");
    return sim_raw_answer(c, "errMsg", 0, "");
}

static bool meta_set_text(sim_ctx *c, const char *key, const char *value) {
    return sim_sql_exec(c,
                        "INSERT INTO meta(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                        "ss", key, value);
}

/* set_qq_profile {nickname, personal_note?, sex?} → QQ's {result, errMsg}:
 * the bot's nickname (and sex: 0 unknown, 1 male, 2 female) change in the
 * world; the signature is kept in meta 'long_nick'. */
int sim_act_set_qq_profile(sim_ctx *c) {
    const char *nick, *note, *sex;
    if (!sim_get_str(c, "nickname", SIM_MAX_NAME, &nick) ||
        !sim_opt_str(c, "personal_note", NULL, SIM_MAX_TEXT, &note) || !sim_opt_str(c, "sex", NULL, 8, &sex))
        return SIM_ERR;
    if (!nick[0]) return sim_raw_answer(c, "errMsg", -1, "nickname is empty");
    const char *sex_name = !sex                    ? NULL
                           : strcmp(sex, "1") == 0 ? "male"
                           : strcmp(sex, "2") == 0 ? "female"
                           : strcmp(sex, "0") == 0 ? "unknown"
                                                   : NULL;
    int64_t self = sim_self_id(c);
    if (!sim_sql_exec(c, "UPDATE users SET nickname=? WHERE user_id=?", "si", nick, self) ||
        (sex_name && !sim_sql_exec(c, "UPDATE users SET sex=? WHERE user_id=?", "si", sex_name, self)) ||
        (note && !meta_set_text(c, "long_nick", note)))
        return sim_db_fail(c);
    return sim_raw_answer(c, "errMsg", 0, "");
}

/* set_self_longnick {longNick} → QQ's {result, errMsg}; kept in meta
 * 'long_nick'. */
int sim_act_set_self_longnick(sim_ctx *c) {
    const char *note;
    if (!sim_get_str(c, "longNick", SIM_MAX_TEXT, &note)) return SIM_ERR;
    if (!meta_set_text(c, "long_nick", note)) return sim_db_fail(c);
    return sim_raw_answer(c, "errMsg", 0, "");
}

/* get_profile_like {user_id?, start=0, count=10} → QQ's like card of the
 * user (the bot without user_id): nobody has liked anyone yet. */
int sim_act_get_profile_like(sim_ctx *c) {
    int64_t uid, start, count;
    if (!sim_opt_i64(c, "user_id", sim_self_id(c), &uid) || !sim_opt_i64(c, "start", 0, &start) ||
        !sim_opt_i64(c, "count", 10, &count))
        return SIM_ERR;
    if (sim_user_known(c, uid) != 1) return sim_fail(c, SIM_RC_REFUSED, "get info error");
    char uidstr[SIM_UID_BYTES];
    sim_uid_of(uid, uidstr);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_str(w, "uid", uidstr);
    sim_key_int_str(w, "time", sim_now(c));
    static const char nobody[] = "{\"userInfos\":[],\"total_count\":0,\"last_time\":0,\"today_count\":0}";
    static const char no_votes[] =
        "{\"total_count\":0,\"new_count\":0,\"new_nearby_count\":0,\"last_visit_time\":0,\"userInfos\":[]}";
    ob__jw_key(w, "favoriteInfo");
    ob__jw_raw(w, nobody, sizeof nobody - 1);
    ob__jw_key(w, "voteInfo");
    ob__jw_raw(w, no_votes, sizeof no_votes - 1);
    ob__jw_obj_end(w);
    return SIM_OK;
}
