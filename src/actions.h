/* Internal: the action table. Every group API action is ONE entry below
 * (a row in OB_ACTIONS plus its OB_PARAMS_<name> list); actions.c expands the
 * table into the public blocking function, its _async twin, and the run-time
 * metadata array ob_action_defs[] that the encoder, the decoder and the CLI
 * (subcommands, help, man page, completion, --json) read.
 *
 * Adding an action: one OB_PARAMS_<name> block, one OB_ACTIONS row, and the
 * documented prototypes in include/onebot/group.h (the compiler checks that
 * the generated definitions match them).
 */
#ifndef OB_ACTIONS_H
#define OB_ACTIONS_H

#include "codec.h"
#include "json.h"
#include <onebot/group.h>

/* How a parameter is typed in C and written on the wire. */
typedef enum ob_ptype {
    OB_PT_ID,         /* int64_t > 0 (group/user ids): JSON integer */
    OB_PT_I64,        /* int64_t, any value (message ids): JSON integer */
    OB_PT_NONNEG,     /* int64_t >= 0 (durations): JSON integer */
    OB_PT_LIMIT,      /* int64_t >= 0 (file_count): JSON integer, 0 sends the default */
    OB_PT_BOOL,       /* bool: JSON true/false */
    OB_PT_FLAG,       /* bool: JSON 0/1, for keys NapCat reads as integers */
    OB_PT_STR,        /* const char *, required (NULL is OB_EINVAL) */
    OB_PT_STR_OPT,    /* const char *, NULL leaves the key out */
    OB_PT_FILE_NAME,  /* const char *, NULL sends the base name of the row's MEDIA argument */
    OB_PT_ID_ARRAY,   /* const int64_t *, size_t count >= 1: JSON array of integers */
    OB_PT_HONOR,      /* ob_honor_type: its wire string */
    OB_PT_MEDIA_KIND, /* ob_media_kind: chooses a segment type, written by the row's encode hook */
    OB_PT_MEDIA,      /* const char * file argument, resolved by media.c; required */
    OB_PT_MEDIA_OPT,  /* like MEDIA; NULL leaves the key out */
    OB_PT_TEXT,       /* const char *: a message array of one text segment */
    OB_PT_MESSAGE,    /* const ob_message *: a message array, one object per segment */
    OB_PT_FIXED,      /* no C parameter: always sends the JSON text in def */
    OB_PT_SAME        /* no C parameter: repeats the previous parameter under another key */
} ob_ptype;

typedef struct ob_param {
    const char *name;  /* seed / C parameter name */
    const char *key;   /* wire key, or NULL when the row's encode hook writes it */
    ob_ptype type;
    const char *def;   /* the seed's default as text ("false", "50"), NULL when required;
                          for OB_PT_FIXED the JSON value sent */
    const char *help;  /* one line for --help */
} ob_param;

/* What the reply's data becomes. */
typedef enum ob_rkind {
    OB_RK_NONE,       /* nothing (data ignored) */
    OB_RK_OBJ,        /* an object decoded by desc into one block */
    OB_RK_LIST,       /* an array decoded by desc (element) into {count, items} */
    OB_RK_JSON,       /* any value, kept as ob_json text */
    OB_RK_I64,        /* an integer at key (a dotted path) */
    OB_RK_STR,        /* a string at key; missing is OB_EPROTO */
    OB_RK_STR_OPT     /* a string at key; missing or null gives NULL */
} ob_rkind;

/* One value per ob_param of a row (FIXED and SAME take a slot too, unused). */
typedef union ob_arg {
    int64_t i;
    bool b;
    int e;
    const char *s;
    const ob_message *msg;
    struct { const int64_t *ids; size_t n; } arr;
} ob_arg;

struct ob_action_def;
/* Per-row behaviour that parameter types cannot express. Each may be NULL. */
typedef struct ob_action_hooks {
    /* extra argument checks; records its own error */
    int (*validate)(ob_client *c, const struct ob_action_def *d, const ob_arg *args);
    /* writes the keys of parameters whose key is NULL */
    int (*encode)(ob_client *c, const struct ob_action_def *d, const ob_arg *args, ob_jw *w);
    /* blocking call only, after a successful decode (e.g. id fallbacks) */
    int (*finish)(ob_client *c, const struct ob_action_def *d, const ob_arg *args, void *out);
    /* blocking call only: replaces the single request (multi-step actions) */
    int (*run)(ob_client *c, const struct ob_action_def *d, const ob_arg *args, void *out);
} ob_action_hooks;

