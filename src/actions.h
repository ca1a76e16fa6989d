/* Internal: the action table. Every group API action is ONE entry below
 * (a row in OB_ACTIONS plus its OB_PARAMS_<name> list); actions.c expands the
 * table into the public blocking function, its _async twin, and the run-time
 * metadata array ob__action_defs[] that the encoder (actions_encode.c), the
 * decoder (actions_decode.c), the calls (actions_call.c) and the CLI
 * (subcommands, help, man page, completion, --json) read. What parameter
 * types cannot say lives in per-row hooks (actions_hooks.c).
 *
 * Adding an action: one OB_PARAMS_<name> block, one OB_ACTIONS row, and the
 * documented prototypes in include/onebot/group.h (the compiler checks that
 * the generated definitions match them). A row with a result names the
 * public decoder of its _async twin (tests/test_action_table.c checks it).
 */
#ifndef OB_ACTIONS_H
#define OB_ACTIONS_H

#include "codec.h"
#include "json.h"
#include <onebot/group.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The parameter types, one row each:
 *   XX(slot, type, C shape, name in help texts, optional, smallest value, value hint)
 * optional: NULL (or absent) is allowed, so the caller need not give it;
 * smallest: for integer shapes, the smallest accepted value (INT64_MIN: any);
 * value hint: what a value looks like, for the CLI's help and errors (NULL:
 * the help line says it, or the type takes no value).
 * The C shape (OB_SHAPE_* below) says how a generated function takes the
 * value; slot is passed through to XX for the expansions that need a name.
 * Adding a type: its row here, its name in OB_PTYPE_MAP, and the encoder's
 * case in actions_encode.c. */
/* clang-format off */
#define OB_PTYPE_ID(XX, slot) XX(slot, ID, I64, "id", false, 1, "a positive number")              /* group/user ids */
#define OB_PTYPE_ID_OPT(XX, slot) XX(slot, ID_OPT, I64, "id?", true, 0, "a positive number, 0 for none") /* 0 leaves the key out */
#define OB_PTYPE_I64(XX, slot) XX(slot, I64, I64, "i64", false, INT64_MIN, "a number")            /* message ids */
#define OB_PTYPE_NONNEG(XX, slot) XX(slot, NONNEG, I64, "seconds", false, 0, "a number >= 0")     /* durations */
#define OB_PTYPE_LIMIT(XX, slot) XX(slot, LIMIT, I64, "count", false, 0, "a number >= 0")        /* 0 sends the default */
#define OB_PTYPE_BOOL(XX, slot) XX(slot, BOOL, BOOL, "bool", false, 0, "true or false")          /* JSON true/false */
#define OB_PTYPE_FLAG(XX, slot) XX(slot, FLAG, BOOL, "bool", false, 0, "true or false")          /* JSON 0/1 */
#define OB_PTYPE_STR(XX, slot) XX(slot, STR, STR, "str", false, 0, NULL)                         /* NULL is OB_EINVAL */
#define OB_PTYPE_STR_OPT(XX, slot) XX(slot, STR_OPT, STR, "str?", true, 0, NULL)                 /* NULL leaves the key out */
#define OB_PTYPE_FILE_NAME(XX, slot) XX(slot, FILE_NAME, STR, "str?", true, 0, NULL)             /* NULL: base name of the MEDIA argument */
#define OB_PTYPE_ID_ARRAY(XX, slot) XX(slot, ID_ARRAY, IDS, "id...", false, 1, "ids separated by commas")
#define OB_PTYPE_HONOR(XX, slot) XX(slot, HONOR, HONOR, "honor", false, 0, NULL)                 /* its wire string */
#define OB_PTYPE_MEDIA_KIND(XX, slot) XX(slot, MEDIA_KIND, KIND, "image|record|video|file", false, 0, NULL)
#define OB_PTYPE_MEDIA(XX, slot) XX(slot, MEDIA, STR, "file", false, 0, NULL)                    /* a file argument */
#define OB_PTYPE_MEDIA_OPT(XX, slot) XX(slot, MEDIA_OPT, STR, "file?", true, 0, NULL)            /* NULL leaves the key out */
#define OB_PTYPE_TEXT(XX, slot) XX(slot, TEXT, STR, "text", false, 0, NULL)                      /* one text segment */
#define OB_PTYPE_MESSAGE(XX, slot) XX(slot, MESSAGE, MSG, "message", false, 0, "a JSON array of segments")
#define OB_PTYPE_FIXED(XX, slot) XX(slot, FIXED, NONE, "fixed", true, 0, NULL)                   /* always sends def */
#define OB_PTYPE_SAME(XX, slot) XX(slot, SAME, NONE, "same", true, 0, NULL)                      /* the previous value again */
#define OB_PTYPE_JSON(XX, slot) XX(slot, JSON, STR, "json", false, 0, "a JSON value")          /* sent as is, once checked */
#define OB_PTYPE_STR_LIST(XX, slot) XX(slot, STR_LIST, STR, "str,...", false, 0, "words separated by commas") /* a string array */
#define OB_PTYPE_MAP(XX, slot) \
    OB_PTYPE_ID(XX, slot) OB_PTYPE_ID_OPT(XX, slot) OB_PTYPE_I64(XX, slot) OB_PTYPE_NONNEG(XX, slot) OB_PTYPE_LIMIT(XX, slot) \
    OB_PTYPE_BOOL(XX, slot) OB_PTYPE_FLAG(XX, slot) OB_PTYPE_STR(XX, slot) OB_PTYPE_STR_OPT(XX, slot) \
    OB_PTYPE_FILE_NAME(XX, slot) OB_PTYPE_ID_ARRAY(XX, slot) OB_PTYPE_HONOR(XX, slot) \
    OB_PTYPE_MEDIA_KIND(XX, slot) OB_PTYPE_MEDIA(XX, slot) OB_PTYPE_MEDIA_OPT(XX, slot) \
    OB_PTYPE_TEXT(XX, slot) OB_PTYPE_MESSAGE(XX, slot) OB_PTYPE_FIXED(XX, slot) OB_PTYPE_SAME(XX, slot) \
    OB_PTYPE_JSON(XX, slot) OB_PTYPE_STR_LIST(XX, slot)
