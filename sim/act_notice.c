/* Group notices (announcements), docs/protocol.md §2.5: _send_group_notice,
 * _get_group_notice, _del_group_notice, kept in the `notices` table.
 *
 * Publishing needs admin/owner; QQ's web API refuses otherwise and NapCat
 * turns that into a 1200 (`设置群公告失败,错误信息:...`). The image, when
 * given, is read like any file argument (http(s) fails: no network); only
 * its id (MD5 of the bytes) and, for PNG/GIF/JPEG, its size are kept, in
 * the image column as "<id>" or "<id>:<width>x<height>". Deleting passes
 * QQ's raw answer through unchecked in NapCat, so a refused deletion is a
 * "false success" (1200 under --strict). No events: QQ sends none NapCat
 * reports. Listing: the newest 20, as NapCat's single web page. */
#include "sim_actions.h"
#include "sim_internal.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTICE_PAGE 20

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Width and height from a PNG, GIF or JPEG header; false for anything else. */
static bool image_size(const unsigned char *d, size_t n, uint32_t *w, uint32_t *h) {
    if (n >= 24 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
        *w = be32(d + 16);
        *h = be32(d + 20);
        return true;
    }
    if (n >= 10 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
        *w = (uint32_t)d[6] | (uint32_t)d[7] << 8;
        *h = (uint32_t)d[8] | (uint32_t)d[9] << 8;
        return true;
    }
    if (n >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
        /* Walk the JPEG segments up to a start-of-frame marker. */
        size_t i = 2;
        while (i + 9 < n) {
            if (d[i] != 0xFF) return false;
            unsigned char marker = d[i + 1];
            size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
            bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                *h = (uint32_t)d[i + 5] << 8 | d[i + 6];
                *w = (uint32_t)d[i + 7] << 8 | d[i + 8];
                return true;
            }
            if (len < 2) return false;
            i += 2 + len;
        }
    }
    return false;
}

int sim_act_send_group_notice(sim_ctx *c) {
    int64_t gid, pinned, type, confirm_required, is_show_edit_card, tip_window_type;
    const char *content, *image;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "content", SIM_MAX_TEXT, &content) ||
        !sim_opt_str(c, "image", NULL, SIM_MAX_BASE64 + 64, &image) || !sim_opt_i64(c, "pinned", 0, &pinned) ||
        !sim_opt_i64(c, "type", 1, &type) || !sim_opt_i64(c, "confirm_required", 1, &confirm_required) ||
        !sim_opt_i64(c, "is_show_edit_card", 0, &is_show_edit_card) ||
        !sim_opt_i64(c, "tip_window_type", 0, &tip_window_type))
        return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    if (!sim_bot_is_admin(c, gid))
        return sim_fail(c, SIM_RC_REFUSED,
                        "设置群公告失败,错误信息:no permission (only admins and the owner publish notices)");
    if (!content[0]) return sim_fail(c, SIM_RC_REFUSED, "设置群公告失败,错误信息:the notice text is empty");
    char image_col[96] = "";
    if (image && image[0]) {
        const unsigned char *bytes;
        size_t len;
        if (!sim_load_file_arg(c, image, &bytes, &len)) return SIM_ERR;
        if (len == 0) return sim_fail(c, SIM_RC_REFUSED, "上传图片失败: the image is empty");
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        if (EVP_Digest(bytes, len, md, &mdlen, EVP_md5(), NULL) != 1)
            return sim_fail(c, SIM_RC_REFUSED, "上传图片失败: MD5 failed");
        for (unsigned int i = 0; i < mdlen && i < 16; i++) snprintf(image_col + 2 * i, 3, "%02x", md[i]);
        uint32_t w, h;
        if (image_size(bytes, len, &w, &h))
            snprintf(image_col + strlen(image_col), sizeof image_col - strlen(image_col), ":%ux%u", w, h);
    }
    char notice_id[33];
    sim_random_hex(c, notice_id, 32);
    if (!sim_sql_exec(c,
                      "INSERT INTO notices(notice_id,group_id,sender_id,publish_time,content,image,pinned,type,"
                      "confirm_required,is_show_edit_card,tip_window_type) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                      "siiissiiiii", notice_id, gid, sim_self_id(c), sim_now(c), content, image_col, pinned, type,
                      confirm_required, is_show_edit_card, tip_window_type))
        return sim_db_fail(c);
    sim_data_absent(c); /* NapCat's handler returns nothing */
    return SIM_OK;
}

