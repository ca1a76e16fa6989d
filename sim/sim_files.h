/* Internal to the simulator's group-file actions (act_files.c): group files
 * in the store, their ids, the listing aliases and the download cache
 * (sim_files.c). */
#ifndef SIM_FILES_H
#define SIM_FILES_H

#include "sim_internal.h"

#define SIM_ID_LEN 37 /* "/" + 36-char uuid */

/* QQ's space for an ordinary group's files, the total_space NapCat reports. */
#define SIM_GROUP_SPACE_DEFAULT ((int64_t)10 << 30)
/* What get_group_file_system_info reports as limit_count (NapCat's constant). */
#define SIM_GROUP_FILE_LIMIT 10000

typedef struct sim_group_file {
    int64_t group_id;
    char file_id[SIM_ID_LEN + 1];
    char folder_id[SIM_ID_LEN + 1];
    const char *name;
    int64_t size, uploader, upload_time, dead_time, modify_time, download_times;
} sim_group_file;

#define SIM_FILE_COLUMNS \
    "group_id, file_id, folder_id, name, size, uploader, upload_time, dead_time, modify_time, download_times"

typedef enum { SIM_REF_ALIAS_ONLY, SIM_REF_ALIAS_OR_ID } sim_file_ref_kind;

/* A new QQ-style id ("/" + a version-4 uuid) for a file or folder. */
void sim_file_new_id(sim_ctx *c, char out[SIM_ID_LEN + 1]);
/* Creates the connection's TEMP alias table when missing; false on a DB error. */
bool sim_file_aliases_ready(sim_ctx *c);
/* A fresh alias for a listed file; false on a DB error. */
bool sim_file_alias_new(sim_ctx *c, int64_t gid, const char *file_id, char alias[33]);
/* Resolves an alias (refreshing it) to the stored id and its group. group 0
 * matches any group. 1 found, 0 not, -1 DB error. */
int sim_file_alias_resolve(sim_ctx *c, int64_t gid, const char *alias, char file_id[SIM_ID_LEN + 1], int64_t *gid_out);
/* Fills f from a row of SIM_FILE_COLUMNS. */
void sim_file_from_row(sim_ctx *c, sqlite3_stmt *st, sim_group_file *f);
/* 1 found, 0 not, -1 DB error. gid 0 matches any group. */
int sim_file_load(sim_ctx *c, int64_t gid, const char *file_id, sim_group_file *f);
/* What a client's file_id names. 1: *f is the file. 0: a valid reference
 * whose file is gone (deleted since the listing); f->file_id is set. -1: not
 * a reference at all (failure recorded with NapCat's message). -2: DB error
 * (recorded). */
int sim_file_ref(sim_ctx *c, int64_t gid, const char *ref, sim_file_ref_kind kind, sim_group_file *f);
/* The files root (--files-root): local file arguments are read only under it. */
const char *sim_files_root(sim_ctx *c);
/* The bytes of group files one group may hold (--group-space). */
int64_t sim_group_space(sim_ctx *c);
/* The simulator's cache directory (created 0700 if needed). NULL on failure (recorded). */
const char *sim_file_cache_dir(sim_ctx *c);
/* Writes the file's bytes into the cache; returns the absolute path (ctx-owned). */
const char *sim_file_cache_copy(sim_ctx *c, const sim_group_file *f);
/* Writes n bytes of data as the file path (a new private 0600 file, no
 * symlink followed) and returns path; NULL with "<what>: cannot write
 * <path>: <reason>" (1200) recorded. */
const char *sim_file_cache_write(sim_ctx *c, const char *path, const void *data, size_t n, const char *what);

/* The group file a download link of get_group_file_url names (sim_http.c):
 * 1 found and live (*gid, file_id set), 0 not such a link, -1 DB error. */
int sim_link_resolve(sim_ctx *c, const char *url, int64_t *gid, char file_id[SIM_ID_LEN + 1]);

#endif