typedef struct ob_action_def {
    const char *name;          /* seed name; the C function is ob_<name> */
    const char *action;        /* wire action */
    const ob_param *params;
    size_t nparams;
    ob_rkind result;
    const ob_desc *desc;       /* OBJ / LIST */
    const char *result_key;    /* I64 / STR / STR_OPT: dotted path inside data */
    const char *result_type;   /* C type of the result ("ob_group_info", "int64_t", ...) */
    const ob_action_hooks *hooks;
    bool has_async;            /* an ob_<name>_async twin exists */
    const char *summary;       /* one line for help */
} ob_action_def;

/* bot's own account (get_login_info), decoded by ob_desc_login_info */
typedef struct ob_login_info { int64_t user_id; const char *nickname; } ob_login_info;
extern const ob_desc ob_desc_login_info;

/* ---------------------------------------------------------------------
 * The parameters of each action: P(type, name, wire key, default, help).
 * --------------------------------------------------------------------- */
#define OB_P_GROUP(P) P(ID, group_id, "group_id", NULL, "group number")

#define OB_PARAMS_set_group_kick_members(P) OB_P_GROUP(P) \
    P(ID_ARRAY, user_ids, "user_id", NULL, "members to kick") \
    P(BOOL, reject_add_request, "reject_add_request", "false", "also refuse their future join requests")
#define OB_PARAMS_set_group_kick(P) OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member to kick") \
    P(BOOL, reject_add_request, "reject_add_request", "false", "also refuse future join requests")
#define OB_PARAMS_set_group_ban(P) OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member to mute") \
    P(NONNEG, duration, "duration", "1800", "seconds; 0 lifts the ban")
#define OB_PARAMS_set_group_whole_ban(P) OB_P_GROUP(P) \
    P(BOOL, enable, "enable", NULL, "true mutes everyone, false lifts it")
#define OB_PARAMS_set_group_admin(P) OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member") \
    P(BOOL, enable, "enable", NULL, "true grants admin, false revokes it")
#define OB_PARAMS_set_group_leave(P) OB_P_GROUP(P) \
    P(BOOL, is_dismiss, "is_dismiss", "false", "dismiss the group (ignored by NapCat)")
#define OB_PARAMS_set_group_special_title(P) OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member") \
    P(STR_OPT, special_title, "special_title", "\"\"", "the title")
#define OB_PARAMS_set_group_add_request(P) \
    P(STR, flag, "flag", NULL, "flag of the request event") \
    P(BOOL, approve, "approve", NULL, "true approves, false rejects") \
    P(STR_OPT, reason, "reason", NULL, "reason given when rejecting")
#define OB_PARAMS_set_group_card(P) OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member") \
    P(STR_OPT, card, "card", "\"\"", "new group card; empty clears it")
#define OB_PARAMS_set_essence_msg(P) P(I64, message_id, "message_id", NULL, "message id")
#define OB_PARAMS_delete_essence_msg(P) P(I64, message_id, "message_id", NULL, "message id")
#define OB_PARAMS_get_group_essence_msg(P) OB_P_GROUP(P)
#define OB_PARAMS_post_group_file(P) OB_P_GROUP(P) \
    P(MEDIA_KIND, kind, NULL, NULL, "image, record, video or file") \
    P(MEDIA, file, NULL, NULL, "path, URL, base64:// or data: URI")
#define OB_PARAMS_move_group_file(P) OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing") \
    P(STR, current_parent_directory, "current_parent_directory", NULL, "folder id now (\"/\" = root)") \
    P(STR, target_parent_directory, "target_parent_directory", NULL, "destination folder id")
#define OB_PARAMS_trans_group_file(P) OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing")
#define OB_PARAMS_rename_group_file(P) OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing") \
    P(STR, current_parent_directory, "current_parent_directory", NULL, "its folder id (\"/\" = root)") \
    P(STR, new_name, "new_name", NULL, "new file name")
#define OB_PARAMS_get_file(P) \
    P(STR_OPT, file_id, "file_id", NULL, "file id") \
    P(STR_OPT, file, "file", NULL, "file name or id (wins over file_id)")
#define OB_PARAMS_upload_group_file(P) OB_P_GROUP(P) \
    P(MEDIA, file, "file", NULL, "path, URL, base64:// or data: URI") \
    P(FILE_NAME, name, "name", NULL, "name in the group (default: base name of file)") \
    P(STR_OPT, folder, "folder", NULL, "folder id (default: root)")
#define OB_PARAMS_create_group_file_folder(P) OB_P_GROUP(P) \
    P(STR, folder_name, "folder_name", NULL, "folder name") \
    P(SAME, name, "name", NULL, "the same name under NapCat's newer key")
