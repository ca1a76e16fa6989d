/* Simulator actions: a minimal group album (群相册). NapCat reaches QQ's
 * album service and hands back its raw answers; the simulator keeps the
 * albums, their photos, likes and comments in three tables (albums,
 * album_media, album_comments) and answers in the same raw
 * style: the listings as QQ's response objects, the changes as
 * {result, errMs} (QQ's spelling), result 0 on success and -1 with the
 * reason otherwise (NapCat passes such an answer on as ok).
 *
 * QQ has no action to create an album through NapCat, so uploading into an
 * album_id the group does not have yet creates it, named album_name
 * (a simulator convenience). A photo's bytes are served by a download link
 * on the simulator's port (sim_link_media), as received images are. Only
 * members of the group reach its album (1200 群G不存在 otherwise, as for the
 * group's other actions). */
#include "sim_actions.h"
#include "sim_surface.h"
#include <stdio.h>
#include <string.h>

/* The group and album params every album action takes. */
static bool album_params(sim_ctx *c, int64_t *gid, const char **album_id) {
    return sim_get_i64(c, "group_id", gid) && sim_get_str(c, "album_id", SIM_MAX_NAME, album_id);
}

/* After the params: the bot a member of the group. */
static bool album_open(sim_ctx *c, int64_t gid) { return sim_require_bot_in_group(c, gid, NULL); }

/* A change's answer: {result, errMs}. */
static int album_answer(sim_ctx *c, int result, const char *err) { return sim_raw_answer(c, "errMs", result, err); }

/* A listing in one page: the data object, for the photo list (found >= 0)
 * QQ's response keys first (seq, result -1 when the album is not found,
 * errMs, trace_id), then key with the rows of st (each written by row),
 * attach_info "" and has_more false. st may be NULL (a DB error). Returns
 * what the handler returns. */
static int album_list(sim_ctx *c, sqlite3_stmt *st, int found, const char *key, sim_row_fn row) {
    if (!st) return sim_db_fail(c);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    if (found >= 0) {
        ob__jw_key_int(w, "seq", 0);
        ob__jw_key_int(w, "result", found ? 0 : -1);
        ob__jw_key_str(w, "errMs", found ? "" : "album not found");
        ob__jw_key_str(w, "trace_id", "");
    }
    ob__jw_key(w, key);
    if (!sim_write_rows(c, w, st, row)) return sim_db_fail(c);
    ob__jw_key_str(w, "attach_info", "");
    ob__jw_key_bool(w, "has_more", false);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* The image types QQ's album takes, by their first bytes; NULL for others. */
static const char *image_ext(const unsigned char *d, size_t n) {
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return "png";
    if (n >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0) return "jpg";
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) return "gif";
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) return "webp";
    if (n >= 2 && memcmp(d, "BM", 2) == 0) return "bmp";
    return NULL;
}

/* upload_image_to_qun_album {group_id, album_id, album_name, file}: one
 * photo into the album (made when missing). The file argument in NapCat's
 * forms; it must be an image. No data key: NapCat's handler returns
 * nothing. get_group_album_media_list shows the photo with its lloc. */
int sim_act_upload_image_to_qun_album(sim_ctx *c) {
    int64_t gid;
    const char *album_id, *album_name, *file;
    sim_data_absent(c);
    if (!album_params(c, &gid, &album_id) || !sim_get_str(c, "album_name", SIM_MAX_NAME, &album_name) ||
        !sim_get_str(c, "file", SIM_MAX_PATH, &file) || !album_open(c, gid))
        return SIM_ERR;
    if (!album_id[0]) return sim_fail(c, SIM_RC_REFUSED, "创建群相册会话失败: album_id is empty");
    const unsigned char *data;
    size_t len;
    if (!sim_load_file_arg(c, file, &data, &len)) return SIM_ERR;
    const char *ext = image_ext(data, len);
    if (!ext) return sim_fail(c, SIM_RC_REFUSED, "上传群相册失败: %s is not an image (png, jpg, gif, webp, bmp)", file);
    char md5[SIM_MD5_HEX_BYTES], name[SIM_MD5_HEX_BYTES + 8];
    sim_md5_hex(data, len, md5);
    snprintf(name, sizeof name, "%s.%s", md5, ext);
    int64_t now = sim_now(c), self = sim_self_id(c), seq = sim_next_id(c, "album_batch");
    if (seq < 0) return sim_db_fail(c);
    if (!sim_sql_exec(c,
                      "INSERT INTO albums(group_id,album_id,name,creator,create_time,modify_time) VALUES(?,?,?,?,?,?)"
                      " ON CONFLICT(group_id, album_id) DO UPDATE SET modify_time=excluded.modify_time",
                      "issiii", gid, album_id, album_name, self, now, now))
        return sim_db_fail(c);
    const char *url = sim_link_media(c, data, len, name);
    if (!url) return SIM_ERR;
    char lloc[33], batch[40];
    sim_random_hex(c, lloc, 32);
    snprintf(batch, sizeof batch, "%lld%03lld", (long long)now, (long long)(seq % 1000));
    if (!sim_sql_exec(c,
                      "INSERT INTO album_media(lloc,group_id,album_id,batch_id,name,md5,size,url,uploader,upload_time)"
                      " VALUES(?,?,?,?,?,?,?,?,?,?)",
                      "sissssisii", lloc, gid, album_id, batch, name, md5, (int64_t)len, url, self, now))
        return sim_db_fail(c);
    return SIM_OK;
}