/* clang-format on */

typedef enum ob__ptype {
#define OB_PTYPE_ENUM(slot, type, ...) OB_PT_##type,
    OB_PTYPE_MAP(OB_PTYPE_ENUM, _)
#undef OB_PTYPE_ENUM
} ob__ptype;
#define OB_PTYPE_ONE(...) +1
enum { OB_PT_COUNT = 0 OB_PTYPE_MAP(OB_PTYPE_ONE, _) };

/* The C shapes at run time (the CLI converts a value by its shape). */
typedef enum ob__pshape {
    OB_PSHAPE_I64,
    OB_PSHAPE_BOOL,
    OB_PSHAPE_STR,
    OB_PSHAPE_IDS,
    OB_PSHAPE_HONOR,
    OB_PSHAPE_KIND,
    OB_PSHAPE_MSG,
    OB_PSHAPE_NONE
} ob__pshape;

/* The C shapes: how a generated function declares a parameter (DECL), packs
 * it into its ob__arg (PACK), and how code holding an ob__arg passes it to a
 * typed function again (UNPACK, the CLI's thunks). */
#define OB_SHAPE_DECL_I64(n) , int64_t n
#define OB_SHAPE_DECL_BOOL(n) , bool n
#define OB_SHAPE_DECL_STR(n) , const char *n
#define OB_SHAPE_DECL_IDS(n) , const int64_t *n, size_t n##_count
#define OB_SHAPE_DECL_HONOR(n) , ob_honor_type n
#define OB_SHAPE_DECL_KIND(n) , ob_media_kind n
#define OB_SHAPE_DECL_MSG(n) , const ob_message *n
#define OB_SHAPE_DECL_NONE(n)
#define OB_SHAPE_PACK_I64(n) {.i = n},
#define OB_SHAPE_PACK_BOOL(n) {.b = n},
#define OB_SHAPE_PACK_STR(n) {.s = n},
#define OB_SHAPE_PACK_IDS(n) {.arr = {n, n##_count}},
#define OB_SHAPE_PACK_HONOR(n) {.e = (int)n},
#define OB_SHAPE_PACK_KIND(n) {.e = (int)n},
#define OB_SHAPE_PACK_MSG(n) {.msg = n},
#define OB_SHAPE_PACK_NONE(n) {.i = 0},
#define OB_SHAPE_UNPACK_I64(v) , (v).i
#define OB_SHAPE_UNPACK_BOOL(v) , (v).b
#define OB_SHAPE_UNPACK_STR(v) , (v).s
#define OB_SHAPE_UNPACK_IDS(v) , (v).arr.ids, (v).arr.n
#define OB_SHAPE_UNPACK_HONOR(v) , (ob_honor_type)(v).e
#define OB_SHAPE_UNPACK_KIND(v) , (ob_media_kind)(v).e
#define OB_SHAPE_UNPACK_MSG(v) , (v).msg
#define OB_SHAPE_UNPACK_NONE(v)

