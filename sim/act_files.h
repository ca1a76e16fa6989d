/* Internal to the simulator: what the group-file module offers the rest of
 * the simulator, and the small SQL and file-argument helpers shared by the
 * file, essence, notice and honor actions. */
#ifndef OB_SIM_ACT_FILES_H
#define OB_SIM_ACT_FILES_H

#include "sim_internal.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* For send_group_msg (NapCat's post_group_file path, PROTOCOL.md §3.4): a
 * `file` segment sent to a group uploads a group file into the root, exactly
 * as upload_group_file does (group_upload notice included). Call it before
 * storing the message, with the normalized segment array. Other segment
 * types are left alone. On success every file segment's upload is done and
 * true is returned; on failure the reason is recorded (1200/1400, as
 * upload_group_file) and false is returned: the handler returns SIM_ERR and
 * the transaction rolls the uploads back. */
bool sim_files_post_segments(sim_ctx *c, int64_t group_id, const char *segments_json);

/* How a member shows up in web listings: the group card, else the nickname
 * ("" when the user is unknown). Owned by the ctx. */
const char *sim_display_name(sim_ctx *c, int64_t group_id, int64_t user_id);

/* Loads a file argument in NapCat's forms (PROTOCOL.md §3.4): a local path
 * or file:// URI on the simulator host (a regular file, read only),
 * base64://, data:<mime>;base64,. http(s):// cannot be fetched (the simulator
 * has no network) and fails with 1200. The bytes are owned by the ctx.
 * On failure the reason is recorded and false is returned. */
bool sim_load_file_arg(sim_ctx *c, const char *arg, const unsigned char **data, size_t *len);

/* Checks a file or folder name given by a client: not empty, at most 255
 * bytes, no '/', '\\', control bytes, and not "." or "..". Records 1400
 * naming key and returns false otherwise. */
bool sim_check_name(sim_ctx *c, const char *key, const char *name);

#endif
