/* The action engine: the table of actions.h expanded into the metadata array
 * and the public functions, plus the one encoder, the one decoder and the one
 * blocking-call path they all share. */
#include "actions.h"

#include "client_internal.h"
#include "media.h"
#include "names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Row hooks (what parameter types cannot say), defined further down.
 * --------------------------------------------------------------------- */
static int post_group_file_encode(ob_client *c, const ob_action_def *d, const ob_arg *args, ob_jw *w);
static int get_file_validate(ob_client *c, const ob_action_def *d, const ob_arg *args);
static int upload_finish(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out);
static int create_folder_finish(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out);
static int makedir_run(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out);
static int shut_list_finish(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out);

static const ob_action_hooks ob_hooks_post_group_file = {.encode = post_group_file_encode};
static const ob_action_hooks ob_hooks_get_file = {.validate = get_file_validate};
static const ob_action_hooks ob_hooks_upload = {.finish = upload_finish};
static const ob_action_hooks ob_hooks_create_folder = {.finish = create_folder_finish};
static const ob_action_hooks ob_hooks_makedir = {.run = makedir_run};
static const ob_action_hooks ob_hooks_shut_list = {.finish = shut_list_finish};

static const ob_field login_info_fields[] = {
    {"user_id", OB_FT_I64, offsetof(ob_login_info, user_id), NULL, NULL},
    {"nickname", OB_FT_STR, offsetof(ob_login_info, nickname), NULL, NULL},
};
const ob_desc ob_desc_login_info = {"ob_login_info", sizeof(ob_login_info), login_info_fields,
                                    sizeof login_info_fields / sizeof login_info_fields[0], NULL};

/* ---------------------------------------------------------------------
 * The metadata array.
 * --------------------------------------------------------------------- */
#define OB_P_META(t, n, k, d, h) {#n, k, OB_PT_##t, d, h},
#define OB_X_PARAMS(name, ...) \
    static const ob_param ob_params_##name[] = {OB_PARAMS_##name(OB_P_META){NULL, NULL, OB_PT_ID, NULL, NULL}};
OB_ACTIONS(OB_X_PARAMS)