/* For an OB_PARAMS list entry P(type, name, ...): the C declaration of the
 * parameter, its ob__arg initializer, and the typed value of ob__arg v. */
#define OB_PTYPE_DECL_(n, type, shape, ...) OB_SHAPE_DECL_##shape(n)
#define OB_PTYPE_PACK_(n, type, shape, ...) OB_SHAPE_PACK_##shape(n)
#define OB_PTYPE_UNPACK_(v, type, shape, ...) OB_SHAPE_UNPACK_##shape(v)
#define OB_P_DECL(t, n, k, d, h) OB_PTYPE_##t(OB_PTYPE_DECL_, n)
#define OB_P_PACK(t, n, k, d, h) OB_PTYPE_##t(OB_PTYPE_PACK_, n)
#define OB_P_UNPACK(t, v) OB_PTYPE_##t(OB_PTYPE_UNPACK_, v)

typedef struct ob__param {
    const char *name; /* seed / C parameter name */
    const char *key;  /* wire key, or NULL when the row's encode hook writes it */
    ob__ptype type;
    const char *def;  /* the seed's default as text ("false", "50"), NULL when required;
                          for OB_PT_FIXED the JSON value sent */
    const char *help; /* one line for --help */
} ob__param;

/* What the reply's data becomes. */
typedef enum ob__rkind {
    OB_RK_NONE,   /* nothing (data ignored) */
    OB_RK_OBJ,    /* an object decoded by desc into one block */
    OB_RK_LIST,   /* an array decoded by desc (element) into {count, items} */
    OB_RK_JSON,   /* any value, kept as ob_json text */
    OB_RK_I64,    /* an integer at key (a dotted path) */
    OB_RK_STR,    /* a string at key; missing is OB_EPROTO */
    OB_RK_STR_OPT /* a string at key; missing or null gives NULL */
} ob__rkind;

/* One value per ob__param of a row (FIXED and SAME take a slot too, unused). */
typedef union ob__arg {
    int64_t i;
    bool b;
    int e;
    const char *s;
    const ob_message *msg;
    struct {
        const int64_t *ids;
        size_t n;
    } arr;
} ob__arg;

struct ob__action_def;
/* Per-row behaviour that parameter types cannot express. Each may be NULL. */
typedef struct ob__action_hooks {
    /* extra argument checks; records its own error */
    int (*validate)(ob_client *c, const struct ob__action_def *d, const ob__arg *args);
    /* writes the keys of parameters whose key is NULL */
    int (*encode)(ob_client *c, const struct ob__action_def *d, const ob__arg *args, ob__jw *w);
    /* blocking call only, after a successful decode (e.g. id fallbacks) */
    int (*finish)(ob_client *c, const struct ob__action_def *d, const ob__arg *args, void *out);
    /* blocking call only: replaces the single request (multi-step actions) */
    int (*run)(ob_client *c, const struct ob__action_def *d, const ob__arg *args, void *out);
} ob__action_hooks;

typedef struct ob__action_def {
    const char *name;   /* seed name; the C function is ob_<name> */
    const char *action; /* wire action */
    const ob__param *params;
    size_t nparams;
    ob__rkind result;
    const ob__desc *desc;    /* OBJ / LIST */
    const char *result_key;  /* I64 / STR / STR_OPT: dotted path inside data */
    const char *result_type; /* C type of the result ("ob_group_info", "int64_t", ...) */
    const ob__action_hooks *hooks;
    bool has_async;      /* an ob_<name>_async twin exists */
    const char *summary; /* one line for help */
    const char *decoder; /* name of the public decoder for the _async twin's reply, or NULL */
    /* that decoder, called through the row's out slot (NULL when decoder is) */
    int (*decode)(const ob_reply *r, void *out);
} ob__action_def;

/* ---------------------------------------------------------------------
 * The parameters of each action: P(type, name, wire key, default, help).
 * --------------------------------------------------------------------- */
#define OB_P_GROUP(P) P(ID, group_id, "group_id", NULL, "group number")

#define OB_PARAMS_set_group_kick_members(P) \
    OB_P_GROUP(P) \
    P(ID_ARRAY, user_ids, "user_id", NULL, "members to kick") \
    P(BOOL, reject_add_request, "reject_add_request", "false", "also refuse their future join requests")