static bool album_row(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    ob__jw_obj(w);
    ob__jw_key_str(w, "album_id", sim_sql_text(c, st, 0));
    ob__jw_key_str(w, "name", sim_sql_text(c, st, 1));
    ob__jw_key_str(w, "desc", "");
    ob__jw_key_int(w, "create_time", sqlite3_column_int64(st, 2));
    ob__jw_key_int(w, "modify_time", sqlite3_column_int64(st, 3));
    ob__jw_key_int(w, "upload_number", sqlite3_column_int64(st, 6));
    ob__jw_key(w, "creator");
    ob__jw_obj(w);
    sim_key_int_str(w, "uin", sqlite3_column_int64(st, 4));
    ob__jw_key_str(w, "nick", sim_sql_text(c, st, 5));
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    return true;
}

/* get_qun_album_list {group_id, attach_info?} → {album_list, attach_info,
 * has_more}: every album of the group, oldest first, in one page. */
int sim_act_get_qun_album_list(sim_ctx *c) {
    int64_t gid;
    const char *attach;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_str(c, "attach_info", "", SIM_MAX_TEXT, &attach)) return SIM_ERR;
    if (!album_open(c, gid)) return SIM_ERR;
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT a.album_id, a.name, a.create_time, a.modify_time, a.creator,"
                                     " coalesce(u.nickname,''),"
                                     " (SELECT count(*) FROM album_media m WHERE m.group_id=a.group_id"
                                     "  AND m.album_id=a.album_id)"
                                     " FROM albums a LEFT JOIN users u ON u.user_id=a.creator"
                                     " WHERE a.group_id=? ORDER BY a.create_time, a.rowid",
                                     "i", gid);
    return album_list(c, st, -1, "album_list", album_row);
}

static bool media_row(sim_ctx *c, ob__jw *w, sqlite3_stmt *st) {
    const char *lloc = sim_sql_text(c, st, 0);
    ob__jw_obj(w);
    ob__jw_key_int(w, "type", 0);
    ob__jw_key(w, "image");
    ob__jw_obj(w);
    ob__jw_key_str(w, "name", sim_sql_text(c, st, 1));
    ob__jw_key_str(w, "lloc", lloc);
    ob__jw_key_str(w, "sloc", lloc);
    ob__jw_key_str(w, "md5", sim_sql_text(c, st, 2));
    ob__jw_key_int(w, "size", sqlite3_column_int64(st, 3));
    ob__jw_key(w, "default_url");
    ob__jw_obj(w);
    ob__jw_key_str(w, "url", sim_sql_text(c, st, 4));
    ob__jw_key_int(w, "width", 0);
    ob__jw_key_int(w, "height", 0);
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    ob__jw_key_str(w, "batch_id", sim_sql_text(c, st, 5));
    sim_key_int_str(w, "uploader", sqlite3_column_int64(st, 6));
    sim_key_int_str(w, "upload_time", sqlite3_column_int64(st, 7));
    ob__jw_key(w, "like");
    ob__jw_obj(w);
    ob__jw_key_int(w, "num", sqlite3_column_int64(st, 8));
    ob__jw_key_bool(w, "liked", sqlite3_column_int64(st, 9) != 0);
    ob__jw_obj_end(w);
    ob__jw_key(w, "comment");
    ob__jw_obj(w);
    ob__jw_key_int(w, "num", sqlite3_column_int64(st, 10));
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    return true;
}

/* get_group_album_media_list {group_id, album_id, attach_info?} → QQ's
 * response: {seq, result, errMs, trace_id, media_list, attach_info,
 * has_more}; each photo {type:0, image:{name, lloc, sloc, md5, size,
 * default_url:{url, width, height}}, batch_id, uploader, upload_time,
 * like:{num, liked}, comment:{num}}, oldest first. An album the group does
 * not have: result -1 and no photos. */
