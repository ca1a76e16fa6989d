/* Group files and folders, as NapCat v4.18 serves them (docs/protocol.md §2.6,
 * §1.8, §3.2 group_upload), kept in the `files`/`folders` tables with their
 * bytes.
 *
 * Ids, listing aliases and the download cache: sim_files.c.
 *
 * Permissions, as QQ: every member may upload, list, download (get_file,
 * get_group_file_url) and trans_group_file, and nobody else (1200 once the
 * bot has left the group, whatever id it kept); deleting, moving or
 * renaming a file needs admin/owner unless the bot uploaded it; folder
 * management needs admin/owner. NapCat does not check QQ's answer for
 * delete/move/rename/delete-folder, so a refusal there is a "false success"
 * (ok, nothing changes, a warning; 1200 under --strict). Creating a folder:
 * refused with 1200 (no permission, or a folder of that name exists, as QQ
 * refuses duplicates); NapCat would pass QQ's raw refusal through, the
 * simulator makes it an error so scripts notice. */
#include "sim_files.h"
#include "sim_actions.h"
#include "sim_surface.h"
#include "text.h"
#include <onebot/types.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIM_LIST_DEFAULT 50
#define SIM_LIST_MAX 10000

/* ------------------------------------------------------------------ upload */

/* The bot is in the group and may post there (muted bots cannot send file messages). */
static bool bot_can_post(sim_ctx *c, int64_t gid) {
    sim_group g;
    if (!sim_require_bot_in_group(c, gid, &g)) return false;
    sim_member bot;
    if (sim_member_load(c, gid, sim_self_id(c), &bot) != 1) return sim_db_fail(c), false;
    if (bot.ban_until > sim_now(c))
        return sim_fail(c, SIM_RC_REFUSED, "发送消息失败: the bot is muted in group %lld", (long long)gid), false;
    if (g.whole_ban && bot.role == SIM_ROLE_MEMBER)
        return sim_fail(c, SIM_RC_REFUSED, "发送消息失败: group %lld is muted for members", (long long)gid), false;
    return true;
}

/* 1 the folder exists (or is the root "/"), 0 not, -1 DB error. */
static int folder_exists(sim_ctx *c, int64_t gid, const char *folder_id) {
    if (strcmp(folder_id, "/") == 0) return 1;
    sqlite3_stmt *st = sim_sql_query(c, "SELECT 1 FROM folders WHERE group_id=? AND folder_id=?", "is", gid, folder_id);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The bytes of files the group holds into *used; false on a DB error (recorded). */
static bool group_used_space(sim_ctx *c, int64_t gid, int64_t *used) {
    *used = 0;
    if (sim_sql_i64(c, used, "SELECT coalesce(sum(size),0) FROM files WHERE group_id=?", "i", gid) < 0)
        return sim_db_fail(c), false;
    return true;
}

/* The group's space (--group-space) holds len more bytes. Else the failure
 * NapCat reports when QQ does not take a file (its sendMsg EventChecker
 * error, retcode 1200), with what the simulator knows in Chinese and
 * English after it. */
static bool space_left(sim_ctx *c, int64_t gid, size_t len) {
    int64_t used, total = sim_group_space(c);
    if (!group_used_space(c, gid, &used)) return false;
    if (used <= total && (uint64_t)len <= (uint64_t)(total - used)) return true;
    return sim_fail(c, SIM_RC_REFUSED,
                    "EventChecker Failed: NTEvent serviceAndMethod:NodeIKernelMsgService/sendMsg "
                    "ListenerName:NodeIKernelMsgListener/onMsgInfoListUpdate EventRet:\n{\n    \"result\": -1,\n"
                    "    \"errMsg\": \"rich media transfer failed\"\n}\n"
                    "群文件空间不足 / the group's file space is full: group %lld uses %lld of %lld bytes, "
                    "this file needs %zu (see --group-space)",
                    (long long)gid, (long long)used, (long long)total, len),
           false;
}

/* Stores the bytes as a new group file of the bot and queues the
 * group_upload notice. source: what the client passed (kept for inspection). */
static bool store_upload(sim_ctx *c, int64_t gid, const char *folder_id, const char *name, const char *source,
                         const unsigned char *data, size_t len, char file_id[SIM_ID_LEN + 1]) {
    if (len == 0) return sim_fail(c, SIM_RC_REFUSED, "文件上传失败: QQ refuses empty (0-byte) files"), false;
    if (!space_left(c, gid, len)) return false;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char md5[2 * EVP_MAX_MD_SIZE + 1] = "";
    if (EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL) == 1)
        for (unsigned int i = 0; i < mdlen; i++) snprintf(md5 + 2 * i, 3, "%02x", md[i]);
    sim_file_new_id(c, file_id);
    int64_t now = sim_now(c), self = sim_self_id(c);
    const char *kept_source =
        strncasecmp(source, "base64://", 9) == 0 || strncasecmp(source, "data:", 5) == 0 ? "(inline data)" : source;
    if (!sim_sql_exec(
            c,
            "INSERT INTO files(group_id,file_id,folder_id,name,size,upload_time,modify_time,uploader,md5,source,content)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?)",
            "isssiiiissb", gid, file_id, folder_id, name, (int64_t)len, now, now, self, md5, kept_source,
            (const void *)data, len))
        return sim_db_fail(c), false;
    ob__jw *w = sim_group_notice_begin(c, "group_upload", NULL, gid, self);
    ob__jw_key(w, "file");
    ob__jw_obj(w);
    ob__jw_key_str(w, "id", file_id);
    ob__jw_key_str(w, "name", name);
    ob__jw_key_int(w, "size", (int64_t)len);
    ob__jw_key_int(w, "busid", 102);
    ob__jw_obj_end(w);
    sim_event_end(c);
    return true;
}