#define OB_PARAMS_set_group_kick(P) \
    OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member to kick") \
    P(BOOL, reject_add_request, "reject_add_request", "false", "also refuse future join requests")
#define OB_PARAMS_set_group_ban(P) \
    OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member to mute") \
    P(NONNEG, duration, "duration", "1800", "seconds; 0 lifts the ban")
#define OB_PARAMS_set_group_whole_ban(P) \
    OB_P_GROUP(P) \
    P(BOOL, enable, "enable", NULL, "true mutes everyone, false lifts it")
#define OB_PARAMS_set_group_admin(P) \
    OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member") \
    P(BOOL, enable, "enable", NULL, "true grants admin, false revokes it")
#define OB_PARAMS_set_group_leave(P) \
    OB_P_GROUP(P) \
    P(BOOL, is_dismiss, "is_dismiss", "false", "dismiss the group (ignored by NapCat)")
#define OB_PARAMS_set_group_special_title(P) \
    OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member") \
    P(STR_OPT, special_title, "special_title", "\"\"", "the title")
#define OB_PARAMS_set_group_add_request(P) \
    P(STR, flag, "flag", NULL, "flag of the request event") \
    P(BOOL, approve, "approve", NULL, "true approves, false rejects") \
    P(STR_OPT, reason, "reason", NULL, "reason given when rejecting")
#define OB_PARAMS_set_group_card(P) \
    OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member") \
    P(STR_OPT, card, "card", "\"\"", "new group card; empty clears it")
#define OB_PARAMS_set_essence_msg(P) P(I64, message_id, "message_id", NULL, "message id")
#define OB_PARAMS_delete_essence_msg(P) P(I64, message_id, "message_id", NULL, "message id")
#define OB_PARAMS_get_group_essence_msg(P) OB_P_GROUP(P)
#define OB_PARAMS_post_group_file(P) \
    OB_P_GROUP(P) \
    P(MEDIA_KIND, kind, NULL, NULL, "image, record, video or file") \
    P(MEDIA, file, NULL, NULL, "path, URL, base64:// or data: URI")
#define OB_PARAMS_move_group_file(P) \
    OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing") \
    P(STR, current_parent_directory, "current_parent_directory", NULL, "folder id now (\"/\" = root)") \
    P(STR, target_parent_directory, "target_parent_directory", NULL, "destination folder id")
#define OB_PARAMS_trans_group_file(P) \
    OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing")
#define OB_PARAMS_rename_group_file(P) \
    OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing") \
    P(STR, current_parent_directory, "current_parent_directory", NULL, "its folder id (\"/\" = root)") \
    P(STR, new_name, "new_name", NULL, "new file name")
#define OB_PARAMS_get_file(P) \
    P(STR_OPT, file_id, "file_id", NULL, "file id") \
    P(STR_OPT, file, "file", NULL, "file name or id (wins over file_id)")
#define OB_PARAMS_upload_group_file(P) \
    OB_P_GROUP(P) \
    P(MEDIA, file, "file", NULL, "path, URL, base64:// or data: URI") \
    P(FILE_NAME, name, "name", NULL, "name in the group (default: base name of file)") \
    P(STR_OPT, folder, "folder", NULL, "folder id (default: root)")
#define OB_PARAMS_create_group_file_folder(P) \
    OB_P_GROUP(P) \
    P(STR, folder_name, "folder_name", NULL, "folder name") \
    P(SAME, name, "name", NULL, "the same name under NapCat's newer key")
#define OB_PARAMS_group_file_folder_makedir(P) \
    OB_P_GROUP(P) \
    P(STR, path, NULL, NULL, "folder path such as /docs (one level)")
#define OB_PARAMS_delete_group_file(P) \
    OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing")
#define OB_PARAMS_delete_group_folder(P) \
    OB_P_GROUP(P) \
    P(STR, folder_id, "folder_id", NULL, "folder id")
#define OB_PARAMS_get_group_root_files(P) \
    OB_P_GROUP(P) \
    P(LIMIT, file_count, "file_count", "50", "how many entries to list")
#define OB_PARAMS_get_group_files_by_folder(P) \
    OB_P_GROUP(P) \
    P(STR, folder_id, "folder_id", NULL, "folder id") \
    P(LIMIT, file_count, "file_count", "50", "how many entries to list")
#define OB_PARAMS_get_group_file_url(P) \
    OB_P_GROUP(P) \
    P(STR, file_id, "file_id", NULL, "file id from a recent listing")