#define OB_PARAMS_group_file_folder_makedir(P) OB_P_GROUP(P) \
    P(STR, path, NULL, NULL, "folder path such as /docs (one level)")
#define OB_PARAMS_delete_group_file(P) OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing")
#define OB_PARAMS_delete_group_folder(P) OB_P_GROUP(P) \
    P(STR, folder_id, "folder_id", NULL, "folder id")
#define OB_PARAMS_get_group_root_files(P) OB_P_GROUP(P) \
    P(LIMIT, file_count, "file_count", "50", "how many entries to list")
#define OB_PARAMS_get_group_files_by_folder(P) OB_P_GROUP(P) \
    P(STR, folder_id, "folder_id", NULL, "folder id") \
    P(LIMIT, file_count, "file_count", "50", "how many entries to list")
#define OB_PARAMS_get_group_file_url(P) OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing")
#define OB_PARAMS_get_group_honor_info(P) OB_P_GROUP(P) \
    P(HONOR, type, "type", NULL, "all, talkative, performer, legend, strong_newbie or emotion")
#define OB_PARAMS_get_group_info(P) OB_P_GROUP(P)
#define OB_PARAMS_get_group_info_ex(P) OB_P_GROUP(P)
/* no_cache: true is NapCat's own default for one member (a fresh fetch). */
#define OB_PARAMS_get_group_member_info(P) OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member") \
    P(FIXED, no_cache, "no_cache", "true", "always fetch the member afresh")
/* no_cache: true would only refresh NapCat's cache in the background for the
 * next call while still answering from the cache, at the cost of a QQ fetch
 * per call; bots that poll the list would pay it every time. */
#define OB_PARAMS_get_group_member_list(P) OB_P_GROUP(P) \
    P(FIXED, no_cache, "no_cache", "false", "served from NapCat's member cache")
#define OB_PARAMS_get_group_shut_list(P) OB_P_GROUP(P)
#define OB_PARAMS_set_group_remark(P) OB_P_GROUP(P) \
    P(STR, remark, "remark", NULL, "the bot's private remark for the group")
#define OB_PARAMS_set_group_sign(P) OB_P_GROUP(P)
#define OB_PARAMS_send_group_sign(P) OB_P_GROUP(P)
#define OB_PARAMS_set_group_avatar(P) OB_P_GROUP(P) \
    P(MEDIA, file, "file", NULL, "image path, URL, base64:// or data: URI")
#define OB_PARAMS_set_group_name(P) OB_P_GROUP(P) \
    P(STR, name, "group_name", NULL, "new group name")
/* NapCat reads the notice flags as integers (confirm_required defaults to 1). */
#define OB_PARAMS_send_group_notice(P) OB_P_GROUP(P) \
    P(STR, content, "content", NULL, "announcement text") \
    P(FLAG, confirm_required, "confirm_required", "false", "members must confirm reading it") \
    P(MEDIA_OPT, image, "image", NULL, "image path, URL, base64:// or data: URI") \
    P(FLAG, is_show_edit_card, "is_show_edit_card", "false", "prompt members to edit their card") \
    P(FLAG, pinned, "pinned", "false", "pin the announcement")
#define OB_PARAMS_send_group_msg(P) OB_P_GROUP(P) \
    P(TEXT, text, "message", NULL, "plain text (CQ codes are not interpreted)")
#define OB_PARAMS_send_group_message(P) OB_P_GROUP(P) \
    P(MESSAGE, msg, "message", NULL, "message segments")
#define OB_PARAMS_delete_msg(P) P(I64, message_id, "message_id", NULL, "message id")
#define OB_PARAMS_get_group_list(P)
#define OB_PARAMS_get_login_info(P)
#define OB_PARAMS_get_group_notice(P) OB_P_GROUP(P)
#define OB_PARAMS_del_group_notice(P) OB_P_GROUP(P) \
    P(STR, notice_id, "notice_id", NULL, "notice id from get_group_notice")

/* ---------------------------------------------------------------------
 * The actions: X(name, wire action, generated functions, result kind,
 *                result C type, result descriptor, result key, hooks, summary)
 * generated functions: BOTH (blocking + _async), ASYNC (the blocking one is
 * written by hand: unusual out parameters), BLOCKING (no _async twin).
 * hooks name a `static const ob_action_hooks` in actions.c, or NULL.
 * --------------------------------------------------------------------- */