#define OB_HAS_ASYNC_BOTH true
#define OB_HAS_ASYNC_ASYNC true
#define OB_HAS_ASYNC_BLOCKING false
#define OB_X_DEF(name, wire, gen, kind, ctype, desc, key, hooks, summary) \
    [OB_ACT_##name] = {#name, wire, ob_params_##name, sizeof ob_params_##name / sizeof ob_params_##name[0] - 1, \
                       OB_RK_##kind, desc, key, #ctype, hooks, OB_HAS_ASYNC_##gen, summary},
const ob_action_def ob_action_defs[OB_ACTION_COUNT] = {OB_ACTIONS(OB_X_DEF)};

/* ---------------------------------------------------------------------
 * The public functions: ob_<name>(c, params..., out) and
 * ob_<name>_async(c, params..., cb, userdata), one pair per row.
 * --------------------------------------------------------------------- */
#define OB_PDECL_ID(n) , int64_t n
#define OB_PDECL_I64(n) , int64_t n
#define OB_PDECL_NONNEG(n) , int64_t n
#define OB_PDECL_LIMIT(n) , int64_t n
#define OB_PDECL_BOOL(n) , bool n
#define OB_PDECL_FLAG(n) , bool n
#define OB_PDECL_STR(n) , const char *n
#define OB_PDECL_STR_OPT(n) , const char *n
#define OB_PDECL_FILE_NAME(n) , const char *n
#define OB_PDECL_ID_ARRAY(n) , const int64_t *n, size_t n##_count
#define OB_PDECL_HONOR(n) , ob_honor_type n
#define OB_PDECL_MEDIA_KIND(n) , ob_media_kind n
#define OB_PDECL_MEDIA(n) , const char *n
#define OB_PDECL_MEDIA_OPT(n) , const char *n
#define OB_PDECL_TEXT(n) , const char *n
#define OB_PDECL_MESSAGE(n) , const ob_message *n
#define OB_PDECL_FIXED(n)
#define OB_PDECL_SAME(n)

#define OB_PPACK_ID(n) {.i = n},
#define OB_PPACK_I64(n) {.i = n},
#define OB_PPACK_NONNEG(n) {.i = n},
#define OB_PPACK_LIMIT(n) {.i = n},
#define OB_PPACK_BOOL(n) {.b = n},
#define OB_PPACK_FLAG(n) {.b = n},
#define OB_PPACK_STR(n) {.s = n},
#define OB_PPACK_STR_OPT(n) {.s = n},
#define OB_PPACK_FILE_NAME(n) {.s = n},
#define OB_PPACK_ID_ARRAY(n) {.arr = {n, n##_count}},
#define OB_PPACK_HONOR(n) {.e = (int)n},
#define OB_PPACK_MEDIA_KIND(n) {.e = (int)n},
#define OB_PPACK_MEDIA(n) {.s = n},
#define OB_PPACK_MEDIA_OPT(n) {.s = n},
#define OB_PPACK_TEXT(n) {.s = n},
#define OB_PPACK_MESSAGE(n) {.msg = n},
#define OB_PPACK_FIXED(n) {.i = 0},
#define OB_PPACK_SAME(n) {.i = 0},

#define OB_P_DECL(t, n, k, d, h) OB_PDECL_##t(n)
#define OB_P_PACK(t, n, k, d, h) OB_PPACK_##t(n)

#define OB_OUT_DECL_NONE(T)
#define OB_OUT_DECL_OBJ(T) , T **out
#define OB_OUT_DECL_LIST(T) , T **out
#define OB_OUT_DECL_JSON(T) , T **out
#define OB_OUT_DECL_I64(T) , int64_t *out
#define OB_OUT_DECL_STR(T) , char **out
#define OB_OUT_DECL_STR_OPT(T) , char **out
#define OB_OUT_ARG_NONE NULL
#define OB_OUT_ARG_OBJ out
#define OB_OUT_ARG_LIST out
#define OB_OUT_ARG_JSON out
#define OB_OUT_ARG_I64 out
#define OB_OUT_ARG_STR out
#define OB_OUT_ARG_STR_OPT out

#define OB_GEN_BLOCKING(name, kind, ctype) \
    int ob_##name(ob_client *c OB_PARAMS_##name(OB_P_DECL) OB_OUT_DECL_##kind(ctype)) \
    { \
        const ob_arg args[] = {OB_PARAMS_##name(OB_P_PACK){.i = 0}}; \
        return ob_action_call(c, &ob_action_defs[OB_ACT_##name], args, OB_OUT_ARG_##kind); \
    }
#define OB_GEN_ASYNC(name, kind, ctype) \
    int ob_##name##_async(ob_client *c OB_PARAMS_##name(OB_P_DECL), ob_reply_cb cb, void *userdata) \
    { \
        const ob_arg args[] = {OB_PARAMS_##name(OB_P_PACK){.i = 0}}; \
        return ob_action_call_async(c, &ob_action_defs[OB_ACT_##name], args, cb, userdata); \
    }
#define OB_GEN_BOTH(name, kind, ctype) OB_GEN_BLOCKING(name, kind, ctype) OB_GEN_ASYNC(name, kind, ctype)
#define OB_X_FUNCS(name, wire, gen, kind, ctype, desc, key, hooks, summary) OB_GEN_##gen(name, kind, ctype)
OB_ACTIONS(OB_X_FUNCS)

/* get_login_info has two out parameters: written by hand over the same row. */
int ob_get_login_info(ob_client *c, int64_t *user_id_out, char **nickname_out)
{
    if (user_id_out)
        *user_id_out = 0;
    if (nickname_out)
        *nickname_out = NULL;
    ob_login_info *info = NULL;
    ob_client_hold(c); /* c is used after the call */
    int rc = ob_action_call(c, &ob_action_defs[OB_ACT_get_login_info], NULL, &info);
    if (rc == OB_OK && nickname_out && !(*nickname_out = strdup(info->nickname)))
        rc = ob_client_fail(c, OB_ENOMEM, 0, "get_login_info", "out of memory copying the nickname");
    if (rc == OB_OK && user_id_out)
        *user_id_out = info->user_id;
    ob_free(info);
    ob_client_release(c);
    return rc;
}

/* ---------------------------------------------------------------------
 * Names and lookups.
 * --------------------------------------------------------------------- */
const ob_action_def *ob_action_find(const char *name)
{
    if (!name)
        return NULL;
    if (strncmp(name, "ob_", 3) == 0)
        name += 3;
    for (size_t i = 0; i < OB_ACTION_COUNT; i++)
        if (strcmp(ob_action_defs[i].name, name) == 0)
            return &ob_action_defs[i];
    for (size_t i = 0; i < OB_ACTION_COUNT; i++)
        if (strcmp(ob_action_defs[i].action, name) == 0)
            return &ob_action_defs[i];
    return NULL;
}

const char *ob_ptype_name(ob_ptype t)
{
    switch (t) {
    case OB_PT_ID: return "id";
    case OB_PT_I64: return "i64";
    case OB_PT_NONNEG: return "seconds";
    case OB_PT_LIMIT: return "count";
    case OB_PT_BOOL: return "bool";
    case OB_PT_FLAG: return "bool";
    case OB_PT_STR: return "str";
    case OB_PT_STR_OPT: return "str?";
    case OB_PT_FILE_NAME: return "str?";
    case OB_PT_ID_ARRAY: return "id...";
    case OB_PT_HONOR: return "honor";
    case OB_PT_MEDIA_KIND: return "image|record|video|file";
    case OB_PT_MEDIA: return "file";
    case OB_PT_MEDIA_OPT: return "file?";
    case OB_PT_TEXT: return "text";
    case OB_PT_MESSAGE: return "message";
    case OB_PT_FIXED: return "fixed";
    case OB_PT_SAME: return "same";
    }
    return "?";
}

bool ob_param_is_input(const ob_param *p)
{
    return p->type != OB_PT_FIXED && p->type != OB_PT_SAME;
}

bool ob_param_is_required(const ob_param *p)
{
    return ob_param_is_input(p) && !p->def && p->type != OB_PT_STR_OPT && p->type != OB_PT_FILE_NAME &&
           p->type != OB_PT_MEDIA_OPT;
}

/* ---------------------------------------------------------------------
 * Encoding.
 * --------------------------------------------------------------------- */
static int bad_arg(ob_client *c, const ob_action_def *d, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad_arg(ob_client *c, const ob_action_def *d, const char *fmt, ...)
{
    if (c) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        ob_client_fail(c, OB_EINVAL, 0, d->action, "ob_%s: %s", d->name, msg);
    }
    return OB_EINVAL;
}

/* Writes key: resolved file argument. */
static int put_media(ob_client *c, const ob_action_def *d, ob_jw *w, const char *key, const char *file)
{
    char *resolved = NULL;
    int rc = ob_media_resolve(c, d->action, file, &resolved);
    if (rc != OB_OK)
        return rc;
    ob_jw_key(w, key);
    ob_jw_str(w, resolved);
    free(resolved);
    return OB_OK;
}

static int put_segment(ob_client *c, const ob_action_def *d, ob_jw *w, const ob_segment *s, size_t idx)
{
    /* anything past the known types (also a garbage enum value) goes out by type_name */
    const char *known = ob_segment_type_name(s->type);
    bool other = !known;
    const char *type = other ? s->type_name : known;
    if (!type || !*type)
        return bad_arg(c, d, "segment %zu has no type name", idx);
    const char *need_key = NULL, *need_val = NULL;
    switch (other ? OB_SEG_OTHER : s->type) {
    case OB_SEG_TEXT: need_key = "text", need_val = s->text; break;
    case OB_SEG_AT: need_key = "qq", need_val = s->qq; break;
    case OB_SEG_REPLY:
    case OB_SEG_FACE: need_key = "id", need_val = s->id; break;
    case OB_SEG_IMAGE:
    case OB_SEG_RECORD:
    case OB_SEG_VIDEO:
    case OB_SEG_FILE: need_key = "file", need_val = s->file; break;
    case OB_SEG_OTHER: break;
    }
    if (need_key && !need_val)
        return bad_arg(c, d, "segment %zu (%s) needs %s", idx, type, need_key);
    ob_jw_obj(w);
    ob_jw_key(w, "type");
    ob_jw_str(w, type);
    ob_jw_key(w, "data");
    if (other) {
        const char *data = s->data_json ? s->data_json : "{}";
        ob_jdoc doc = {0};
        int rc = ob_jdoc_parse(&doc, data, strlen(data));
        bool object = rc == OB_OK && doc.ntok > 0 && doc.tok[0].type == JSMN_OBJECT;
        ob_jdoc_free(&doc);
        if (!object)
            return bad_arg(c, d, "segment %zu (%s): data_json is not a JSON object", idx, type);
        ob_jw_raw(w, data, strlen(data));
        ob_jw_obj_end(w);
        return OB_OK;
    }
    ob_jw_obj(w);
    bool media = s->type >= OB_SEG_IMAGE && s->type <= OB_SEG_FILE;
    if (media) {
        /* NapCat takes the first non-empty of url, file, path (api/msg.ts
           handleOb11FileLikeMessage): with a url, file is not read, so it is
           not resolved here either (a received segment's file is only a
           name). Empty optional strings (a received segment has "" for
           every absent key) are left out: NapCat would name a file "". */
        bool has_url = s->url && *s->url;
        if (has_url) {
            ob_jw_key(w, "file");
            ob_jw_str(w, s->file);
        } else {
            int rc = put_media(c, d, w, "file", s->file);
            if (rc != OB_OK)
                return rc;
        }
        const char *name = s->name && *s->name ? s->name : NULL;
        char *derived = NULL;
        if (!name && s->type == OB_SEG_FILE && !(name = derived = ob_media_basename(*s->file ? s->file : s->url)))
            return c ? ob_client_fail(c, OB_ENOMEM, 0, d->action, "out of memory") : OB_ENOMEM;
        if (name) {
            ob_jw_key(w, "name");
            ob_jw_str(w, name);
        }
        free(derived);
        if (has_url) {
            ob_jw_key(w, "url");
            ob_jw_str(w, s->url);
        }
        if (s->summary && *s->summary) {
            ob_jw_key(w, "summary");
            ob_jw_str(w, s->summary);
        }
    } else {
        ob_jw_key(w, need_key);
        ob_jw_str(w, need_val);
    }
    ob_jw_obj_end(w);
    ob_jw_obj_end(w);
    return OB_OK;
}

static const ob_arg *row_media_arg(const ob_action_def *d, const ob_arg *args)
{
    for (size_t i = 0; i < d->nparams; i++)
        if (d->params[i].type == OB_PT_MEDIA || d->params[i].type == OB_PT_MEDIA_OPT)
            return &args[i];
    return NULL;
}

/* Checks parameter i and, when key is not NULL, writes it under key. */
static int put_param(ob_client *c, const ob_action_def *d, const ob_arg *args, size_t i, const char *key, ob_jw *w)
{
    const ob_param *p = &d->params[i];
    const ob_arg *a = &args[i];
    switch (p->type) {
    case OB_PT_ID:
        if (a->i <= 0)
            return bad_arg(c, d, "%s must be a positive id, not %lld", p->name, (long long)a->i);
        break;
    case OB_PT_NONNEG:
    case OB_PT_LIMIT:
        if (a->i < 0)
            return bad_arg(c, d, "%s must not be negative (%lld)", p->name, (long long)a->i);
        break;
    case OB_PT_STR:
    case OB_PT_MEDIA:
    case OB_PT_TEXT:
        if (!a->s)
            return bad_arg(c, d, "%s must not be NULL", p->name);
        break;
    case OB_PT_ID_ARRAY:
        if (a->arr.n == 0 || !a->arr.ids)
            return bad_arg(c, d, "%s needs at least one id", p->name);
        for (size_t k = 0; k < a->arr.n; k++)
            if (a->arr.ids[k] <= 0)
                return bad_arg(c, d, "%s[%zu] must be a positive id, not %lld", p->name, k,
                               (long long)a->arr.ids[k]);
        break;
    case OB_PT_HONOR:
        if (!ob_honor_type_name((ob_honor_type)a->e))
            return bad_arg(c, d, "%s: %d is not an ob_honor_type", p->name, a->e);
        break;
    case OB_PT_MEDIA_KIND:
        if (!ob_media_kind_name((ob_media_kind)a->e))
            return bad_arg(c, d, "%s: %d is not an ob_media_kind", p->name, a->e);
        break;
    case OB_PT_MESSAGE:
        if (!a->msg || a->msg->count == 0 || !a->msg->items)
            return bad_arg(c, d, "%s must have at least one segment", p->name);
        break;
    case OB_PT_SAME:
        if (i == 0)
            return bad_arg(c, d, "%s repeats no parameter", p->name);
        return key ? put_param(c, d, args, i - 1, key, w) : OB_OK;
    default:
        break;
    }
    if (!key)
        return OB_OK;

    switch (p->type) {
    case OB_PT_ID:
    case OB_PT_I64:
    case OB_PT_NONNEG:
        ob_jw_key(w, key);
        ob_jw_int(w, a->i);
        return OB_OK;
    case OB_PT_LIMIT:
        ob_jw_key(w, key);
        ob_jw_int(w, a->i == 0 && p->def ? strtoll(p->def, NULL, 10) : a->i);
        return OB_OK;
    case OB_PT_BOOL:
        ob_jw_key(w, key);
        ob_jw_bool(w, a->b);
        return OB_OK;
    case OB_PT_FLAG:
        ob_jw_key(w, key);
        ob_jw_int(w, a->b ? 1 : 0);
        return OB_OK;
    case OB_PT_STR:
    case OB_PT_STR_OPT:
        if (a->s) {
            ob_jw_key(w, key);
            ob_jw_str(w, a->s);
        }
        return OB_OK;
    case OB_PT_FILE_NAME: {
        const ob_arg *media = row_media_arg(d, args);
        char *derived = NULL;
        const char *name = a->s;
        if (!name && media && media->s && !(name = derived = ob_media_basename(media->s)))
            return OB_ENOMEM;
        if (name) {
            ob_jw_key(w, key);
            ob_jw_str(w, name);
        }
        free(derived);
        return OB_OK;
    }
    case OB_PT_ID_ARRAY:
        ob_jw_key(w, key);
        ob_jw_arr(w);
        for (size_t k = 0; k < a->arr.n; k++)
            ob_jw_int(w, a->arr.ids[k]);
        ob_jw_arr_end(w);
        return OB_OK;
    case OB_PT_HONOR:
        ob_jw_key(w, key);
        ob_jw_str(w, ob_honor_type_name((ob_honor_type)a->e));
        return OB_OK;
    case OB_PT_MEDIA_KIND:
        ob_jw_key(w, key);
        ob_jw_str(w, ob_media_kind_name((ob_media_kind)a->e));
        return OB_OK;
    case OB_PT_MEDIA:
    case OB_PT_MEDIA_OPT:
        return a->s ? put_media(c, d, w, key, a->s) : OB_OK;
    case OB_PT_TEXT:
        /* a segment array, so that "[CQ:...]" in the text stays text */
        ob_jw_key(w, key);
        ob_jw_arr(w);
        ob_jw_obj(w);
        ob_jw_key(w, "type");
        ob_jw_str(w, "text");
        ob_jw_key(w, "data");
        ob_jw_obj(w);
        ob_jw_key(w, "text");
        ob_jw_str(w, a->s);
        ob_jw_obj_end(w);
        ob_jw_obj_end(w);
        ob_jw_arr_end(w);
        return OB_OK;
    case OB_PT_MESSAGE:
        ob_jw_key(w, key);
        ob_jw_arr(w);
        for (size_t k = 0; k < a->msg->count; k++) {
            int rc = put_segment(c, d, w, &a->msg->items[k], k);
            if (rc != OB_OK)
                return rc;
        }
        ob_jw_arr_end(w);
        return OB_OK;
    case OB_PT_FIXED:
        ob_jw_key(w, key);
        ob_jw_raw(w, p->def, strlen(p->def));
        return OB_OK;
    case OB_PT_SAME:
        break;
    }
    return OB_OK;
}

/* The params object of d into w; an error is recorded (bad_arg). */
static int encode_params(ob_client *c, const ob_action_def *d, const ob_arg *args, ob_jw *w)
{
    int rc = OB_OK;
    if (d->nparams && !args)
        return bad_arg(c, d, "no arguments given");
    ob_jw_obj(w);
    for (size_t i = 0; i < d->nparams && rc == OB_OK; i++)
        rc = put_param(c, d, args, i, d->params[i].key, w);
    if (rc == OB_OK && d->hooks && d->hooks->validate)
        rc = d->hooks->validate(c, d, args);
    if (rc == OB_OK && d->hooks && d->hooks->encode)
        rc = d->hooks->encode(c, d, args, w);
    ob_jw_obj_end(w);
    if (rc == OB_OK && w->b.oom)
        rc = c ? ob_client_fail(c, OB_ENOMEM, 0, d->action, "out of memory building the request") : OB_ENOMEM;
    return rc;
}

int ob_action_encode(ob_client *c, const ob_action_def *d, const ob_arg *args, char **out)
{
    *out = NULL;
    ob_jw w = {0};
    int rc = encode_params(c, d, args, &w);
    if (rc == OB_OK && !(*out = ob_buf_take(&w.b)))
        rc = c ? ob_client_fail(c, OB_ENOMEM, 0, d->action, "out of memory building the request") : OB_ENOMEM;
    ob_buf_free(&w.b);
    return rc;
}

typedef struct encode_job {
    ob_client *c;
    const ob_action_def *d;
    const ob_arg *args;
} encode_job;

static int write_action_params(struct ob_jw *w, void *wud)
{
    const encode_job *j = wud;
    return encode_params(j->c, j->d, j->args, w);
}

/* Encodes d's params straight into the request and sends it. */
static int send_action(ob_client *c, const ob_action_def *d, const ob_arg *args, ob_reply_cb cb, void *userdata)
{
    encode_job j = {c, d, args};
    return ob_call_async_write(c, d->action, write_action_params, &j, cb, userdata);
}

/* ---------------------------------------------------------------------
 * Decoding.
 * --------------------------------------------------------------------- */

/* The token of a dotted path below tok, or -1 (null counts as missing). */
static int token_at(const ob_jdoc *doc, int tok, const char *path)
{
    char seg[64];
    while (tok >= 0 && path && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof seg)
            return -1;
        memcpy(seg, path, n);
        seg[n] = '\0';
        tok = ob_jget(doc, tok, seg);
        path += n + (path[n] == '.');
    }
    return tok >= 0 && ob_jis_null(doc, tok) ? -1 : tok;
}

static void clear_out(ob_rkind kind, void *out)
{
    if (!out)
        return;
    if (kind == OB_RK_I64)
        *(int64_t *)out = 0;
    else if (kind != OB_RK_NONE)
        *(void **)out = NULL;
}

/* data (token tok of doc, -1 when absent) → out by kind. */
static int decode_value(ob_rkind kind, const ob_desc *desc, const char *key, const ob_jdoc *doc, int tok,
                        void *out)
{
    if (tok >= 0 && ob_jis_null(doc, tok))
        tok = -1;
    void *block = NULL;
    int rc;
    switch (kind) {
    case OB_RK_NONE:
        return OB_OK;
    case OB_RK_OBJ:
        if (tok < 0 || doc->tok[tok].type != JSMN_OBJECT)
            return OB_EPROTO;
        rc = ob_decode(desc, doc, tok, &block);
        break;
    case OB_RK_LIST:
        if (tok < 0 || doc->tok[tok].type != JSMN_ARRAY)
            return OB_EPROTO;
        rc = ob_decode_list(desc, doc, tok, &block);
        break;
    case OB_RK_JSON: {
        const char *text = "null";
        size_t len = 4;
        if (tok >= 0) {
            text = ob_jstart(doc, tok);
            len = ob_jlen(doc, tok);
            if (doc->tok[tok].type == JSMN_STRING) { /* jsmn's string tokens exclude the quotes */
                text--;
                len += 2;
            }
        }
        ob_json *j = malloc(sizeof *j + len + 1);
        if (!j)
            return OB_ENOMEM;
        char *copy = (char *)(j + 1);
        memcpy(copy, text, len);
        copy[len] = '\0';
        j->json = copy;
        j->len = len;
        block = j;
        rc = OB_OK;
        break;
    }
    case OB_RK_I64: {
        int v = token_at(doc, tok, key);
        int64_t n;
        if (v < 0 || doc->tok[v].type == JSMN_OBJECT || doc->tok[v].type == JSMN_ARRAY ||
            ob_jint(doc, v, &n) != OB_OK)
            return OB_EPROTO;
        if (out)
            *(int64_t *)out = n;
        return OB_OK;
    }
    case OB_RK_STR:
    case OB_RK_STR_OPT: {
        if (tok >= 0 && doc->tok[tok].type != JSMN_OBJECT)
            return OB_EPROTO;
        int v = token_at(doc, tok, key);
        if (v < 0)
            return kind == OB_RK_STR_OPT ? OB_OK : OB_EPROTO;
        if (doc->tok[v].type != JSMN_STRING)
            return OB_EPROTO;
        char *s = malloc(ob_jlen(doc, v) + 1);
        if (!s)
            return OB_ENOMEM;
        if (ob_junescape(doc, v, s) < 0) {
            free(s);
            return OB_EPROTO;
        }
        if (kind == OB_RK_STR_OPT && !*s) { /* NapCat's "no id" */
            free(s);
            return OB_OK;
        }
        block = s;
        rc = OB_OK;
        break;
    }
    default:
        return OB_EPROTO;
    }
    if (rc != OB_OK)
        return rc;
    if (out)
        *(void **)out = block;
    else
        ob_free(block);
    return OB_OK;
}

static int decode_reply(const ob_reply *r, ob_rkind kind, const ob_desc *desc, const char *key, void *out)
{
    clear_out(kind, out);
    if (!r)
        return OB_EINVAL;
    if (r->code != OB_OK)
        return r->code;
    if (kind == OB_RK_NONE)
        return OB_OK;
    const ob_reply_ext *x = ob_reply_ext_of(r);
    if (x)
        return decode_value(kind, desc, key, x->doc, x->data_tok, out);
    ob_jdoc own = {0};
    const char *js = r->data_json && r->data_len ? r->data_json : "null";
    size_t len = r->data_json && r->data_len ? r->data_len : 4;
    int rc = ob_jdoc_parse(&own, js, len);
    if (rc == OB_OK)
        rc = decode_value(kind, desc, key, &own, 0, out);
    else if (rc != OB_ENOMEM)
        rc = OB_EPROTO;
    ob_jdoc_free(&own);
    return rc;
}

int ob_action_decode(const ob_action_def *d, const ob_reply *r, void *out)
{
    return decode_reply(r, d->result, d->desc, d->result_key, out);
}

#define OB_DECODER(fn, T, kind, desc) \
    int fn(const ob_reply *r, T **out) { return decode_reply(r, OB_RK_##kind, desc, NULL, out); }
OB_DECODER(ob_group_info_decode, ob_group_info, OBJ, &ob_desc_group_info)
OB_DECODER(ob_group_list_decode, ob_group_list, LIST, &ob_desc_group_info)
OB_DECODER(ob_group_member_decode, ob_group_member, OBJ, &ob_desc_group_member)
OB_DECODER(ob_group_member_list_decode, ob_group_member_list, LIST, &ob_desc_group_member)
OB_DECODER(ob_group_shut_list_decode, ob_group_member_list, LIST, &ob_desc_shut_member)
OB_DECODER(ob_group_file_list_decode, ob_group_file_list, OBJ, &ob_desc_group_file_list)
OB_DECODER(ob_group_honor_info_decode, ob_group_honor_info, OBJ, &ob_desc_group_honor_info)
OB_DECODER(ob_essence_list_decode, ob_essence_list, LIST, &ob_desc_essence_msg)
OB_DECODER(ob_file_decode, ob_file, OBJ, &ob_desc_file)
OB_DECODER(ob_json_decode, ob_json, JSON, NULL)

int ob_message_id_decode(const ob_reply *r, int64_t *message_id_out)
{
    return decode_reply(r, OB_RK_I64, NULL, "message_id", message_id_out);
}

int ob_group_file_url_decode(const ob_reply *r, char **url_out)
{
    return decode_reply(r, OB_RK_STR, NULL, "url", url_out);
}

void ob_action_result_json(const ob_action_def *d, const void *out, ob_jw *w)
{
    const void *block = out && d->result != OB_RK_NONE && d->result != OB_RK_I64 ? *(void *const *)out : NULL;
    switch (d->result) {
    case OB_RK_OBJ:
        if (block)
            ob_encode(w, d->desc, block);
        else
            ob_jw_null(w);
        return;
    case OB_RK_LIST:
        if (block)
            ob_encode_list(w, d->desc, block);
        else
            ob_jw_null(w);
        return;
    case OB_RK_JSON:
        if (block)
            ob_jw_raw(w, ((const ob_json *)block)->json, ((const ob_json *)block)->len);
        else
            ob_jw_null(w);
        return;
    case OB_RK_STR:
    case OB_RK_STR_OPT:
        ob_jw_str(w, block); /* NULL writes null */
        return;
    case OB_RK_I64:
        if (out)
            ob_jw_int(w, *(const int64_t *)out);
        else
            ob_jw_null(w);
        return;
    case OB_RK_NONE:
        break;
    }
    ob_jw_null(w);
}

void ob_action_result_free(const ob_action_def *d, void *out)
{
    if (out && d->result != OB_RK_NONE && d->result != OB_RK_I64)
        ob_free(*(void **)out);
    clear_out(d->result, out);
}

/* ---------------------------------------------------------------------
 * Calls.
 * --------------------------------------------------------------------- */
static const char *expected_shape(const ob_action_def *d, char *buf, size_t len)
{
    switch (d->result) {
    case OB_RK_OBJ: snprintf(buf, len, "an object (%s)", d->desc->name); break;
    case OB_RK_LIST: snprintf(buf, len, "an array of %s", d->desc->name); break;
    case OB_RK_I64: snprintf(buf, len, "an integer at data.%s", d->result_key); break;
    case OB_RK_STR:
    case OB_RK_STR_OPT: snprintf(buf, len, "a string at data.%s", d->result_key); break;
    default: snprintf(buf, len, "JSON"); break;
    }
    return buf;
}

/* On the heap: if the wait ever ended without the reply, the late callback
 * must still find it (it then frees it). The outcome is recorded as the last
 * error only after the wait, so that other callbacks running meanwhile do
 * not overwrite it; hence the copies of the reply's texts. */
typedef struct call_state {
    bool done, abandoned, replied;
    int rc, retcode;
    char *message, *wording;
    const ob_action_def *d;
    void *out;
} call_state;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void free_state(call_state *st)
{
    free(st->message);
    free(st->wording);
    free(st);
}

static void blocking_reply(ob_client *c, const ob_reply *r, void *userdata)
{
    (void)c;
    call_state *st = userdata;
    if (st->abandoned) { /* nobody waits for the result any more */
        free_state(st);
        return;
    }
    const ob_action_def *d = st->d;
    st->done = true;
    if (r->code == OB_OK) {
        /* decoded here, while the frame's tokens are alive */
        st->rc = ob_action_decode(d, r, st->out);
        if (st->rc != OB_OK) {
            char shape[128], sentence[256];
            if (st->rc == OB_EPROTO)
                snprintf(sentence, sizeof sentence, "the reply to %s does not have the expected data: %s",
                         d->action, expected_shape(d, shape, sizeof shape));
            else
                snprintf(sentence, sizeof sentence, "decoding the reply to %s: %s", d->action,
                         ob_strerror(st->rc));
            st->message = strdup(sentence);
        }
        return;
    }
    st->rc = r->code;
    st->retcode = r->retcode;
    st->replied = r->status && r->status[0];
    st->message = dup_or_null(r->message);
    st->wording = dup_or_null(r->wording);
}

static int record_outcome(ob_client *c, const ob_action_def *d, const call_state *st)
{
    if (st->rc == OB_OK)
        return OB_OK;
    if (st->replied && (st->rc == OB_EACTION || st->rc == OB_EAUTH)) {
        ob_reply r = {.code = st->rc, .status = "failed", .retcode = st->retcode,
                      .message = st->message ? st->message : "", .wording = st->wording ? st->wording : "",
                      .data_json = "null", .data_len = 4};
        return ob_client_fail_reply(c, &r, d->action);
    }
    return ob_client_fail(c, st->rc, st->retcode, d->action, "%s",
                          st->message && st->message[0] ? st->message : ob_strerror(st->rc));
}

static int single_call(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out)
{
    call_state *st = calloc(1, sizeof *st);
    if (!st)
        return ob_client_fail(c, OB_ENOMEM, 0, d->action, "out of memory");
    st->d = d;
    st->out = out;
    int rc = send_action(c, d, args, blocking_reply, st);
    if (rc != OB_OK) { /* recorded (bad argument, not connected...); the callback will not run */
        free_state(st);
        return rc;
    }
    int wrc = ob_client_wait(c, &st->done);
    if (!st->done) {
        st->abandoned = true;
        return ob_client_fail(c, wrc != OB_OK ? wrc : OB_ECLOSED, 0, d->action, "stopped waiting for %s: %s",
                              d->action, ob_strerror(wrc != OB_OK ? wrc : OB_ECLOSED));
    }
    rc = record_outcome(c, d, st);
    free_state(st);
    return rc;
}

int ob_action_call(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out)
{
    clear_out(d->result, out);
    if (!c)
        return OB_EINVAL;
    ob_client_hold(c); /* a callback may free c while this waits: see ob_client_hold */
    int rc;
    if (d->hooks && d->hooks->run) {
        rc = d->hooks->run(c, d, args, out);
    } else {
        rc = single_call(c, d, args, out);
        if (rc == OB_OK && d->hooks && d->hooks->finish)
            rc = d->hooks->finish(c, d, args, out);
    }
    if (rc == OB_OK)
        ob_client_ok(c);
    else
        clear_out(d->result, out);
    ob_client_release(c);
    return rc;
}

int ob_action_call_async(ob_client *c, const ob_action_def *d, const ob_arg *args, ob_reply_cb cb, void *userdata)
{
    if (!c)
        return OB_EINVAL;
    if (!cb)
        return bad_arg(c, d, "no callback given");
    return send_action(c, d, args, cb, userdata);
}

/* ---------------------------------------------------------------------
 * Hooks.
 * --------------------------------------------------------------------- */

/* post_group_file: message = [{"type": kind, "data": {"file": ..., "name"?}}] */
static int post_group_file_encode(ob_client *c, const ob_action_def *d, const ob_arg *args, ob_jw *w)
{
    ob_media_kind kind = (ob_media_kind)args[1].e;
    const char *file = args[2].s;
    ob_jw_key(w, "message");
    ob_jw_arr(w);
    ob_jw_obj(w);
    ob_jw_key(w, "type");
    ob_jw_str(w, ob_media_kind_name(kind));
    ob_jw_key(w, "data");
    ob_jw_obj(w);
    int rc = put_media(c, d, w, "file", file);
    if (rc != OB_OK)
        return rc;
    if (kind == OB_MEDIA_FILE) { /* NapCat names the group file after data.name */
        char *name = ob_media_basename(file);
        if (!name)
            return OB_ENOMEM;
        ob_jw_key(w, "name");
        ob_jw_str(w, name);
        free(name);
    }
    ob_jw_obj_end(w);
    ob_jw_obj_end(w);
    ob_jw_arr_end(w);
    return OB_OK;
}

static int get_file_validate(ob_client *c, const ob_action_def *d, const ob_arg *args)
{
    if (!args[0].s && !args[1].s)
        return bad_arg(c, d, "give file_id or file (both are NULL)");
    return OB_OK;
}

/* The newest folder of the list named name, or NULL. */
static const ob_group_folder *newest_folder(const ob_group_file_list *l, const char *name)
{
    const ob_group_folder *best = NULL;
    for (size_t i = 0; i < l->folder_count; i++) {
        const ob_group_folder *f = &l->folders[i];
        if (strcmp(f->folder_name, name) == 0 && *f->folder_id && (!best || f->create_time > best->create_time))
            best = f;
    }
    return best;
}

static const ob_group_file *newest_file(const ob_group_file_list *l, const char *name)
{
    const ob_group_file *best = NULL;
    for (size_t i = 0; i < l->file_count; i++) {
        const ob_group_file *f = &l->files[i];
        if (strcmp(f->file_name, name) == 0 && *f->file_id && (!best || f->upload_time > best->upload_time))
            best = f;
    }
    return best;
}

/* How many root entries makedir and the id fallbacks read: NapCat counts
 * files and folders together, and QQ lists folders first. */
#define OB_ROOT_SCAN_COUNT 1000

/* upload_group_file: NapCat may send file_id null; find the upload by name. */
static int upload_finish(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out)
{
    (void)d;
    char **id = out;
    if (!id || *id)
        return OB_OK;
    char *derived = NULL;
    const char *name = args[2].s;
    if (!name && !(name = derived = ob_media_basename(args[1].s)))
        return OB_OK;
    const char *folder = args[3].s;
    ob_group_file_list *list = NULL;
    int rc = folder && *folder && strcmp(folder, "/") != 0
                 ? ob_get_group_files_by_folder(c, args[0].i, folder, OB_ROOT_SCAN_COUNT, &list)
                 : ob_get_group_root_files(c, args[0].i, OB_ROOT_SCAN_COUNT, &list);
    if (rc == OB_OK) {
        const ob_group_file *f = newest_file(list, name);
        if (f)
            *id = strdup(f->file_id);
        ob_free(list);
    }
    free(derived);
    return OB_OK; /* the upload itself worked; a missing id is not an error */
}

/* create_group_file_folder: the reply's groupItem is a raw QQ object that
 * older NapCat builds did not fill; find the folder by name instead. */
static int create_folder_finish(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out)
{
    (void)d;
    char **id = out;
    if (!id || *id)
        return OB_OK;
    ob_group_file_list *list = NULL;
    if (ob_get_group_root_files(c, args[0].i, OB_ROOT_SCAN_COUNT, &list) == OB_OK) {
        const ob_group_folder *f = newest_folder(list, args[1].s);
        if (f)
            *id = strdup(f->folder_id);
        ob_free(list);
    }
    return OB_OK;
}

/* get_group_shut_list: NapCat's raw member objects carry no group id. */
static int shut_list_finish(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out)
{
    (void)c;
    (void)d;
    ob_group_member_list *l = out ? *(ob_group_member_list **)out : NULL;
    for (size_t i = 0; l && i < l->count; i++)
        if (l->items[i].group_id == 0)
            l->items[i].group_id = args[0].i;
    return OB_OK;
}

int ob_folder_path_normalise(const char *path, char **name_out, char *err, size_t errlen)
{
    *name_out = NULL;
    if (!path) {
        snprintf(err, errlen, "the folder path is NULL");
        return OB_EINVAL;
    }
    const char *first = NULL;
    size_t first_len = 0;
    int segments = 0;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            snprintf(err, errlen, "the folder path \"%s\" contains \"..\", which group files cannot follow", path);
            return OB_EINVAL;
        }
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (segments++ == 0) {
                first = p;
                first_len = n;
            }
        }
        p += n;
        while (*p == '/')
            p++;
    }
    if (segments > 1) {
        snprintf(err, errlen,
                 "the folder path \"%s\" is nested, but QQ group files have only one folder level below the root",
                 path);
        return OB_EUNSUPPORTED;
    }
    if (segments == 0)
        return OB_OK;
    if (!(*name_out = strndup(first, first_len))) {
        snprintf(err, errlen, "out of memory");
        return OB_ENOMEM;
    }
    return OB_OK;
}

static int makedir_run(ob_client *c, const ob_action_def *d, const ob_arg *args, void *out)
{
    char **id_out = out;
    int64_t group_id = args[0].i;
    if (group_id <= 0)
        return bad_arg(c, d, "group_id must be a positive id, not %lld", (long long)group_id);
    char err[512];
    char *name = NULL;
    int rc = ob_folder_path_normalise(args[1].s, &name, err, sizeof err);
    if (rc != OB_OK)
        return ob_client_fail(c, rc, 0, "group_file_folder_makedir", "ob_group_file_folder_makedir: %s", err);
    char *id = NULL;
    if (!name) { /* the root */
        id = strdup("/");
    } else {
        ob_group_file_list *list = NULL;
        rc = ob_get_group_root_files(c, group_id, OB_ROOT_SCAN_COUNT, &list);
        if (rc != OB_OK) {
            free(name);
            return rc;
        }
        const ob_group_folder *f = newest_folder(list, name);
        if (f)
            id = strdup(f->folder_id);
        ob_free(list);
        if (!f) {
            rc = ob_create_group_file_folder(c, group_id, name, &id);
            if (rc == OB_OK && !id)
                rc = ob_client_fail(c, OB_EPROTO, 0, "create_group_file_folder",
                                    "created folder \"%s\", but neither the reply nor the root listing "
                                    "gives its id",
                                    name);
            if (rc != OB_OK) {
                free(name);
                return rc;
            }
        }
    }
    free(name);
    if (!id)
        return ob_client_fail(c, OB_ENOMEM, 0, "group_file_folder_makedir", "out of memory");
    if (id_out)
        *id_out = id;
    else
        free(id);
    return OB_OK;
}