#define OB_PARAMS_get_group_honor_info(P) \
    OB_P_GROUP(P) \
    P(HONOR, type, "type", NULL, "all, talkative, performer, legend, strong_newbie or emotion")
#define OB_PARAMS_get_group_info(P) OB_P_GROUP(P)
#define OB_PARAMS_get_group_info_ex(P) OB_P_GROUP(P)
/* no_cache: true is NapCat's own default for one member (a fresh fetch). */
#define OB_PARAMS_get_group_member_info(P) \
    OB_P_GROUP(P) \
    P(ID, user_id, "user_id", NULL, "member") \
    P(FIXED, no_cache, "no_cache", "true", "always fetch the member afresh")
/* no_cache: true would only refresh NapCat's cache in the background for the
 * next call while still answering from the cache, at the cost of a QQ fetch
 * per call; bots that poll the list would pay it every time. */
#define OB_PARAMS_get_group_member_list(P) \
    OB_P_GROUP(P) \
    P(FIXED, no_cache, "no_cache", "false", "served from NapCat's member cache")
#define OB_PARAMS_get_group_shut_list(P) OB_P_GROUP(P)
#define OB_PARAMS_set_group_remark(P) \
    OB_P_GROUP(P) \
    P(STR, remark, "remark", NULL, "the bot's private remark for the group")
#define OB_PARAMS_set_group_sign(P) OB_P_GROUP(P)
#define OB_PARAMS_send_group_sign(P) OB_P_GROUP(P)
#define OB_PARAMS_set_group_avatar(P) \
    OB_P_GROUP(P) \
    P(MEDIA, file, "file", NULL, "image path, URL, base64:// or data: URI")
#define OB_PARAMS_set_group_name(P) \
    OB_P_GROUP(P) \
    P(STR, name, "group_name", NULL, "new group name")
/* NapCat reads the notice flags as integers (confirm_required defaults to 1). */
#define OB_PARAMS_send_group_notice(P) \
    OB_P_GROUP(P) \
    P(STR, content, "content", NULL, "announcement text") \
    P(FLAG, confirm_required, "confirm_required", "false", "members must confirm reading it") \
    P(MEDIA_OPT, image, "image", NULL, "image path, URL, base64:// or data: URI") \
    P(FLAG, is_show_edit_card, "is_show_edit_card", "false", "prompt members to edit their card") \
    P(FLAG, pinned, "pinned", "false", "pin the announcement")
#define OB_PARAMS_send_group_text(P) \
    OB_P_GROUP(P) \
    P(TEXT, text, "message", NULL, "plain text (CQ codes are not interpreted)")
#define OB_PARAMS_send_group_message(P) \
    OB_P_GROUP(P) \
    P(MESSAGE, msg, "message", NULL, "message segments")
#define OB_PARAMS_delete_msg(P) P(I64, message_id, "message_id", NULL, "message id")
#define OB_PARAMS_get_group_list(P)
#define OB_PARAMS_get_login_info(P)
#define OB_PARAMS_get_group_notice(P) OB_P_GROUP(P)
#define OB_PARAMS_del_group_notice(P) \
    OB_P_GROUP(P) \
    P(STR, notice_id, "notice_id", NULL, "notice id from get_group_notice")

/* ---------------------------------------------------------------------
 * The actions: X(name, wire action, generated functions, result kind,
 *                result C type, result descriptor, result key, public decoder,
 *                hooks, summary)
 * generated functions: BOTH (blocking + _async), ASYNC (the blocking one is
 * written by hand: unusual out parameters), BLOCKING (no _async twin).
 * public decoder: the ob_*_decode function of include/onebot/group.h that
 * turns the _async twin's reply into the blocking call's result (the blocking
 * call decodes with it too); NULL for rows without a result or a twin.
 * hooks name an ob__action_hooks of actions_hooks.c (declared below), or NULL.
 * --------------------------------------------------------------------- */