int sim_act_get_group_album_media_list(sim_ctx *c) {
    int64_t gid, one;
    const char *album_id, *attach;
    if (!album_params(c, &gid, &album_id) || !sim_opt_str(c, "attach_info", "", SIM_MAX_TEXT, &attach) ||
        !album_open(c, gid))
        return SIM_ERR;
    int found = sim_sql_i64(c, &one, "SELECT 1 FROM albums WHERE group_id=? AND album_id=?", "is", gid, album_id);
    if (found < 0) return sim_db_fail(c);
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT lloc, name, md5, size, url, batch_id, uploader, upload_time, likes, liked,"
                                     " (SELECT count(*) FROM album_comments k WHERE k.lloc=m.lloc)"
                                     " FROM album_media m WHERE group_id=? AND album_id=?"
                                     " ORDER BY upload_time, rowid",
                                     "is", gid, album_id);
    return album_list(c, st, found, "media_list", media_row);
}

/* The photo lloc of the album: 1 with its uploader, 0 none, -1 DB error. */
static int media_find(sim_ctx *c, int64_t gid, const char *album_id, const char *lloc, int64_t *uploader) {
    return sim_sql_i64(c, uploader, "SELECT uploader FROM album_media WHERE group_id=? AND album_id=? AND lloc=?",
                       "iss", gid, album_id, lloc);
}

/* del_group_album_media {group_id, album_id, lloc}: the uploader, the
 * owner and admins may delete a photo (its comments go with it). */
int sim_act_del_group_album_media(sim_ctx *c) {
    int64_t gid, uploader = 0;
    const char *album_id, *lloc;
    if (!album_params(c, &gid, &album_id) || !sim_get_str(c, "lloc", SIM_MAX_NAME, &lloc) || !album_open(c, gid))
        return SIM_ERR;
    int r = media_find(c, gid, album_id, lloc, &uploader);
    if (r < 0) return sim_db_fail(c);
    if (r == 0) return album_answer(c, -1, "media not found");
    if (uploader != sim_self_id(c) && !sim_bot_is_admin(c, gid)) return album_answer(c, -1, "no permission");
    if (!sim_sql_exec(c, "DELETE FROM album_comments WHERE lloc=?", "s", lloc) ||
        !sim_sql_exec(c, "DELETE FROM album_media WHERE lloc=?", "s", lloc) ||
        !sim_sql_exec(c, "UPDATE albums SET modify_time=? WHERE group_id=? AND album_id=?", "iis", sim_now(c), gid,
                      album_id))
        return sim_db_fail(c);
    return album_answer(c, 0, "");
}

/* set_group_album_media_like {group_id, album_id, batch_id, lloc?}: the bot
 * likes one photo of the upload batch, or every photo of it without lloc.
 * A second like changes nothing. */
int sim_act_set_group_album_media_like(sim_ctx *c) {
    int64_t gid, n = 0;
    const char *album_id, *batch, *lloc;
    if (!album_params(c, &gid, &album_id) || !sim_get_str(c, "batch_id", SIM_MAX_NAME, &batch) ||
        !sim_opt_str(c, "lloc", NULL, SIM_MAX_NAME, &lloc) || !album_open(c, gid))
        return SIM_ERR;
    if (lloc && !lloc[0]) lloc = NULL;
    if (sim_sql_i64(c, &n,
                    "SELECT count(*) FROM album_media WHERE group_id=? AND album_id=? AND batch_id=?"
                    " AND (? IS NULL OR lloc=?)",
                    "issss", gid, album_id, batch, lloc, lloc) < 0)
        return sim_db_fail(c);
    if (n == 0) return album_answer(c, -1, "media not found");
    if (!sim_sql_exec(c,
                      "UPDATE album_media SET likes=likes+1, liked=1 WHERE group_id=? AND album_id=? AND batch_id=?"
                      " AND (? IS NULL OR lloc=?) AND liked=0",
                      "issss", gid, album_id, batch, lloc, lloc))
        return sim_db_fail(c);
    return album_answer(c, 0, "");
}

/* do_group_album_comment {group_id, album_id, lloc, content}: the bot
 * comments on a photo. */
int sim_act_do_group_album_comment(sim_ctx *c) {
    int64_t gid, uploader;
    const char *album_id, *lloc, *content;
    if (!album_params(c, &gid, &album_id) || !sim_get_str(c, "lloc", SIM_MAX_NAME, &lloc) ||
        !sim_get_str(c, "content", SIM_MAX_TEXT, &content) || !album_open(c, gid))
        return SIM_ERR;
    int r = media_find(c, gid, album_id, lloc, &uploader);
    if (r < 0) return sim_db_fail(c);
    if (r == 0) return album_answer(c, -1, "media not found");
    if (!content[0]) return album_answer(c, -1, "empty comment");
    if (!sim_sql_exec(c, "INSERT INTO album_comments(lloc,user_id,content,time) VALUES(?,?,?,?)", "sisi", lloc,
                      sim_self_id(c), content, sim_now(c)))
        return sim_db_fail(c);
    return album_answer(c, 0, "");
}