int sim_act_upload_group_file(sim_ctx *c) {
    int64_t gid;
    const char *file, *name, *folder, *folder_id;
    bool upload_file;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "file", SIM_MAX_BASE64 + 64, &file) ||
        !sim_get_str(c, "name", SIM_MAX_NAME, &name) || !sim_opt_str(c, "folder", NULL, SIM_MAX_NAME, &folder) ||
        !sim_opt_str(c, "folder_id", NULL, SIM_MAX_NAME, &folder_id) ||
        !sim_opt_bool(c, "upload_file", true, &upload_file))
        return SIM_ERR;
    if (!sim_check_name(c, "name", name)) return SIM_ERR;
    /* NapCat: payload.folder ?? payload.folder_id; "" means the root too. */
    const char *parent = folder ? folder : folder_id;
    if (!parent || !parent[0]) parent = "/";
    if (!bot_can_post(c, gid)) return SIM_ERR;
    int fr = folder_exists(c, gid, parent);
    if (fr < 0) return sim_db_fail(c);
    if (fr == 0)
        return sim_fail(c, SIM_RC_REFUSED,
                        "文件上传失败: folder %s does not exist in group %lld (folders are one level under \"/\")",
                        parent, (long long)gid);
    const unsigned char *data;
    size_t len;
    if (!sim_load_file_arg(c, file, &data, &len)) return SIM_ERR;
    char file_id[SIM_ID_LEN + 1];
    if (!store_upload(c, gid, parent, name, file, data, len, file_id)) return SIM_ERR;
    sim_data_str(c, "file_id", file_id);
    return SIM_OK;
}

/* A segment's string field (unescaped, ctx-owned), or NULL when absent/empty. */
static const char *seg_field(sim_ctx *c, const ob__jdoc *d, int data_tok, const char *key) {
    int t = data_tok >= 0 ? ob__jget(d, data_tok, key) : -1;
    if (t < 0 || d->tok[t].type != JSMN_STRING || ob__jlen(d, t) == 0) return NULL;
    char *s = sim_ctx_alloc(c, ob__jlen(d, t) + 1);
    if (!s) return NULL;
    long n = ob__junescape(d, t, s);
    if (n <= 0 || (size_t)n != strlen(s)) return NULL;
    return s;
}