#define OB_ACTIONS_GROUP(X) \
    X(set_group_kick_members, "set_group_kick_members", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Kick several members in one request") \
    X(set_group_kick, "set_group_kick", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Kick a member") \
    X(set_group_ban, "set_group_ban", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Mute a member for some seconds (0 lifts the ban)") \
    X(set_group_whole_ban, "set_group_whole_ban", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Mute or unmute the whole group") \
    X(set_group_admin, "set_group_admin", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Grant or revoke admin") \
    X(set_group_leave, "set_group_leave", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Leave the group") \
    X(set_group_special_title, "set_group_special_title", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Set a member's special title") \
    X(set_group_add_request, "set_group_add_request", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Approve or reject a join request or invitation") \
    X(set_group_card, "set_group_card", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Set a member's group card") \
    X(set_essence_msg, "set_essence_msg", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Mark a message as essence") \
    X(delete_essence_msg, "delete_essence_msg", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Remove a message from essence") \
    X(get_group_essence_msg, "get_essence_msg_list", BOTH, LIST, ob_essence_list, &ob__desc_essence_msg, NULL, \
      ob_essence_list_decode, NULL, "List essence messages") \
    X(post_group_file, "send_group_msg", BOTH, I64, int64_t, NULL, "message_id", ob_message_id_decode, \
      &ob__hooks_post_group_file, "Post an image, voice, video or file as a message") \
    X(move_group_file, "move_group_file", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Move a group file") \
    X(trans_group_file, "trans_group_file", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Make a temporary group file permanent") \
    X(rename_group_file, "rename_group_file", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Rename a group file") \
    X(get_file, "get_file", BOTH, OBJ, ob_file, &ob__desc_file, NULL, ob_file_decode, &ob__hooks_get_file, \
      "Fetch a file on the server and describe it") \
    X(upload_group_file, "upload_group_file", BOTH, STR_OPT, char, NULL, "file_id", ob_file_id_decode, \
      &ob__hooks_upload, "Upload a group file") \
    X(create_group_file_folder, "create_group_file_folder", BOTH, STR_OPT, char, NULL, \
      "groupItem.folderInfo.folderId", ob_folder_id_decode, &ob__hooks_create_folder, "Create a folder in the root") \
    X(group_file_folder_makedir, "get_group_root_files+create_group_file_folder", BLOCKING, STR, char, NULL, NULL, \
      NULL, &ob__hooks_makedir, "Find or create a folder by path (idempotent)") \
    X(delete_group_file, "delete_group_file", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Delete a group file") \
    X(delete_group_folder, "delete_group_folder", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Delete a group folder and its files") \
    X(get_group_root_files, "get_group_root_files", BOTH, OBJ, ob_group_file_list, &ob__desc_group_file_list, NULL, \
      ob_group_file_list_decode, NULL, "List the root folder") \
    X(get_group_files_by_folder, "get_group_files_by_folder", BOTH, OBJ, ob_group_file_list, \
      &ob__desc_group_file_list, NULL, ob_group_file_list_decode, NULL, "List a folder") \
    X(get_group_file_url, "get_group_file_url", BOTH, STR, char, NULL, "url", ob_group_file_url_decode, NULL, \
      "Get a download URL for a group file") \
    X(get_group_honor_info, "get_group_honor_info", BOTH, OBJ, ob_group_honor_info, &ob__desc_group_honor_info, NULL, \
      ob_group_honor_info_decode, NULL, "Group honors") \
    X(get_group_info, "get_group_info", BOTH, OBJ, ob_group_info, &ob__desc_group_info, NULL, ob_group_info_decode, \
      NULL, "Group information") \
    X(get_group_info_ex, "get_group_info_ex", BOTH, JSON, ob_json, NULL, NULL, ob_json_decode, NULL, \
      "Extended group information (raw JSON)") \
    X(get_group_member_info, "get_group_member_info", BOTH, OBJ, ob_group_member, &ob__desc_group_member, NULL, \
      ob_group_member_decode, NULL, "One member") \
    X(get_group_member_list, "get_group_member_list", BOTH, LIST, ob_group_member_list, &ob__desc_group_member, NULL, \
      ob_group_member_list_decode, NULL, "All members") \
    X(get_group_shut_list, "get_group_shut_list", BOTH, LIST, ob_group_member_list, &ob__desc_shut_member, NULL, \
      ob_group_shut_list_decode, &ob__hooks_shut_list, "Muted members") \
    X(set_group_remark, "set_group_remark", BOTH, NONE, void, NULL, NULL, NULL, NULL, \
      "Set the bot's private remark for the group") \
    X(set_group_sign, "set_group_sign", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Group check-in") \
    X(send_group_sign, "send_group_sign", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Group check-in") \
    X(set_group_avatar, "set_group_portrait", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Set the group avatar") \
    X(set_group_name, "set_group_name", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Rename the group") \
    X(send_group_notice, "_send_group_notice", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Publish an announcement") \
    X(send_group_text, "send_group_msg", BOTH, I64, int64_t, NULL, "message_id", ob_message_id_decode, NULL, \
      "Send plain text") \
    X(send_group_message, "send_group_msg", BOTH, I64, int64_t, NULL, "message_id", ob_message_id_decode, NULL, \
      "Send a message of several segments") \
    X(delete_msg, "delete_msg", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Recall a message") \
    X(get_group_list, "get_group_list", BOTH, LIST, ob_group_list, &ob__desc_group_info, NULL, ob_group_list_decode, \
      NULL, "The bot's groups") \
    X(get_login_info, "get_login_info", ASYNC, OBJ, ob_login_info, &ob__desc_login_info, NULL, ob_login_info_decode, \
      NULL, "The bot's own account") \
    X(get_group_notice, "_get_group_notice", BOTH, JSON, ob_json, NULL, NULL, ob_json_decode, NULL, \
      "List announcements (raw JSON)") \
    X(del_group_notice, "_del_group_notice", BOTH, NONE, void, NULL, NULL, NULL, NULL, "Delete an announcement")

