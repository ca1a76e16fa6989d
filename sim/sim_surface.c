/* Helpers shared by the simulator's wider NapCat surface (sim_surface.h). */
#include "sim_surface.h"
#include <openssl/evp.h>
#include <stdio.h>

int sim_user_known(sim_ctx *c, int64_t uid) {
    int64_t one;
    int r = sim_sql_i64(c, &one, "SELECT 1 FROM users WHERE user_id=?", "i", uid);
    if (r < 0) sim_db_fail(c);
    return r;
}

const char *sim_user_nickname(sim_ctx *c, int64_t uid) {
    sqlite3_stmt *st = sim_sql_query(c, "SELECT nickname FROM users WHERE user_id=?", "i", uid);
    if (!st) return sim_db_fail(c), NULL;
    int rc = sqlite3_step(st);
    const char *nick = rc == SQLITE_ROW ? sim_sql_text(c, st, 0) : rc == SQLITE_DONE ? "" : NULL;
    sqlite3_finalize(st);
    if (!nick)
        sim_fail(c, SIM_RC_REFUSED, "simulator database error or out of memory reading user %lld", (long long)uid);
    return nick;
}

void sim_uid_of(int64_t uin, char out[SIM_UID_BYTES]) { snprintf(out, SIM_UID_BYTES, "u_sim%lld", (long long)uin); }

int sim_raw_answer(sim_ctx *c, const char *err_key, int result, const char *err) {
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "result", result);
    ob__jw_key_str(w, err_key, err);
    ob__jw_obj_end(w);
    return SIM_OK;
}

void sim_key_int_str(ob__jw *w, const char *key, int64_t v) {
    char s[24];
    snprintf(s, sizeof s, "%lld", (long long)v);
    ob__jw_key_str(w, key, s);
}

bool sim_write_rows(sim_ctx *c, ob__jw *w, sqlite3_stmt *st, sim_row_fn row) {
    if (!st) return false;
    int rc;
    bool ok = true;
    ob__jw_arr(w);
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) ok = row(c, w, st);
    ob__jw_arr_end(w);
    sqlite3_finalize(st);
    return ok && rc == SQLITE_DONE;
}

bool sim_group_info_param(sim_ctx *c, sim_group *g) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return false;
    int r = sim_group_load(c, gid, g);
    if (r < 0) return sim_db_fail(c), false;
    if (r == 0) return sim_fail(c, SIM_RC_REFUSED, "获取群信息失败: 群%lld不存在", (long long)gid), false;
    return true;
}

void sim_write_group_keys(ob__jw *w, const sim_group *g) {
    ob__jw_key_int(w, "group_all_shut", g->whole_ban ? -1 : 0);
    ob__jw_key_str(w, "group_remark", "");
    ob__jw_key_int(w, "group_id", g->group_id);
    ob__jw_key_str(w, "group_name", g->name);
    ob__jw_key_int(w, "member_count", g->member_count);
    ob__jw_key_int(w, "max_member_count", g->max_members);
}

void sim_key_uid_uin(ob__jw *w, const char *uid_key, const char *uin_key, int64_t uin) {
    char uid[SIM_UID_BYTES];
    sim_uid_of(uin, uid);
    ob__jw_key_str(w, uid_key, uid);
    sim_key_int_str(w, uin_key, uin);
}

void sim_data_str(sim_ctx *c, const char *key, const char *value) {
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_str(w, key, value);
    ob__jw_obj_end(w);
}

ob__jw *sim_data_qq_ok(sim_ctx *c, const char *code_key) {
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, code_key, 0);
    ob__jw_key_str(w, "errMsg", "");
    return w;
}

int sim_request_filed(sim_ctx *c, ob__jw *ev, const char *comment, const char *flag) {
    ob__jw_key_str(ev, "comment", comment);
    ob__jw_key_str(ev, "flag", flag);
    sim_event_end(c);
    sim_data_str(c, "flag", flag);
    return SIM_OK;
}

/* One gray-tip item naming a user by QQ's uid. */
static void gray_tip_user(ob__jw *w, int64_t user_id, bool target) {
    char uid[SIM_UID_BYTES];
    sim_uid_of(user_id, uid);
    ob__jw_obj(w);
    ob__jw_key_str(w, "col", "1");
    ob__jw_key_str(w, "nm", "");
    if (target) ob__jw_key_str(w, "tp", "0");
    ob__jw_key_str(w, "type", "qq");
    ob__jw_key_str(w, "uid", uid);
    ob__jw_obj_end(w);
}

static void gray_tip_text(ob__jw *w, const char *text) {
    ob__jw_obj(w);
    ob__jw_key_str(w, "txt", text);
    ob__jw_key_str(w, "type", "nor");
    ob__jw_obj_end(w);
}

void sim_write_poke_raw_info(ob__jw *w, int64_t sender, int64_t target) {
    ob__jw_key(w, "raw_info");
    ob__jw_arr(w);
    gray_tip_user(w, sender, false);
    ob__jw_obj(w);
    ob__jw_key_str(w, "jp", "https://zb.vip.qq.com/v2/pages/nudgeMall?_wv=2&actionId=0");
    ob__jw_key_str(w, "src", "http://tianquan.gtimg.cn/nudgeaction/item/0/expression.jpg");
    ob__jw_key_str(w, "type", "img");
    ob__jw_obj_end(w);
    gray_tip_text(w, "戳了戳");
    gray_tip_user(w, target, true);
    gray_tip_text(w, "");
    ob__jw_arr_end(w);
}

void sim_md5_hex(const unsigned char *data, size_t len, char out[SIM_MD5_HEX_BYTES]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    out[0] = '\0';
    if (EVP_Digest(data, len, md, &n, EVP_md5(), NULL) != 1 || n != 16) return;
    for (unsigned int i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}