bool sim_files_post_segments(sim_ctx *c, int64_t group_id, const char *segments_json) {
    ob__jdoc d = {0};
    bool ok = true;
    if (ob__jdoc_parse(&d, segments_json, strlen(segments_json)) != OB_OK || d.tok[0].type != JSMN_ARRAY) {
        ob__jdoc_free(&d);
        return sim_fail(c, SIM_RC_BAD_PARAM, "message: not a segment array"), false;
    }
    int t = 1;
    for (int i = 0; ok && i < d.tok[0].size; i++, t = ob__jskip(&d, t)) {
        int type = ob__jget(&d, t, "type");
        if (type < 0 || !ob__jeq(&d, type, "file")) continue;
        int data = ob__jget(&d, t, "data");
        /* NapCat's source priority for file-like segments: url, file, path. */
        const char *src = seg_field(c, &d, data, "url");
        if (!src) src = seg_field(c, &d, data, "file");
        if (!src) src = seg_field(c, &d, data, "path");
        if (!src) {
            sim_fail(c, SIM_RC_BAD_PARAM, "file segment: data.file is required");
            ok = false;
            break;
        }
        const char *name = seg_field(c, &d, data, "name");
        if (!name) {
            /* No display name: the last path component of the source. */
            const char *slash = strrchr(src, '/');
            name = strncasecmp(src, "base64://", 9) == 0 || strncasecmp(src, "data:", 5) == 0 ? "file"
                   : slash                                                                    ? slash + 1
                                                                                              : src;
        }
        const unsigned char *bytes;
        size_t len;
        char file_id[SIM_ID_LEN + 1];
        ok = sim_check_name(c, "file segment name", name) && bot_can_post(c, group_id) &&
             sim_load_file_arg(c, src, &bytes, &len) && store_upload(c, group_id, "/", name, src, bytes, len, file_id);
    }
    ob__jdoc_free(&d);
    return ok;
}

int sim_act_get_group_file_system_info(sim_ctx *c) {
    int64_t gid, count = 0, used;
    if (!sim_get_i64(c, "group_id", &gid)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    if (sim_sql_i64(c, &count, "SELECT count(*) FROM files WHERE group_id=?", "i", gid) < 0) return sim_db_fail(c);
    if (!group_used_space(c, gid, &used)) return SIM_ERR;
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, "file_count", count);
    ob__jw_key_int(w, "limit_count", SIM_GROUP_FILE_LIMIT);
    ob__jw_key_int(w, "used_space", used);
    ob__jw_key_int(w, "total_space", sim_group_space(c));
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ listings */

static bool write_folder(sim_ctx *c, ob__jw *w, sqlite3_stmt *st, int64_t gid) {
    const char *folder_id = sim_sql_text(c, st, 0), *name = sim_sql_text(c, st, 1);
    if (!folder_id || !name) return false;
    int64_t creator = sqlite3_column_int64(st, 3);
    ob__jw_obj(w);
    ob__jw_key_int(w, "group_id", gid);
    ob__jw_key_str(w, "folder_id", folder_id);
    ob__jw_key_str(w, "folder", folder_id);
    ob__jw_key_str(w, "folder_name", name);
    ob__jw_key_int(w, "create_time", sqlite3_column_int64(st, 2));
    ob__jw_key_int(w, "creator", creator);
    ob__jw_key_str(w, "creator_name", sim_display_name(c, gid, creator));
    ob__jw_key_int(w, "total_file_count", sqlite3_column_int64(st, 4));
    ob__jw_obj_end(w);
    return true;
}

static bool write_file(sim_ctx *c, ob__jw *w, const sim_group_file *f) {
    char alias[33];
    if (!sim_file_alias_new(c, f->group_id, f->file_id, alias)) return false;
    ob__jw_obj(w);
    ob__jw_key_int(w, "group_id", f->group_id);
    ob__jw_key_str(w, "file_id", alias);
    ob__jw_key_str(w, "file_name", f->name);
    ob__jw_key_int(w, "busid", 102);
    ob__jw_key_int(w, "size", f->size);
    ob__jw_key_int(w, "file_size", f->size);
    ob__jw_key_int(w, "upload_time", f->upload_time);
    ob__jw_key_int(w, "dead_time", f->dead_time);
    ob__jw_key_int(w, "modify_time", f->modify_time);
    ob__jw_key_int(w, "download_times", f->download_times);
    ob__jw_key_int(w, "uploader", f->uploader);
    ob__jw_key_str(w, "uploader_name", sim_display_name(c, f->group_id, f->uploader));
    ob__jw_obj_end(w);
    return true;
}

/* {files, folders}: folders first (root listing only), then files, newest
 * first, at most limit entries together (NapCat's file_count). */
static int write_listing(sim_ctx *c, int64_t gid, const char *folder_id, int64_t limit, bool with_folders) {
    if (!sim_file_aliases_ready(c)) return sim_db_fail(c);
    int64_t nfolders = 0;
    ob__buf folders_json = {0};
    if (with_folders) {
        ob__jw fw = {0};
        ob__jw_arr(&fw);
        sqlite3_stmt *st = sim_sql_query(
            c,
            "SELECT folder_id, name, create_time, creator,"
            " (SELECT count(*) FROM files f WHERE f.group_id=d.group_id AND f.folder_id=d.folder_id)"
            " FROM folders d WHERE group_id=? AND folder_id <> '' ORDER BY create_time DESC, name LIMIT ?",
            "ii", gid, limit);
        if (!st) {
            ob__buf_free(&fw.b);
            return sim_db_fail(c);
        }
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!write_folder(c, &fw, st, gid)) {
                rc = SQLITE_NOMEM;
                break;
            }
            nfolders++;
        }
        sqlite3_finalize(st);
        ob__jw_arr_end(&fw);
        if (rc != SQLITE_DONE || fw.b.oom) {
            ob__buf_free(&fw.b);
            return sim_db_fail(c);
        }
        folders_json = fw.b;
    }
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key(w, "files");
    ob__jw_arr(w);
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT " SIM_FILE_COLUMNS " FROM files WHERE group_id=? AND folder_id=?"
                                     " ORDER BY upload_time DESC, rowid DESC LIMIT ?",
                                     "isi", gid, folder_id, limit - nfolders);
    if (!st) {
        ob__buf_free(&folders_json);
        return sim_db_fail(c);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sim_group_file f;
        sim_file_from_row(c, st, &f);
        if (!write_file(c, w, &f)) {
            rc = SQLITE_ERROR;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        ob__buf_free(&folders_json);
        return sim_db_fail(c);
    }
    ob__jw_arr_end(w);
    ob__jw_key(w, "folders");
    if (with_folders) ob__jw_raw(w, folders_json.p, folders_json.len);
    else {
        ob__jw_arr(w);
        ob__jw_arr_end(w);
    } /* NapCat: always [] for a folder listing */
    ob__jw_obj_end(w);
    ob__buf_free(&folders_json);
    return SIM_OK;
}