/* NapCat's wider surface, one list per area, with their OB_PARAMS_<name>
 * lists in one header (same row shape as above). */
#include "actions_surface.h" /* OB_ACTIONS_MESSAGE, then OB_ACTIONS_SYSTEM */

/* Every row: the group API first (the seed's), then the areas. */
#define OB_ACTIONS(X) OB_ACTIONS_GROUP(X) OB_ACTIONS_MESSAGE(X) OB_ACTIONS_SYSTEM(X)

/* clang-format off */
enum {
#define OB_X_ENUM(name, ...) OB_ACT_##name,
    OB_ACTIONS(OB_X_ENUM)
#undef OB_X_ENUM
    OB_ACTION_COUNT
};
/* clang-format on */

/* The rows of each area are consecutive, in this order: the group API at
 * [0, OB_ACTION_GROUP_COUNT), then messages, then system. */
#define OB_X_COUNT_ROW(name, ...) +1
enum {
    OB_ACTION_GROUP_COUNT = 0 OB_ACTIONS_GROUP(OB_X_COUNT_ROW),
    OB_ACTION_MESSAGE_COUNT = 0 OB_ACTIONS_MESSAGE(OB_X_COUNT_ROW),
    OB_ACTION_SYSTEM_COUNT = 0 OB_ACTIONS_SYSTEM(OB_X_COUNT_ROW),
    OB_ACTION_MESSAGE_FIRST = OB_ACTION_GROUP_COUNT,
    OB_ACTION_SYSTEM_FIRST = OB_ACTION_MESSAGE_FIRST + OB_ACTION_MESSAGE_COUNT
};
#undef OB_X_COUNT_ROW

/* The table at run time, indexed by OB_ACT_<name>. */
extern const ob__action_def ob__action_defs[OB_ACTION_COUNT];

/* Hooks read their arguments by name: OB_ARG(upload_group_file, folder) is
 * the index of that parameter in the row's ob__arg array (a constant). */
#define OB_P_SLOT(t, n, k, d, h) ob__arg n;
#define OB_X_SLOTS(name, ...) \
    struct ob__arg_slots_##name { \
        OB_PARAMS_##name(OB_P_SLOT) ob__arg end_; \
    };
OB_ACTIONS(OB_X_SLOTS)
#undef OB_X_SLOTS
#define OB_ARG(name, param) (offsetof(struct ob__arg_slots_##name, param) / sizeof(ob__arg))

/* The rows' hooks (actions_hooks.c). */
extern const ob__action_hooks ob__hooks_post_group_file, ob__hooks_get_file, ob__hooks_upload, ob__hooks_create_folder,
    ob__hooks_makedir, ob__hooks_shut_list;

/* The row with seed name `name` ("set_group_ban") or with that former seed
 * name ("send_group_msg" is now send_group_text); NULL when none. */
const ob__action_def *ob__action_by_name(const char *name);
/* ob__action_by_name (an "ob_" prefix is accepted), else the first row with
 * that wire action; NULL when none. */
const ob__action_def *ob__action_find(const char *name);
/* "id", "bool", "str?", ... for help texts; "?" out of range. */
const char *ob__ptype_name(ob__ptype t);
/* What a value looks like ("a positive number"; for enumerated types "all,
 * talkative, ... or emotion", written into buf), for the CLI's help and
 * errors; NULL when the parameter's help line says it (strings, files). */
const char *ob__ptype_value_hint(ob__ptype t, char *buf, size_t len);
/* The i-th accepted name of an enumerated type (HONOR, MEDIA_KIND), NULL
 * past the last one and for other types. */