#define OB_ACTIONS(X) \
    X(set_group_kick_members, "set_group_kick_members", BOTH, NONE, void, NULL, NULL, NULL, \
      "Kick several members in one request") \
    X(set_group_kick, "set_group_kick", BOTH, NONE, void, NULL, NULL, NULL, "Kick a member") \
    X(set_group_ban, "set_group_ban", BOTH, NONE, void, NULL, NULL, NULL, \
      "Mute a member for some seconds (0 lifts the ban)") \
    X(set_group_whole_ban, "set_group_whole_ban", BOTH, NONE, void, NULL, NULL, NULL, \
      "Mute or unmute the whole group") \
    X(set_group_admin, "set_group_admin", BOTH, NONE, void, NULL, NULL, NULL, "Grant or revoke admin") \
    X(set_group_leave, "set_group_leave", BOTH, NONE, void, NULL, NULL, NULL, "Leave the group") \
    X(set_group_special_title, "set_group_special_title", BOTH, NONE, void, NULL, NULL, NULL, \
      "Set a member's special title") \
    X(set_group_add_request, "set_group_add_request", BOTH, NONE, void, NULL, NULL, NULL, \
      "Approve or reject a join request or invitation") \
    X(set_group_card, "set_group_card", BOTH, NONE, void, NULL, NULL, NULL, "Set a member's group card") \
    X(set_essence_msg, "set_essence_msg", BOTH, NONE, void, NULL, NULL, NULL, "Mark a message as essence") \
    X(delete_essence_msg, "delete_essence_msg", BOTH, NONE, void, NULL, NULL, NULL, \
      "Remove a message from essence") \
    X(get_group_essence_msg, "get_essence_msg_list", BOTH, LIST, ob_essence_list, &ob_desc_essence_msg, \
      NULL, NULL, "List essence messages") \
    X(post_group_file, "send_group_msg", BOTH, I64, int64_t, NULL, "message_id", &ob_hooks_post_group_file, \
      "Post an image, voice, video or file as a message") \
    X(move_group_file, "move_group_file", BOTH, NONE, void, NULL, NULL, NULL, "Move a group file") \
    X(trans_group_file, "trans_group_file", BOTH, NONE, void, NULL, NULL, NULL, \
      "Make a temporary group file permanent") \
    X(rename_group_file, "rename_group_file", BOTH, NONE, void, NULL, NULL, NULL, "Rename a group file") \
    X(get_file, "get_file", BOTH, OBJ, ob_file, &ob_desc_file, NULL, &ob_hooks_get_file, \
      "Fetch a file on the server and describe it") \
    X(upload_group_file, "upload_group_file", BOTH, STR_OPT, char, NULL, "file_id", &ob_hooks_upload, \
      "Upload a group file") \
    X(create_group_file_folder, "create_group_file_folder", BOTH, STR_OPT, char, NULL, \
      "groupItem.folderInfo.folderId", &ob_hooks_create_folder, "Create a folder in the root") \
    X(group_file_folder_makedir, "get_group_root_files+create_group_file_folder", BLOCKING, STR, char, NULL, \
      NULL, &ob_hooks_makedir, "Find or create a folder by path (idempotent)") \
    X(delete_group_file, "delete_group_file", BOTH, NONE, void, NULL, NULL, NULL, "Delete a group file") \
    X(delete_group_folder, "delete_group_folder", BOTH, NONE, void, NULL, NULL, NULL, \
      "Delete a group folder and its files") \
    X(get_group_root_files, "get_group_root_files", BOTH, OBJ, ob_group_file_list, &ob_desc_group_file_list, \
      NULL, NULL, "List the root folder") \
    X(get_group_files_by_folder, "get_group_files_by_folder", BOTH, OBJ, ob_group_file_list, \
      &ob_desc_group_file_list, NULL, NULL, "List a folder") \
    X(get_group_file_url, "get_group_file_url", BOTH, STR, char, NULL, "url", NULL, \
      "Get a download URL for a group file") \
    X(get_group_honor_info, "get_group_honor_info", BOTH, OBJ, ob_group_honor_info, \
      &ob_desc_group_honor_info, NULL, NULL, "Group honors") \
    X(get_group_info, "get_group_info", BOTH, OBJ, ob_group_info, &ob_desc_group_info, NULL, NULL, \
      "Group information") \
    X(get_group_info_ex, "get_group_info_ex", BOTH, JSON, ob_json, NULL, NULL, NULL, \
      "Extended group information (raw JSON)") \
    X(get_group_member_info, "get_group_member_info", BOTH, OBJ, ob_group_member, &ob_desc_group_member, \
      NULL, NULL, "One member") \
    X(get_group_member_list, "get_group_member_list", BOTH, LIST, ob_group_member_list, \
      &ob_desc_group_member, NULL, NULL, "All members") \
    X(get_group_shut_list, "get_group_shut_list", BOTH, LIST, ob_group_member_list, &ob_desc_shut_member, \
      NULL, &ob_hooks_shut_list, "Muted members") \
    X(set_group_remark, "set_group_remark", BOTH, NONE, void, NULL, NULL, NULL, \
      "Set the bot's private remark for the group") \
    X(set_group_sign, "set_group_sign", BOTH, NONE, void, NULL, NULL, NULL, "Group check-in") \
    X(send_group_sign, "send_group_sign", BOTH, NONE, void, NULL, NULL, NULL, "Group check-in") \
    X(set_group_avatar, "set_group_portrait", BOTH, NONE, void, NULL, NULL, NULL, "Set the group avatar") \
    X(set_group_name, "set_group_name", BOTH, NONE, void, NULL, NULL, NULL, "Rename the group") \
    X(send_group_notice, "_send_group_notice", BOTH, NONE, void, NULL, NULL, NULL, "Publish an announcement") \
    X(send_group_msg, "send_group_msg", BOTH, I64, int64_t, NULL, "message_id", NULL, "Send plain text") \
    X(send_group_message, "send_group_msg", BOTH, I64, int64_t, NULL, "message_id", NULL, \
      "Send a message of several segments") \
    X(delete_msg, "delete_msg", BOTH, NONE, void, NULL, NULL, NULL, "Recall a message") \
    X(get_group_list, "get_group_list", BOTH, LIST, ob_group_list, &ob_desc_group_info, NULL, NULL, \
      "The bot's groups") \
    X(get_login_info, "get_login_info", ASYNC, OBJ, ob_login_info, &ob_desc_login_info, NULL, NULL, \
      "The bot's own account") \
    X(get_group_notice, "_get_group_notice", BOTH, JSON, ob_json, NULL, NULL, NULL, \
      "List announcements (raw JSON)") \
    X(del_group_notice, "_del_group_notice", BOTH, NONE, void, NULL, NULL, NULL, "Delete an announcement")