static bool file_count_param(sim_ctx *c, int64_t *limit) {
    if (!sim_opt_i64(c, "file_count", SIM_LIST_DEFAULT, limit)) return false;
    if (*limit < 0) return sim_fail(c, SIM_RC_BAD_PARAM, "file_count must not be negative"), false;
    if (*limit > SIM_LIST_MAX) *limit = SIM_LIST_MAX;
    return true;
}

int sim_act_get_group_root_files(sim_ctx *c) {
    int64_t gid, limit;
    if (!sim_get_i64(c, "group_id", &gid) || !file_count_param(c, &limit)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    return write_listing(c, gid, "/", limit, true);
}

/* folder wins over folder_id, as NapCat reads them; required between them. */
static bool folder_param(sim_ctx *c, const char **out) {
    const char *folder, *folder_id;
    if (!sim_opt_str(c, "folder", NULL, SIM_MAX_NAME, &folder) ||
        !sim_opt_str(c, "folder_id", NULL, SIM_MAX_NAME, &folder_id))
        return false;
    *out = folder && folder[0] ? folder : folder_id;
    if (!*out || !(*out)[0])
        return sim_fail(c, SIM_RC_BAD_PARAM,
                        "Schema compilation error: folder_id: Expected required property (or folder)"),
               false;
    return true;
}

int sim_act_get_group_files_by_folder(sim_ctx *c) {
    int64_t gid, limit;
    const char *folder;
    if (!sim_get_i64(c, "group_id", &gid) || !folder_param(c, &folder) || !file_count_param(c, &limit)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    int fr = folder_exists(c, gid, folder);
    if (fr < 0) return sim_db_fail(c);
    if (fr == 0) return sim_fail(c, SIM_RC_REFUSED, "folder %s does not exist in group %lld", folder, (long long)gid);
    return write_listing(c, gid, folder, limit, false);
}

/* ------------------------------------------------------------------ file operations */

/* Admins and the owner manage every file; members only what the bot uploaded. */
static bool bot_may_manage(sim_ctx *c, int64_t gid, int64_t uploader) {
    sim_role r = sim_bot_role(c, gid);
    return r == SIM_ROLE_OWNER || r == SIM_ROLE_ADMIN || (r == SIM_ROLE_MEMBER && uploader == sim_self_id(c));
}

/* QQ's result object {retCode, retMsg, clientWording}; the wording repeats
 * the message only on failure. */
static void write_qq_result(ob__jw *w, int retcode, const char *msg) {
    ob__jw_obj(w);
    ob__jw_key_int(w, "retCode", retcode);
    ob__jw_key_str(w, "retMsg", msg);
    ob__jw_key_str(w, "clientWording", retcode ? msg : "");
    ob__jw_obj_end(w);
}

static void write_delete_result(ob__jw *w, int retcode, const char *msg, const char *file_id, bool deleted) {
    ob__jw_obj(w);
    ob__jw_key_int(w, "result", 0);
    ob__jw_key_str(w, "errMsg", "");
    ob__jw_key(w, "transGroupFileResult");
    ob__jw_obj(w);
    ob__jw_key(w, "result");
    write_qq_result(w, retcode, msg);
    ob__jw_key(w, "successFileIdList");
    ob__jw_arr(w);
    if (deleted) ob__jw_str(w, file_id);
    ob__jw_arr_end(w);
    ob__jw_key(w, "failFileIdList");
    ob__jw_arr(w);
    if (!deleted) ob__jw_str(w, file_id);
    ob__jw_arr_end(w);
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
}

int sim_act_delete_group_file(sim_ctx *c) {
    int64_t gid;
    const char *ref;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "file_id", SIM_MAX_NAME, &ref)) return SIM_ERR;
    sim_group_file f;
    int r = sim_file_ref(c, gid, ref, SIM_REF_ALIAS_ONLY, &f);
    if (r < 0) return SIM_ERR;
    const char *why = NULL;
    int retcode = 0;
    if (sim_bot_role(c, gid) == SIM_ROLE_NONE) why = "the bot is not in the group", retcode = -1;
    else if (r == 0) why = "file does not exist (deleted since the listing)", retcode = -103;
    else if (!bot_may_manage(c, gid, f.uploader))
        why = "no permission: only admins, the owner and the uploader delete a file", retcode = -2;
    if (why) {
        int fs = sim_false_success(c, "delete_group_file %s in group %lld: %s", f.file_id, (long long)gid, why);
        if (fs != SIM_OK) return fs;
        write_delete_result(sim_data(c), retcode, why, f.file_id, false);
        return SIM_OK;
    }
    if (!sim_sql_exec(c, "DELETE FROM files WHERE group_id=? AND file_id=?", "is", gid, f.file_id))
        return sim_db_fail(c);
    write_delete_result(sim_data(c), 0, "ok", f.file_id, true);
    return SIM_OK;
}

