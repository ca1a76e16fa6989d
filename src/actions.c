/* The action table expanded: the metadata array ob__action_defs[], the
 * public functions ob_<name> and ob_<name>_async of every row, and the
 * lookups over rows and parameter types that the encoder and the CLI use. */
#include "actions.h"

#include "client_internal.h"
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * The metadata array.
 * --------------------------------------------------------------------- */
#define OB_P_META(t, n, k, d, h) {#n, k, OB_PT_##t, d, h},
#define OB_X_PARAMS(name, ...) \
    static const ob__param ob__params_##name[] = {OB_PARAMS_##name(OB_P_META){NULL, NULL, OB_PT_ID, NULL, NULL}};
OB_ACTIONS(OB_X_PARAMS)

#define OB_HAS_ASYNC_BOTH true
#define OB_HAS_ASYNC_ASYNC true
#define OB_HAS_ASYNC_BLOCKING false

/* The out slot of each result kind, as the blocking function declares it. */
#define OB_OUT_TYPE_OBJ(T) T **
#define OB_OUT_TYPE_LIST(T) T **
#define OB_OUT_TYPE_JSON(T) T **
#define OB_OUT_TYPE_I64(T) int64_t *
#define OB_OUT_TYPE_STR(T) char **
#define OB_OUT_TYPE_STR_OPT(T) char **
/* Its arguments only for rows with a result, only for rows with a twin. */
#define OB_IF_RESULT_NONE(...)
#define OB_IF_RESULT_OBJ(...) __VA_ARGS__
#define OB_IF_RESULT_LIST(...) __VA_ARGS__
#define OB_IF_RESULT_JSON(...) __VA_ARGS__
#define OB_IF_RESULT_I64(...) __VA_ARGS__
#define OB_IF_RESULT_STR(...) __VA_ARGS__
#define OB_IF_RESULT_STR_OPT(...) __VA_ARGS__
#define OB_IF_TWIN_BOTH(...) __VA_ARGS__
#define OB_IF_TWIN_ASYNC(...) __VA_ARGS__
#define OB_IF_TWIN_BLOCKING(...)

/* The row's public decoder behind the blocking call's void *out: the
 * compiler checks that it takes the row's result type. */
#define OB_X_DECODE(name, wire, gen, kind, ctype, desc, key, decoder, hooks, summary) \
    OB_IF_TWIN_##gen(OB_IF_RESULT_##kind(static int ob__decode_##name(const ob_reply *r, void *out) { \
        return decoder(r, (OB_OUT_TYPE_##kind(ctype))out); \
    }))
OB_ACTIONS(OB_X_DECODE)

