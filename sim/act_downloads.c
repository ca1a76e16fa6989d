/* Simulator actions that put bytes into the simulator's cache directory
 * (the one get_file uses, sim_file_cache_dir): download_file, as NapCat
 * fills its temp directory, and get_image / get_record for the media of
 * received messages, found by the file name their segments carry. Real
 * files, except that get_record converts nothing (no ffmpeg here). */
#include "sim_files.h"
#include "sim_actions.h"
#include "sim_surface.h"
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes data into the simulator's cache directory as name (already a
 * safe single component); returns the absolute path (ctx-owned) or NULL
 * with the failure recorded. */
static const char *cache_write(sim_ctx *c, const char *name, const unsigned char *data, size_t len) {
    const char *dir = sim_file_cache_dir(c);
    if (!dir) return NULL;
    size_t cap = strlen(dir) + strlen(name) + 2;
    char *path = sim_ctx_alloc(c, cap);
    if (!path) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), NULL;
    snprintf(path, cap, "%s/%s", dir, name);
    return sim_file_cache_write(c, path, data, len, "文件写入失败");
}

/* download_file {url?, base64?, name?, headers?} → {file}: the bytes
 * (base64, else what url names: base64://, data:, a local path or
 * file:// under the files root; http(s) cannot be fetched) are written
 * into the simulator's cache directory as name, or as their MD5 without
 * one, as NapCat does in its temp directory. */
int sim_act_download_file(sim_ctx *c) {
    const char *url, *b64, *name;
    if (!sim_opt_str(c, "url", NULL, SIM_MAX_PATH, &url) || !sim_opt_str(c, "base64", NULL, SIM_MAX_BASE64, &b64) ||
        !sim_opt_str(c, "name", NULL, SIM_MAX_NAME, &name))
        return SIM_ERR;
    int ht = sim_param_tok(c, "headers"); /* a string or an array of "k=v": nothing is fetched, so unused */
    if (ht >= 0 && sim_params_doc(c)->tok[ht].type != JSMN_STRING && sim_params_doc(c)->tok[ht].type != JSMN_ARRAY)
        return sim_fail(c, SIM_RC_BAD_PARAM, "Key: headers, Message: Expected union value");
    if (name && name[0] && !sim_check_name(c, "name", name)) return SIM_ERR;
    const char *src = NULL;
    if (b64 && b64[0]) {
        size_t n = strlen(b64) + 10;
        char *s = sim_ctx_alloc(c, n);
        if (!s) return sim_fail(c, SIM_RC_REFUSED, "out of memory");
        snprintf(s, n, "base64://%s", b64);
        src = s;
    } else if (url && url[0]) {
        src = url;
    } else {
        return sim_fail(c, SIM_RC_REFUSED, "不存在任何文件, 无法下载");
    }
    const unsigned char *data;
    size_t len;
    if (!sim_load_file_arg(c, src, &data, &len)) return SIM_ERR;
    char md5[SIM_MD5_HEX_BYTES];
    if (!name || !name[0]) {
        sim_md5_hex(data, len, md5);
        name = md5;
    }
    const char *path = cache_write(c, name, data, len);
    if (!path) return SIM_ERR;
    sim_data_str(c, "file", path);
    return SIM_OK;
}

/* A received image, voice or video by the file name its segment carries
 * (<MD5>.<ext>, sim_media.c): 1 with its bytes (ctx-owned), 0 none, -1 DB
 * error. The bytes live with the media's download link. */
static int media_by_name(sim_ctx *c, const char *name, const unsigned char **data, size_t *len) {
    sqlite3_stmt *st =
        sim_sql_query(c,
                      "SELECT content FROM links WHERE name=? AND file_id IS NULL AND content IS NOT NULL"
                      " ORDER BY rowid DESC LIMIT 1",
                      "s", name);
    if (!st) return -1;
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        unsigned char *copy = sim_ctx_alloc(c, n + 1);
        if (!copy) found = -1;
        else {
            if (n) memcpy(copy, sqlite3_column_blob(st, 0), n);
            *data = copy;
            *len = n;
        }
    }
    sqlite3_finalize(st);
    return found;
}

static const char *const record_formats[] = {"mp3", "amr", "wma", "m4a", "spx", "ogg", "wav", "flac", NULL};

/* get_image / get_record: the media in the cache. out_format: NULL for an
 * image; for a voice the copy is named <name>.<out_format> and its bytes
 * come back as base64 too (not converted: the simulator has no ffmpeg). */
static int get_media(sim_ctx *c, const char *out_format) {
    const char *file, *file_id;
    if (!sim_opt_str(c, "file", NULL, SIM_MAX_PATH, &file) || !sim_opt_str(c, "file_id", NULL, SIM_MAX_PATH, &file_id))
        return SIM_ERR;
    const char *ref = file && file[0] ? file : file_id ? file_id : "";
    const unsigned char *data = NULL;
    size_t len = 0;
    int r = ref[0] && !strchr(ref, '/') ? media_by_name(c, ref, &data, &len) : 0;
    if (r < 0) return sim_db_fail(c);
    if (r == 0) {
        /* NapCat's get_image is get_file: group files and names too. */
        if (!out_format) return sim_act_get_file(c);
        return sim_fail(c, SIM_RC_REFUSED, "file not found");
    }
    char name[SIM_MAX_NAME + 16];
    bool known = !out_format;
    for (int i = 0; !known && record_formats[i]; i++) known = strcmp(record_formats[i], out_format) == 0;
    if (!known) return sim_fail(c, SIM_RC_REFUSED, "转换失败 out_format 字段可能格式不正确");
    snprintf(name, sizeof name, "%s%s%s", ref, out_format ? "." : "", out_format ? out_format : "");
    const char *path = cache_write(c, name, data, len);
    if (!path) return SIM_ERR;
    char size[24];
    snprintf(size, sizeof size, "%zu", len);
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_str(w, "file", path);
    ob__jw_key_str(w, "url", path);
    ob__jw_key_str(w, "file_size", size);
    ob__jw_key_str(w, "file_name", ref);
    if (out_format) {
        char *b64 = sim_ctx_alloc(c, 4 * ((len + 2) / 3) + 1);
        if (!b64) return sim_fail(c, SIM_RC_REFUSED, "out of memory");
        EVP_EncodeBlock((unsigned char *)b64, data, (int)len);
        ob__jw_key_str(w, "base64", b64);
    }
    ob__jw_obj_end(w);
    return SIM_OK;
}

/* get_image {file | file_id} → {file, url, file_size, file_name}: a
 * received image by its segment's file name, written into the cache; any
 * other reference goes the way of get_file. */
int sim_act_get_image(sim_ctx *c) { return get_media(c, NULL); }

/* get_record {file | file_id, out_format} → {file, url, file_size,
 * file_name, base64}. */
int sim_act_get_record(sim_ctx *c) {
    const char *fmt;
    if (!sim_get_str(c, "out_format", 16, &fmt)) return SIM_ERR;
    return get_media(c, fmt);
}