static void write_ok_true(sim_ctx *c) {
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key(w, "ok");
    ob__jw_bool(w, true);
    ob__jw_obj_end(w);
}

/* A refusal NapCat reports as {ok:true} (it ignores QQ's retCode). */
static int ok_true_anyway(sim_ctx *c, const char *action, const char *file_id, const char *why) {
    int fs = sim_false_success(c, "%s %s: %s", action, file_id, why);
    if (fs != SIM_OK) return fs;
    write_ok_true(c);
    return SIM_OK;
}

/* rename/move's first checks, in QQ's order: *why says what NapCat's
 * {ok:true} hides when the file is gone or not in current, NULL when both
 * hold. False on a bad reference or a DB error (recorded). */
static bool file_in_folder(sim_ctx *c, int64_t gid, const char *ref, const char *current, sim_group_file *f,
                           const char **why) {
    int r = sim_file_ref(c, gid, ref, SIM_REF_ALIAS_OR_ID, f);
    if (r < 0) return false;
    *why = r == 0                               ? "file does not exist"
           : strcmp(f->folder_id, current) != 0 ? "current_parent_directory is not the file's folder"
                                                : NULL;
    return true;
}

/* A file that must exist: else a real failure with NapCat's message gone
 * (recorded, like a bad reference or a DB error). */
static bool require_file(sim_ctx *c, int64_t gid, const char *ref, const char *gone, sim_group_file *f) {
    int r = sim_file_ref(c, gid, ref, SIM_REF_ALIAS_OR_ID, f);
    if (r == 0) sim_fail(c, SIM_RC_REFUSED, "%s", gone);
    return r == 1;
}

