/* Group files in the store: their ids, the listing aliases and the download
 * cache, shared by the group-file actions (act_files.c).
 *
 * Ids. A file's stored id (files.file_id) looks like QQ's fileUuid,
 * "/xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". upload_group_file returns it and the
 * group_upload notice carries it as file.id. Listings hand out NapCat's
 * aliases instead: every get_group_root_files / get_group_files_by_folder
 * call gives each listed file a fresh random 32-hex alias. Aliases live in
 * memory only (a TEMP table of the simulator's connection: gone on restart),
 * at most SIM_FILE_ALIASES of them, the least recently used evicted first,
 * each dropped after 24 h (simulated clock) without use, as NapCat's
 * file-uuid cache does.
 *   - delete_group_file takes a listing alias only; anything else is
 *     `Invalid file_id` (NapCat's decodeModelId path).
 *   - move/rename/trans/get_group_file_url take a listing alias or the
 *     stored id (NapCat decodes both kinds); otherwise
 *     `real fileUUID not found!`.
 *   - get_file takes an alias, the stored id, a URL from get_group_file_url,
 *     or a file name (NapCat's search mode). As NapCat does for listing
 *     aliases, it then answers file_size "" and file_name ""; for the other
 *     forms both are filled.
 *
 * Bytes leave the database only through get_file / get_group_file_url: the
 * content is written to the simulator's cache directory, "<db path>-cache/"
 * next to the database (for ":memory:" databases "$TMPDIR/onebot-sim-cache-
 * <uid>/"), as "<stored id without '/'>-<file name>"; get_file returns that
 * absolute path (no base64: NapCat adds it only with enableLocalFile2Url),
 * get_group_file_url the same as a file:// URL. */
#include "sim_files.h"
#include "sim_server_internal.h"
#include "text.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIM_FILE_ALIASES 5000
#define SIM_FILE_ALIAS_TTL 86400

/* ------------------------------------------------------------------ configuration */

