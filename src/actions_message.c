/* The message rows' hooks (actions_surface.h): what parameter types cannot
 * say about send_msg's target, forward messages' node segments,
 * fetch_emoji_like's emoji type and get_record's output format. Each
 * records its own OB_EINVAL before anything is sent. */
#include "actions.h"

#include <stdlib.h>
#include <string.h>

/* get_image and get_record share get_file's check: the two arguments sit
 * at the same places. */
_Static_assert(OB_ARG(get_image, file_id) == OB_ARG(get_file, file_id) &&
                   OB_ARG(get_image, file) == OB_ARG(get_file, file) &&
                   OB_ARG(get_record, file_id) == OB_ARG(get_file, file_id) &&
                   OB_ARG(get_record, file) == OB_ARG(get_file, file),
               "get_image, get_record and get_file take file_id and file at the same places");

/* The target of send_msg and send_forward_msg (their first three
 * parameters, OB_P_TARGET): NapCat sends to group_id when given, else to
 * user_id, unless message_type names the other. */
_Static_assert(OB_ARG(send_msg, message_type) == OB_ARG(send_forward_msg, message_type) &&
                   OB_ARG(send_msg, user_id) == OB_ARG(send_forward_msg, user_id) &&
                   OB_ARG(send_msg, group_id) == OB_ARG(send_forward_msg, group_id),
               "send_msg and send_forward_msg take their target at the same places");

static int check_target(ob_client *c, const ob__action_def *d, const ob__arg *args) {
    const char *type = args[OB_ARG(send_msg, message_type)].s;
    int64_t user_id = args[OB_ARG(send_msg, user_id)].i, group_id = args[OB_ARG(send_msg, group_id)].i;
    if (type && strcmp(type, "private") != 0 && strcmp(type, "group") != 0)
        return ob__action_bad_arg(c, d, "message_type must be \"private\", \"group\" or NULL, not \"%s\"", type);
    if (!user_id && !group_id) return ob__action_bad_arg(c, d, "give user_id or group_id (both are 0)");
    if (type && !strcmp(type, "private") && !user_id)
        return ob__action_bad_arg(c, d, "message_type \"private\" needs a user_id");
    if (type && !strcmp(type, "group") && !group_id)
        return ob__action_bad_arg(c, d, "message_type \"group\" needs a group_id");
    return OB_OK;
}

/* Forwards: NapCat refuses to mix node segments with others; without any
 * node it would send an ordinary message instead. */
static int check_nodes(ob_client *c, const ob__action_def *d, const ob__arg *args) {
    for (size_t i = 0; i < d->nparams; i++) {
        if (d->params[i].type != OB_PT_MESSAGE) continue;
        const ob_message *m = args[i].msg; /* not empty: checked by its type */
        for (size_t k = 0; k < m->count; k++) {
            const ob_segment *s = &m->items[k];
            if (s->type != OB_SEG_OTHER || !s->type_name || strcmp(s->type_name, "node") != 0)
                return ob__action_bad_arg(c, d, "segment %zu of %s is not a node segment (a forward takes only nodes)",
                                          k, d->params[i].name);
        }
    }
    return OB_OK;
}

static int check_forward_to(ob_client *c, const ob__action_def *d, const ob__arg *args) {
    int rc = check_target(c, d, args);
    return rc == OB_OK ? check_nodes(c, d, args) : rc;
}

/* emojiType 0: NapCat's own rule when it sets a reaction (a face id has at
 * most three digits; longer ids are emoji code points). */
static int fetch_emoji_like_encode(ob_client *c, const ob__action_def *d, const ob__arg *args, ob__jw *w) {
    (void)c;
    (void)d;
    int64_t type = args[OB_ARG(fetch_emoji_like, emoji_type)].i;
    if (type == 0) type = args[OB_ARG(fetch_emoji_like, emoji_id)].i < 1000 ? 1 : 2;
    ob__jw_key(w, "emojiType");
    ob__jw_int(w, type);
    return OB_OK;
}

/* The formats NapCat's get_record converts to (file/GetRecord.ts). */
static int get_record_validate(ob_client *c, const ob__action_def *d, const ob__arg *args) {
    static const char *const formats[] = {"mp3", "amr", "wma", "m4a", "spx", "ogg", "wav", "flac"};
    int rc = ob__hooks_get_file.validate(c, d, args);
    if (rc != OB_OK) return rc;
    const char *fmt = args[OB_ARG(get_record, out_format)].s; /* not NULL: checked by its type */
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (!strcmp(fmt, formats[i])) return OB_OK;
    return ob__action_bad_arg(c, d, "out_format must be mp3, amr, wma, m4a, spx, ogg, wav or flac, not \"%s\"", fmt);
}

const ob__action_hooks ob__hooks_send_msg = {.validate = check_target};
const ob__action_hooks ob__hooks_send_forward = {.validate = check_nodes};
const ob__action_hooks ob__hooks_send_forward_to = {.validate = check_forward_to};
const ob__action_hooks ob__hooks_fetch_emoji_like = {.encode = fetch_emoji_like_encode};
const ob__action_hooks ob__hooks_get_record = {.validate = get_record_validate};