int sim_act_rename_group_file(sim_ctx *c) {
    int64_t gid;
    const char *ref, *current, *new_name;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "file_id", SIM_MAX_NAME, &ref) ||
        !sim_get_str(c, "current_parent_directory", SIM_MAX_NAME, &current) ||
        !sim_get_str(c, "new_name", SIM_MAX_NAME, &new_name))
        return SIM_ERR;
    if (!sim_check_name(c, "new_name", new_name)) return SIM_ERR;
    sim_group_file f;
    const char *why;
    if (!file_in_folder(c, gid, ref, current, &f, &why)) return SIM_ERR;
    if (why) return ok_true_anyway(c, "rename_group_file", f.file_id, why);
    if (!bot_may_manage(c, gid, f.uploader))
        return ok_true_anyway(c, "rename_group_file", f.file_id,
                              "no permission: only admins, the owner and the uploader rename a file");
    if (!sim_sql_exec(c, "UPDATE files SET name=?, modify_time=? WHERE group_id=? AND file_id=?", "siis", new_name,
                      sim_now(c), gid, f.file_id))
        return sim_db_fail(c);
    write_ok_true(c);
    return SIM_OK;
}

int sim_act_move_group_file(sim_ctx *c) {
    int64_t gid;
    const char *ref, *current, *target;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "file_id", SIM_MAX_NAME, &ref) ||
        !sim_get_str(c, "current_parent_directory", SIM_MAX_NAME, &current) ||
        !sim_get_str(c, "target_parent_directory", SIM_MAX_NAME, &target))
        return SIM_ERR;
    sim_group_file f;
    const char *why;
    if (!file_in_folder(c, gid, ref, current, &f, &why)) return SIM_ERR;
    if (why) return ok_true_anyway(c, "move_group_file", f.file_id, why);
    int fr = folder_exists(c, gid, target);
    if (fr < 0) return sim_db_fail(c);
    if (fr == 0) return ok_true_anyway(c, "move_group_file", f.file_id, "target_parent_directory does not exist");
    if (!bot_may_manage(c, gid, f.uploader))
        return ok_true_anyway(c, "move_group_file", f.file_id,
                              "no permission: only admins, the owner and the uploader move a file");
    if (!sim_sql_exec(c, "UPDATE files SET folder_id=?, modify_time=? WHERE group_id=? AND file_id=?", "siis", target,
                      sim_now(c), gid, f.file_id))
        return sim_db_fail(c);
    write_ok_true(c);
    return SIM_OK;
}

/* QQ's transGroupFile turns a temporary file into a permanent one; NapCat
 * throws QQ's retMsg on failure, so this one fails for real. */
int sim_act_trans_group_file(sim_ctx *c) {
    int64_t gid;
    const char *ref;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "file_id", SIM_MAX_NAME, &ref)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR; /* QQ answers members only */
    sim_group_file f;
    if (!require_file(c, gid, ref, "file not exist", &f)) return SIM_ERR;
    if (!sim_sql_exec(c, "UPDATE files SET dead_time=0 WHERE group_id=? AND file_id=?", "is", gid, f.file_id))
        return sim_db_fail(c);
    write_ok_true(c);
    return SIM_OK;
}

/* NapCat answers QQ's ftn_handler URL; here an HTTP URL on the simulator's
 * own port that downloads the file (sim_http.c): unguessable, expiring. */
int sim_act_get_group_file_url(sim_ctx *c) {
    int64_t gid;
    const char *ref;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_get_str(c, "file_id", SIM_MAX_NAME, &ref)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR; /* QQ answers members only */
    sim_group_file f;
    if (!require_file(c, gid, ref, "real fileUUID not found!", &f)) return SIM_ERR;
    const char *url = sim_link_group_file(c, f.group_id, f.file_id, f.name);
    if (!url) return SIM_ERR;
    sim_data_str(c, "url", url);
    return SIM_OK;
}

/* A file:// URL (or path) of one of our cache copies → its stored id. */
static bool id_from_cache_path(sim_ctx *c, const char *ref, char file_id[SIM_ID_LEN + 1]) {
    const char *path = strncasecmp(ref, "file://", 7) == 0 ? sim_file_uri_path(c, ref) : ref;
    if (!path) return false;
    const char *dir = sim_file_cache_dir(c);
    if (!dir) return false;
    size_t dl = strlen(dir);
    if (strncmp(path, dir, dl) != 0 || path[dl] != '/') return false;
    const char *base = path + dl + 1;
    /* "<8>-<4>-<4>-<4>-<12>-<name>": the uuid is the first 36 characters. */
    if (strlen(base) < 38 || base[36] != '-') return false;
    snprintf(file_id, SIM_ID_LEN + 1, "/%.36s", base);
    return true;
}