int sim_files_setup(ob_sim *s, const ob_sim_config *cfg, char *err, size_t errlen) {
    const char *root = cfg->files_root && cfg->files_root[0] ? cfg->files_root : ".";
    s->files_root = realpath(root, NULL);
    struct stat sb;
    if (!s->files_root || stat(s->files_root, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        int e = s->files_root ? ENOTDIR : errno;
        snprintf(err, errlen, "the files root %s (--files-root) is not a usable directory: %s", root, strerror(e));
        return -1;
    }
    if (cfg->group_space < 0) {
        snprintf(err, errlen, "the group space (--group-space) must not be negative");
        return -1;
    }
    s->group_space = cfg->group_space ? cfg->group_space : SIM_GROUP_SPACE_DEFAULT;
    return 0;
}

const char *sim_files_root(sim_ctx *c) { return c->sim->files_root; }
int64_t sim_group_space(sim_ctx *c) { return c->sim->group_space; }

void sim_file_new_id(sim_ctx *c, char out[SIM_ID_LEN + 1]) {
    char hex[33];
    sim_random_hex(c, hex, 32);
    hex[12] = '4';                                /* uuid version 4 */
    hex[16] = "89ab"[ob__hex_digit(hex[16]) & 3]; /* RFC 4122 variant */
    snprintf(out, SIM_ID_LEN + 1, "/%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

bool sim_file_aliases_ready(sim_ctx *c) {
    /* Keeps the table off the disk when it is created; harmless afterwards. */
    sim_sql_exec(c, "PRAGMA temp_store=MEMORY", "");
    return sim_sql_exec(c,
                        "CREATE TEMP TABLE IF NOT EXISTS file_aliases("
                        " alias TEXT PRIMARY KEY, group_id INTEGER NOT NULL, file_id TEXT NOT NULL,"
                        " last_used INTEGER NOT NULL, use_seq INTEGER NOT NULL)",
                        "") &&
           sim_sql_exec(c, "CREATE INDEX IF NOT EXISTS temp.file_aliases_lru ON file_aliases(use_seq)", "");
}

bool sim_file_alias_new(sim_ctx *c, int64_t gid, const char *file_id, char alias[33]) {
    sim_random_hex(c, alias, 32);
    if (!sim_sql_exec(c,
                      "INSERT OR REPLACE INTO temp.file_aliases(alias,group_id,file_id,last_used,use_seq)"
                      " VALUES(?,?,?,?,(SELECT coalesce(max(use_seq),0)+1 FROM temp.file_aliases))",
                      "sisi", alias, gid, file_id, sim_now(c)))
        return false;
    return sim_sql_exec(c,
                        "DELETE FROM temp.file_aliases WHERE alias IN (SELECT alias FROM temp.file_aliases"
                        " ORDER BY use_seq LIMIT max(0,(SELECT count(*) FROM temp.file_aliases)-?))",
                        "i", (int64_t)SIM_FILE_ALIASES);
}

int sim_file_alias_resolve(sim_ctx *c, int64_t gid, const char *alias, char file_id[SIM_ID_LEN + 1], int64_t *gid_out) {
    if (!sim_file_aliases_ready(c)) return -1;
    int64_t now = sim_now(c);
    if (!sim_sql_exec(c, "DELETE FROM temp.file_aliases WHERE last_used < ?", "i", now - SIM_FILE_ALIAS_TTL)) return -1;
    sqlite3_stmt *st =
        sim_sql_query(c, "SELECT group_id, file_id FROM temp.file_aliases WHERE alias=? AND (?=0 OR group_id=?)", "sii",
                      alias, gid, gid);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        *gid_out = sqlite3_column_int64(st, 0);
        snprintf(file_id, SIM_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (found == 1 && !sim_sql_exec(c,
                                    "UPDATE temp.file_aliases SET last_used=?,"
                                    " use_seq=(SELECT max(use_seq)+1 FROM temp.file_aliases) WHERE alias=?",
                                    "is", now, alias))
        return -1;
    return found;
}

void sim_file_from_row(sim_ctx *c, sqlite3_stmt *st, sim_group_file *f) {
    memset(f, 0, sizeof *f);
    f->group_id = sqlite3_column_int64(st, 0);
    snprintf(f->file_id, sizeof f->file_id, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(f->folder_id, sizeof f->folder_id, "%s", (const char *)sqlite3_column_text(st, 2));
    f->name = sim_sql_text(c, st, 3);
    if (!f->name) f->name = "";
    f->size = sqlite3_column_int64(st, 4);
    f->uploader = sqlite3_column_int64(st, 5);
    f->upload_time = sqlite3_column_int64(st, 6);
    f->dead_time = sqlite3_column_int64(st, 7);
    f->modify_time = sqlite3_column_int64(st, 8);
    f->download_times = sqlite3_column_int64(st, 9);
}

int sim_file_load(sim_ctx *c, int64_t gid, const char *file_id, sim_group_file *f) {
    sqlite3_stmt *st = sim_sql_query(
        c, "SELECT " SIM_FILE_COLUMNS " FROM files WHERE file_id=? AND (?=0 OR group_id=?)", "sii", file_id, gid, gid);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) sim_file_from_row(c, st, f);
    sqlite3_finalize(st);
    return found;
}

int sim_file_ref(sim_ctx *c, int64_t gid, const char *ref, sim_file_ref_kind kind, sim_group_file *f) {
    const char *unknown = kind == SIM_REF_ALIAS_ONLY ? "Invalid file_id" : "real fileUUID not found!";
    memset(f, 0, sizeof *f);
    int64_t owner = 0;
    char file_id[SIM_ID_LEN + 1];
    int r = strlen(ref) == 32 ? sim_file_alias_resolve(c, gid, ref, file_id, &owner) : 0;
    if (r < 0) return sim_db_fail(c), -2;
    if (r == 0) {
        if (kind == SIM_REF_ALIAS_ONLY || ref[0] != '/' || strlen(ref) != SIM_ID_LEN)
            return sim_fail(c, SIM_RC_REFUSED, "%s", unknown), -1;
        snprintf(file_id, sizeof file_id, "%s", ref);
    }
    r = sim_file_load(c, gid, file_id, f);
    if (r < 0) return sim_db_fail(c), -2;
    if (r == 0) {
        /* A stored id is only a reference while its file exists. */
        if (kind == SIM_REF_ALIAS_OR_ID && owner == 0) return sim_fail(c, SIM_RC_REFUSED, "%s", unknown), -1;
        snprintf(f->file_id, sizeof f->file_id, "%s", file_id);
        f->group_id = owner;
        return 0;
    }
    return 1;
}

const char *sim_file_cache_dir(sim_ctx *c) {
    const char *db = sqlite3_db_filename(sim_db(c), "main");
    char *dir = sim_ctx_alloc(c, SIM_MAX_PATH + 64);
    if (!dir) return sim_fail(c, SIM_RC_REFUSED, "out of memory"), NULL;
    if (db && db[0]) {
        snprintf(dir, SIM_MAX_PATH + 64, "%s-cache", db);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, SIM_MAX_PATH + 64, "%s/onebot-sim-cache-%lu", tmp && tmp[0] == '/' ? tmp : "/tmp",
                 (unsigned long)getuid());
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return sim_fail(c, SIM_RC_REFUSED, "cannot create the cache directory %s: %s", dir, strerror(errno)), NULL;
    struct stat sb;
    if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != getuid())
        return sim_fail(c, SIM_RC_REFUSED, "%s is not the simulator's own cache directory", dir), NULL;
    if ((sb.st_mode & 077) && chmod(dir, 0700) != 0) /* one an older simulator made */
        return sim_fail(c, SIM_RC_REFUSED, "cannot make the cache directory %s private: %s", dir, strerror(errno)),
               NULL;
    return dir;
}

const char *sim_file_cache_copy(sim_ctx *c, const sim_group_file *f) {
    const char *dir = sim_file_cache_dir(c);
    if (!dir) return NULL;
    sqlite3_stmt *st =
        sim_sql_query(c, "SELECT content FROM files WHERE group_id=? AND file_id=?", "is", f->group_id, f->file_id);
    if (!st) return sim_db_fail(c), NULL;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return sim_fail(c, SIM_RC_REFUSED, "file not found"), NULL;
    }
    const void *blob = sqlite3_column_blob(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    size_t cap = strlen(dir) + strlen(f->name) + SIM_ID_LEN + 8;
    char *path = sim_ctx_alloc(c, cap);
    if (!path) {
        sqlite3_finalize(st);
        return sim_fail(c, SIM_RC_REFUSED, "out of memory"), NULL;
    }
    char id[SIM_ID_LEN + 1];
    size_t k = 0;
    for (const char *p = f->file_id; *p; p++)
        if (*p != '/') id[k++] = *p;
    id[k] = '\0';
    /* Names were checked on the way in (no '/', no ".."), so this stays
       inside dir. The name is cut (on a UTF-8 boundary) so that the whole
       component fits the file system's 255 bytes. */
    size_t keep = strlen(f->name);
    if (keep > SIM_NAME_BYTES - SIM_ID_LEN) {
        keep = SIM_NAME_BYTES - SIM_ID_LEN;
        while (keep > 0 && ((unsigned char)f->name[keep] & 0xC0) == 0x80) keep--;
    }
    snprintf(path, cap, "%s/%s-%.*s", dir, id, (int)keep, f->name);
    const char *done = sim_file_cache_write(c, path, blob, n, "文件下载失败");
    sqlite3_finalize(st);
    return done;
}

const char *sim_file_cache_write(sim_ctx *c, const char *path, const void *data, size_t n, const char *what) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    /* 0600 whatever the umask, and for a copy an older simulator left 0644. */
    bool ok = fd >= 0 && fchmod(fd, 0600) == 0;
    const unsigned char *p = data;
    size_t done = 0;
    while (ok && done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) ok = false;
        else done += (size_t)w;
    }
    int saved = errno;
    if (fd >= 0 && close(fd) != 0) ok = false;
    if (!ok) return sim_fail(c, SIM_RC_REFUSED, "%s: cannot write %s: %s", what, path, strerror(saved)), NULL;
    return path;
}