#define OB_X_DEF(row, wire, gen, kind, ctype, rdesc, key, decoder_fn, row_hooks, text) \
    [OB_ACT_##row] = {.name = #row, \
                      .action = wire, \
                      .params = ob__params_##row, \
                      .nparams = sizeof ob__params_##row / sizeof ob__params_##row[0] - 1, \
                      .result = OB_RK_##kind, \
                      .desc = rdesc, \
                      .result_key = key, \
                      .result_type = #ctype, \
                      .hooks = row_hooks, \
                      .has_async = OB_HAS_ASYNC_##gen, \
                      .summary = text, \
                      OB_IF_TWIN_##gen(OB_IF_RESULT_##kind(.decoder = #decoder_fn, .decode = ob__decode_##row))},
const ob__action_def ob__action_defs[OB_ACTION_COUNT] = {OB_ACTIONS(OB_X_DEF)};

/* ---------------------------------------------------------------------
 * The public functions: ob_<name>(c, params..., out) and
 * ob_<name>_async(c, params..., cb, userdata), one pair per row.
 * --------------------------------------------------------------------- */
#define OB_OUT_DECL(kind, T) OB_IF_RESULT_##kind(, OB_OUT_TYPE_##kind(T) out)
#define OB_OUT_ARG_NONE NULL
#define OB_OUT_ARG_OBJ out
#define OB_OUT_ARG_LIST out
#define OB_OUT_ARG_JSON out
#define OB_OUT_ARG_I64 out
#define OB_OUT_ARG_STR out
#define OB_OUT_ARG_STR_OPT out

#define OB_GEN_BLOCKING(name, kind, ctype) \
    int ob_##name(ob_client *c OB_PARAMS_##name(OB_P_DECL) OB_OUT_DECL(kind, ctype)) { \
        const ob__arg args[] = {OB_PARAMS_##name(OB_P_PACK){.i = 0}}; \
        return ob__action_call(c, &ob__action_defs[OB_ACT_##name], args, OB_OUT_ARG_##kind); \
    }
#define OB_GEN_ASYNC(name, kind, ctype) \
    int ob_##name##_async(ob_client *c OB_PARAMS_##name(OB_P_DECL), ob_reply_cb cb, void *userdata) { \
        const ob__arg args[] = {OB_PARAMS_##name(OB_P_PACK){.i = 0}}; \
        return ob__action_call_async(c, &ob__action_defs[OB_ACT_##name], args, cb, userdata); \
    }
#define OB_GEN_BOTH(name, kind, ctype) OB_GEN_BLOCKING(name, kind, ctype) OB_GEN_ASYNC(name, kind, ctype)
#define OB_X_FUNCS(name, wire, gen, kind, ctype, desc, key, decoder, hooks, summary) OB_GEN_##gen(name, kind, ctype)
OB_ACTIONS(OB_X_FUNCS)

/* get_login_info has two out parameters: written by hand over the same row. */
int ob_get_login_info(ob_client *c, int64_t *user_id_out, char **nickname_out) {
    if (user_id_out) *user_id_out = 0;
    if (nickname_out) *nickname_out = NULL;
    ob_login_info *info = NULL;
    ob__client_hold(c); /* c is used after the call */
    int rc = ob__action_call(c, &ob__action_defs[OB_ACT_get_login_info], NULL, &info);
    if (rc == OB_OK && nickname_out && !(*nickname_out = strdup(info->nickname)))
        rc = ob__client_fail(c, OB_ENOMEM, 0, "get_login_info", "out of memory copying the nickname");
    if (rc == OB_OK && user_id_out) *user_id_out = info->user_id;
    ob_free(info);
    ob__client_release(c);
    return rc;
}

/* The former names of ob_send_group_text and its twin (deprecated). */
int ob_send_group_msg(ob_client *c, int64_t group_id, const char *text, int64_t *message_id_out) {
    return ob_send_group_text(c, group_id, text, message_id_out);
}

int ob_send_group_msg_async(ob_client *c, int64_t group_id, const char *text, ob_reply_cb cb, void *userdata) {
    return ob_send_group_text_async(c, group_id, text, cb, userdata);
}

/* ---------------------------------------------------------------------
 * Names and lookups.
 * --------------------------------------------------------------------- */
/* Former seed names, still accepted by ob__action_find (the CLI's subcommands). */
static const struct {
    const char *former, *now;
} renamed[] = {
    {"send_group_msg", "send_group_text"},
};

const ob__action_def *ob__action_by_name(const char *name) {
    for (size_t i = 0; name && i < OB_ACTION_COUNT; i++)
        if (strcmp(ob__action_defs[i].name, name) == 0) return &ob__action_defs[i];
    for (size_t i = 0; name && i < sizeof renamed / sizeof renamed[0]; i++)
        if (strcmp(renamed[i].former, name) == 0) return ob__action_by_name(renamed[i].now);
    return NULL;
}

const ob__action_def *ob__action_find(const char *name) {
    if (!name) return NULL;
    if (strncmp(name, "ob_", 3) == 0) name += 3;
    const ob__action_def *d = ob__action_by_name(name);
    for (size_t i = 0; !d && i < OB_ACTION_COUNT; i++)
        if (strcmp(ob__action_defs[i].action, name) == 0) d = &ob__action_defs[i];
    return d;
}

/* The parameter types' columns, indexed by ob__ptype. */
typedef struct ptype_info {
    const char *name, *hint;
    ob__pshape shape;
    bool optional;
    int64_t min;
} ptype_info;
#define OB_PTYPE_INFO(slot, type, shape, name, optional, min, hint) \
    [OB_PT_##type] = {name, hint, OB_PSHAPE_##shape, optional, min},
static const ptype_info ptypes[OB_PT_COUNT] = {OB_PTYPE_MAP(OB_PTYPE_INFO, _)};

static const ptype_info *ptype(ob__ptype t) { return (unsigned)t < OB_PT_COUNT ? &ptypes[t] : NULL; }

const char *ob__ptype_name(ob__ptype t) { return ptype(t) ? ptype(t)->name : "?"; }

const char *ob__ptype_choice(ob__ptype t, int i) {
    if (t == OB_PT_HONOR) return ob_honor_type_name((ob_honor_type)i);
    if (t == OB_PT_MEDIA_KIND) return ob_media_kind_name((ob_media_kind)i);
    return NULL;
}

int ob__ptype_choice_parse(ob__ptype t, const char *name, int *out) {
    for (int i = 0; ob__ptype_choice(t, i); i++)
        if (name && strcmp(name, ob__ptype_choice(t, i)) == 0) {
            *out = i;
            return OB_OK;
        }
    return OB_EINVAL;
}

const char *ob__ptype_value_hint(ob__ptype t, char *buf, size_t len) {
    if (!ob__ptype_choice(t, 0)) return ptype(t) ? ptype(t)->hint : NULL;
    /* "all, talkative, ... or emotion" */
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; ob__ptype_choice(t, i) && n < len; i++) {
        const char *sep = i == 0 ? "" : ob__ptype_choice(t, i + 1) ? ", " : " or ";
        n += (size_t)snprintf(buf + n, len - n, "%s%s", sep, ob__ptype_choice(t, i));
    }
    return buf;
}

ob__pshape ob__ptype_shape(ob__ptype t) { return ptype(t) ? ptype(t)->shape : OB_PSHAPE_NONE; }

int64_t ob__ptype_min(ob__ptype t) { return ptype(t) ? ptype(t)->min : INT64_MIN; }

bool ob__param_is_input(const ob__param *p) { return p->type != OB_PT_FIXED && p->type != OB_PT_SAME; }

bool ob__param_is_required(const ob__param *p) {
    return ob__param_is_input(p) && !p->def && ptype(p->type) && !ptype(p->type)->optional;
}