int sim_act_get_file(sim_ctx *c) {
    const char *file, *file_id;
    if (!sim_opt_str(c, "file", NULL, SIM_MAX_PATH, &file) || !sim_opt_str(c, "file_id", NULL, SIM_MAX_PATH, &file_id))
        return SIM_ERR;
    const char *ref = file && file[0] ? file : file_id ? file_id : "";
    if (!ref[0]) return sim_fail(c, SIM_RC_REFUSED, "file not found");
    sim_group_file f;
    bool from_listing = false;
    int found = 0;
    char stored[SIM_ID_LEN + 1];
    int64_t owner = 0;
    if (strlen(ref) == 32) {
        int r = sim_file_alias_resolve(c, 0, ref, stored, &owner);
        if (r < 0) return sim_db_fail(c);
        if (r == 1) {
            from_listing = true;
            found = sim_file_load(c, owner, stored, &f);
        }
    }
    if (!found && ref[0] == '/' && strlen(ref) == SIM_ID_LEN) found = sim_file_load(c, 0, ref, &f);
    if (!found && (ref[0] == '/' || strncasecmp(ref, "file://", 7) == 0) && id_from_cache_path(c, ref, stored))
        found = sim_file_load(c, 0, stored, &f);
    if (!found && strncasecmp(ref, "http://", 7) == 0) { /* a link of get_group_file_url */
        int r = sim_link_resolve(c, ref, &owner, stored);
        if (r < 0) return sim_db_fail(c);
        if (r == 1) found = sim_file_load(c, owner, stored, &f);
    }
    if (!found) {
        /* NapCat's last mode: search by name (here: the newest file of that
           name in a group the bot is in). */
        sqlite3_stmt *st = sim_sql_query(c,
                                         "SELECT " SIM_FILE_COLUMNS " FROM files f WHERE name=? AND EXISTS"
                                         " (SELECT 1 FROM members m WHERE m.group_id=f.group_id AND m.user_id=?)"
                                         " ORDER BY upload_time DESC, rowid DESC LIMIT 1",
                                         "si", ref, sim_self_id(c));
        if (!st) return sim_db_fail(c);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            sim_file_from_row(c, st, &f);
            found = 1;
        } else if (rc != SQLITE_DONE) found = -1;
        sqlite3_finalize(st);
    }
    if (found < 0) return sim_db_fail(c);
    /* QQ lets only members download a group's files, whatever named them. */
    if (found && sim_bot_role(c, f.group_id) == SIM_ROLE_NONE) found = 0;
    if (!found) return sim_fail(c, SIM_RC_REFUSED, "file not found");
    const char *path = sim_file_cache_copy(c, &f);
    if (!path) return SIM_ERR;
    if (!sim_sql_exec(c, "UPDATE files SET download_times=download_times+1 WHERE group_id=? AND file_id=?", "is",
                      f.group_id, f.file_id))
        return sim_db_fail(c);
    char size[24];
    snprintf(size, sizeof size, "%lld", (long long)f.size);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_str(w, "file", path);
    ob__jw_key_str(w, "url", path);
    /* NapCat's group-file-alias mode leaves size and name empty. */
    ob__jw_key_str(w, "file_size", from_listing ? "" : size);
    ob__jw_key_str(w, "file_name", from_listing ? "" : f.name);
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* ------------------------------------------------------------------ folders */