/* message.image entries: [{id, height, width}] with the sizes as strings, as the web API sends them. */
static void write_images(ob__jw *w, const char *image_col) {
    ob__jw_arr(w);
    if (image_col[0]) {
        char id[40];
        unsigned width = 0, height = 0;
        size_t idlen = strcspn(image_col, ":");
        snprintf(id, sizeof id, "%.*s", (int)(idlen < 39 ? idlen : 39), image_col);
        if (image_col[idlen] == ':') sscanf(image_col + idlen + 1, "%ux%u", &width, &height);
        char ws[16], hs[16];
        snprintf(ws, sizeof ws, "%u", width);
        snprintf(hs, sizeof hs, "%u", height);
        ob__jw_obj(w);
        ob__jw_key_str(w, "id", id);
        ob__jw_key_str(w, "height", hs);
        ob__jw_key_str(w, "width", ws);
        ob__jw_obj_end(w);
    }
    ob__jw_arr_end(w);
}

int sim_act_get_group_notice(sim_ctx *c) {
    int64_t gid;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    sqlite3_stmt *st = sim_sql_query(
        c,
        "SELECT notice_id, sender_id, publish_time, content, image, confirm_required, is_show_edit_card,"
        " tip_window_type, read_num FROM notices WHERE group_id=? ORDER BY publish_time DESC, rowid DESC LIMIT ?",
        "ii", gid, (int64_t)NOTICE_PAGE);
    if (!st) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    ob__jw_arr(w);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *image = (const char *)sqlite3_column_text(st, 4);
        ob__jw_obj(w);
        ob__jw_key_str(w, "notice_id", (const char *)sqlite3_column_text(st, 0));
        ob__jw_key_int(w, "sender_id", sqlite3_column_int64(st, 1));
        ob__jw_key_int(w, "publish_time", sqlite3_column_int64(st, 2));
        ob__jw_key(w, "message");
        ob__jw_obj(w);
        ob__jw_key_str(w, "text", (const char *)sqlite3_column_text(st, 3));
        ob__jw_key(w, "image");
        write_images(w, image ? image : "");
        ob__jw_key(w, "images");
        write_images(w, image ? image : "");
        ob__jw_obj_end(w);
        ob__jw_key(w, "settings");
        ob__jw_obj(w);
        ob__jw_key_int(w, "is_show_edit_card", sqlite3_column_int64(st, 6));
        ob__jw_key_int(w, "remind_ts", 0);
        ob__jw_key_int(w, "tip_window_type", sqlite3_column_int64(st, 7));
        ob__jw_key_int(w, "confirm_required", sqlite3_column_int64(st, 5));
        ob__jw_obj_end(w);
        ob__jw_key_int(w, "read_num", sqlite3_column_int64(st, 8));
        ob__jw_obj_end(w);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return sim_db_fail(c);
    ob__jw_arr_end(w);
    return SIM_OK;
}

static void write_del_result(sim_ctx *c, int result, const char *msg) {
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "result", result);
    ob__jw_key_str(w, "errMsg", msg);
    ob__jw_obj_end(w);
}

int sim_act_del_group_notice(sim_ctx *c) {
    int64_t gid;
    const char *notice_id;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "notice_id", SIM_MAX_NAME, &notice_id)) return SIM_ERR;
    const char *why = NULL;
    int result = 0;
    sqlite3_stmt *st = sim_sql_query(c, "SELECT 1 FROM notices WHERE notice_id=? AND group_id=?", "si", notice_id, gid);
    if (!st) return sim_db_fail(c);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sim_db_fail(c);
    if (sim_bot_role(c, gid) == SIM_ROLE_NONE) why = "the bot is not in the group", result = 10004;
    else if (rc == SQLITE_DONE) why = "no such notice", result = 10003;
    else if (!sim_bot_is_admin(c, gid)) why = "no permission: only admins and the owner delete notices", result = 10001;
    if (why) {
        int fs = sim_false_success(c, "_del_group_notice %s in group %lld: %s", notice_id, (long long)gid, why);
        if (fs != SIM_OK) return fs;
        write_del_result(c, result, why);
        return SIM_OK;
    }
    if (!sim_sql_exec(c, "DELETE FROM notices WHERE notice_id=? AND group_id=?", "si", notice_id, gid))
        return sim_db_fail(c);
    write_del_result(c, 0, "");
    return SIM_OK;
}