const char *ob__ptype_choice(ob__ptype t, int i);
/* The name's value for an enumerated type: OB_OK, else OB_EINVAL. */
int ob__ptype_choice_parse(ob__ptype t, const char *name, int *out);
/* The C shape of a type (OB_PSHAPE_NONE out of range). */
ob__pshape ob__ptype_shape(ob__ptype t);
/* The smallest value an integer type accepts (INT64_MIN: any). */
int64_t ob__ptype_min(ob__ptype t);
/* False for FIXED and SAME, which take no value from the caller. */
bool ob__param_is_input(const ob__param *p);
/* An input the caller must give: no seed default and NULL not allowed. The
 * one place that decides it (the encoder, the CLI and the docs ask it). */
bool ob__param_is_required(const ob__param *p);
/* An optional string whose default is the empty string ("\"\"" in the
 * table: cards, special titles): leaving it out empties something. The CLI
 * wants it given explicitly, or --clear; the C API takes NULL as before. */
static inline bool ob__param_empties(const ob__param *p) {
    return ob__ptype_shape(p->type) == OB_PSHAPE_STR && !ob__param_is_required(p) && p->def && !strcmp(p->def, "\"\"");
}

/* A file argument as the request carries it: ob__media_prepare (media.h) with
 * the client's media_mode and server locality; records the failure as c's
 * last error for action. c may be NULL (then: path mode, nothing recorded).
 * Lives with the encoder because it reads the client's state; media.c knows
 * no client. */
int ob__media_resolve(ob_client *c, const char *action, const char *arg, char **out);

/* Builds the params object of one request. Records OB_EINVAL (naming the
 * parameter, or the unreadable file) on c. c may be NULL: no error record,
 * and local files are sent as absolute paths. *out: malloc'd text. */
int ob__action_encode(ob_client *c, const ob__action_def *d, const ob__arg *args, char **out);
/* The blocking call: encode, ob_call_async, ob__client_wait, decode into out
 * (see ob__rkind: void ** for OBJ/LIST/JSON, char ** for STR*, int64_t * for
 * I64; NULL to drop the result), hooks. Records the last error. */
int ob__action_call(ob_client *c, const ob__action_def *d, const ob__arg *args, void *out);
/* The _async twin: encode and queue; cb gets the raw reply. */
int ob__action_call_async(ob_client *c, const ob__action_def *d, const ob__arg *args, ob_reply_cb cb, void *userdata);
/* Decodes a reply's data into out (as above) with the row's public decoder
 * (by its result kind when it has none). r->code when the call failed,
 * OB_EPROTO on a wrong shape. */
int ob__action_decode(const ob__action_def *d, const ob_reply *r, void *out);
/* The generic decoder behind ob__action_decode and the public ob_*_decode
 * functions: data by kind (desc for OBJ/LIST, key for I64/STR*) into out. */
int ob__action_decode_kind(const ob_reply *r, ob__rkind kind, const ob__desc *desc, const char *key, void *out);
/* Clears an out slot of a result kind (NULL / 0). */
void ob__action_clear_out(ob__rkind kind, void *out);
/* Records OB_EINVAL "ob_<name>: <sentence>" on c (c may be NULL); returns OB_EINVAL. */
int ob__action_bad_arg(ob_client *c, const ob__action_def *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes key: the file argument resolved for c's server (see media.h);
 * records the failure on c. */
int ob__action_put_media(ob_client *c, const ob__action_def *d, ob__jw *w, const char *key, const char *file);
/* Encodes d's params straight into the request and queues it (no checks on cb). */
int ob__action_send(ob_client *c, const ob__action_def *d, const ob__arg *args, ob_reply_cb cb, void *userdata);

/* Writes a result held in an out slot (as ob__action_call fills it) as JSON:
 * objects and lists through their descriptors (ob__encode), ob_json as is,
 * strings, integers; null for none. For the CLI's --json output. */
void ob__action_result_json(const ob__action_def *d, const void *out, ob__jw *w);
/* Frees a result held in an out slot and clears the slot. */
void ob__action_result_free(const ob__action_def *d, void *out);

/* makedir's path rule: "", "/", "." → root (*name_out NULL); "a", "/a/",
 * "//a", "./a" → "a" (malloc'd); ".." anywhere → OB_EINVAL; two or more
 * segments → OB_EUNSUPPORTED. A sentence goes into err on failure. */
int ob__folder_path_normalise(const char *path, char **name_out, char *err, size_t errlen);

#endif