int sim_act_create_group_file_folder(sim_ctx *c) {
    int64_t gid;
    const char *folder_name, *name;
    if (!sim_get_i64(c, "group_id", &gid) || !sim_opt_str(c, "folder_name", NULL, SIM_MAX_NAME, &folder_name) ||
        !sim_opt_str(c, "name", NULL, SIM_MAX_NAME, &name))
        return SIM_ERR;
    /* NapCat: folder_name || name. parent_id is ignored: always the root. */
    bool use_folder_name = folder_name && folder_name[0];
    const char *fname = use_folder_name ? folder_name : name;
    if (!fname)
        return sim_fail(c, SIM_RC_BAD_PARAM,
                        "Schema compilation error: folder_name: Expected required property (or name)");
    if (!sim_check_name(c, use_folder_name ? "folder_name" : "name", fname)) return SIM_ERR;
    if (!sim_require_bot_in_group(c, gid, NULL)) return SIM_ERR;
    if (!sim_bot_is_admin(c, gid))
        return sim_fail(c, SIM_RC_REFUSED,
                        "创建群文件夹失败: retCode -2 no permission (only admins and the owner create folders)");
    sqlite3_stmt *st = sim_sql_query(c, "SELECT 1 FROM folders WHERE group_id=? AND name=?", "is", gid, fname);
    if (!st) return sim_db_fail(c);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return sim_fail(c, SIM_RC_REFUSED, "创建群文件夹失败: retCode -8 a folder named \"%s\" already exists", fname);
    if (rc != SQLITE_DONE) return sim_db_fail(c);
    char folder_id[SIM_ID_LEN + 1];
    sim_file_new_id(c, folder_id);
    int64_t now = sim_now(c), self = sim_self_id(c);
    if (!sim_sql_exec(
            c, "INSERT INTO folders(group_id,folder_id,name,create_time,creator,modify_time) VALUES(?,?,?,?,?,?)",
            "issiii", gid, folder_id, fname, now, self, now))
        return sim_db_fail(c);
    const char *creator_name = sim_display_name(c, gid, self);
    char gid_s[24], self_s[24];
    snprintf(gid_s, sizeof gid_s, "%lld", (long long)gid);
    snprintf(self_s, sizeof self_s, "%lld", (long long)self);
    /* The raw QQ objects, field names as QQ's listener types have them. */
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key(w, "result");
    write_qq_result(w, 0, "ok");
    ob__jw_key(w, "groupItem");
    ob__jw_obj(w);
    ob__jw_key_str(w, "peerId", gid_s);
    ob__jw_key_int(w, "type", 2);
    ob__jw_key(w, "folderInfo");
    ob__jw_obj(w);
    ob__jw_key_str(w, "folderId", folder_id);
    ob__jw_key_str(w, "parentFolderId", "/");
    ob__jw_key_str(w, "folderName", fname);
    ob__jw_key_int(w, "createTime", now);
    ob__jw_key_int(w, "modifyTime", now);
    ob__jw_key_str(w, "createUin", self_s);
    ob__jw_key_str(w, "creatorName", creator_name);
    ob__jw_key_int(w, "totalFileCount", 0);
    ob__jw_key_str(w, "modifyUin", self_s);
    ob__jw_key_str(w, "modifyName", creator_name);
    ob__jw_key_str(w, "usedSpace", "0");
    ob__jw_obj_end(w);
    ob__jw_key(w, "fileInfo");
    ob__jw_null(w);
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    return SIM_OK;
}

static void write_folder_result(sim_ctx *c, int retcode, const char *msg) {
    write_qq_result(sim_data(c), retcode, msg);
}

int sim_act_delete_group_folder(sim_ctx *c) {
    int64_t gid;
    const char *folder;
    if (!sim_get_i64(c, "group_id", &gid) || !folder_param(c, &folder)) return SIM_ERR;
    const char *why = NULL;
    int retcode = 0;
    int fr = strcmp(folder, "/") == 0 ? 0 : folder_exists(c, gid, folder);
    if (fr < 0) return sim_db_fail(c);
    if (sim_bot_role(c, gid) == SIM_ROLE_NONE) why = "the bot is not in the group", retcode = -1;
    else if (fr == 0) why = "folder does not exist", retcode = -103;
    else if (!sim_bot_is_admin(c, gid)) why = "no permission: only admins and the owner delete folders", retcode = -2;
    if (why) {
        int fs = sim_false_success(c, "delete_group_folder %s in group %lld: %s", folder, (long long)gid, why);
        if (fs != SIM_OK) return fs;
        write_folder_result(c, retcode, why);
        return SIM_OK;
    }
    if (!sim_sql_exec(c, "DELETE FROM files WHERE group_id=? AND folder_id=?", "is", gid, folder) ||
        !sim_sql_exec(c, "DELETE FROM folders WHERE group_id=? AND folder_id=?", "is", gid, folder))
        return sim_db_fail(c);
    write_folder_result(c, 0, "ok");
    return SIM_OK;
}