enum {
#define OB_X_ENUM(name, ...) OB_ACT_##name,
    OB_ACTIONS(OB_X_ENUM)
#undef OB_X_ENUM
    OB_ACTION_COUNT
};

/* The table at run time, indexed by OB_ACT_<name>. */
extern const ob_action_def ob_action_defs[OB_ACTION_COUNT];

/* The row with seed name `name` ("set_group_ban"; an "ob_" prefix is
 * accepted), else the first with that wire action; NULL when none. */
const ob_action_def *ob_action_find(const char *name);
/* "id", "bool", "str?", ... for help texts. */
const char *ob_ptype_name(ob_ptype t);
/* False for FIXED and SAME, which take no value from the caller. */
bool ob_param_is_input(const ob_param *p);
/* An input the caller must give: no seed default and NULL not allowed. */
bool ob_param_is_required(const ob_param *p);

/* Builds the params object of one request. Records OB_EINVAL (naming the
 * parameter, or the unreadable file) on c. c may be NULL: no error record,
 * and local files are sent as absolute paths. *out: malloc'd text. */
int ob_action_encode(ob_client *c, const ob_action_def *d, const ob_arg *args, char **out);
/* The blocking call: encode, ob_call_async, ob_client_wait, decode into out
 * (see ob_rkind: void ** for OBJ/LIST/JSON, char ** for STR*, int64_t * for
 * I64; NULL to drop the result), hooks. Records the last error. */
int ob_action_call(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out);
/* The _async twin: encode and queue; cb gets the raw reply. */
int ob_action_call_async(ob_client *c, const ob_action_def *d, const ob_arg *args, ob_reply_cb cb,
                         void *userdata);
/* Decodes a reply's data by the row's result kind into out (as above).
 * r->code when the call failed, OB_EPROTO on a wrong shape. */
int ob_action_decode(const ob_action_def *d, const ob_reply *r, void *out);

/* Writes a result held in an out slot (as ob_action_call fills it) as JSON:
 * objects and lists through their descriptors (ob_encode), ob_json as is,
 * strings, integers; null for none. For the CLI's --json output. */
void ob_action_result_json(const ob_action_def *d, const void *out, ob_jw *w);
/* Frees a result held in an out slot and clears the slot. */
void ob_action_result_free(const ob_action_def *d, void *out);

/* makedir's path rule: "", "/", "." → root (*name_out NULL); "a", "/a/",
 * "//a", "./a" → "a" (malloc'd); ".." anywhere → OB_EINVAL; two or more
 * segments → OB_EUNSUPPORTED. A sentence goes into err on failure. */
int ob_folder_path_normalise(const char *path, char **name_out, char *err, size_t errlen);

#endif
