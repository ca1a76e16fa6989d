/* The action encoder: one row's arguments checked and written as the params
 * object of its request (parameter types, message segments, file arguments
 * resolved for the server), straight into the request or as text. */
#include "actions.h"

#include "client_internal.h"
#include "media.h"
#include "names.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ob__action_bad_arg(ob_client *c, const ob__action_def *d, const char *fmt, ...) {
    if (c) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        ob__client_fail(c, OB_EINVAL, 0, d->action, "ob_%s: %s", d->name, msg);
    }
    return OB_EINVAL;
}

int ob__media_resolve(ob_client *c, const char *action, const char *arg, char **out) {
    char err[PATH_MAX + 256];
    ob_media_mode mode = OB_MEDIA_PATH;
    bool local = true;
    if (c) {
        mode = ob__client_options(c)->media_mode;
        local = ob__client_server_is_local(c);
    }
    int rc = ob__media_prepare(arg, mode, local, out, err, sizeof err);
    if (rc != OB_OK && c) ob__client_fail(c, rc, 0, action, "%s", err);
    return rc;
}

int ob__action_put_media(ob_client *c, const ob__action_def *d, ob__jw *w, const char *key, const char *file) {
    char *resolved = NULL;
    int rc = ob__media_resolve(c, d->action, file, &resolved);
    if (rc != OB_OK) return rc;
    ob__jw_key(w, key);
    ob__jw_str(w, resolved);
    free(resolved);
    return OB_OK;
}

static int put_segment(ob_client *c, const ob__action_def *d, ob__jw *w, const ob_segment *s, size_t idx) {
    /* anything past the known types (also a garbage enum value) goes out by type_name */
    const char *known = ob__segment_type_name(s->type);
    bool other = !known;
    const char *type = other ? s->type_name : known;
    if (!type || !*type) return ob__action_bad_arg(c, d, "segment %zu has no type name", idx);
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
    if (need_key && !need_val) return ob__action_bad_arg(c, d, "segment %zu (%s) needs %s", idx, type, need_key);
    ob__jw_obj(w);
    ob__jw_key(w, "type");
    ob__jw_str(w, type);
    ob__jw_key(w, "data");
    if (other) {
        const char *data = s->data_json ? s->data_json : "{}";
        ob__jdoc doc = {0};
        int rc = ob__jdoc_parse(&doc, data, strlen(data));
        bool object = rc == OB_OK && doc.ntok > 0 && doc.tok[0].type == JSMN_OBJECT;
        ob__jdoc_free(&doc);
        if (!object) return ob__action_bad_arg(c, d, "segment %zu (%s): data_json is not a JSON object", idx, type);
        ob__jw_raw(w, data, strlen(data));
        ob__jw_obj_end(w);
        return OB_OK;
    }
    ob__jw_obj(w);
    bool media = s->type >= OB_SEG_IMAGE && s->type <= OB_SEG_FILE;
    if (media) {
        /* NapCat takes the first non-empty of url, file, path (api/msg.ts
           handleOb11FileLikeMessage): with a url, file is not read, so it is
           not resolved here either (a received segment's file is only a
           name). Empty optional strings (a received segment has "" for
           every absent key) are left out: NapCat would name a file "". */
        bool has_url = s->url && *s->url;
        if (has_url) {
            ob__jw_key(w, "file");
            ob__jw_str(w, s->file);
        } else {
            int rc = ob__action_put_media(c, d, w, "file", s->file);
            if (rc != OB_OK) return rc;
        }
        const char *name = s->name && *s->name ? s->name : NULL;
        char *derived = NULL;
        if (!name && s->type == OB_SEG_FILE && !(name = derived = ob__media_basename(*s->file ? s->file : s->url)))
            return c ? ob__client_fail(c, OB_ENOMEM, 0, d->action, "out of memory") : OB_ENOMEM;
        if (name) {
            ob__jw_key(w, "name");
            ob__jw_str(w, name);
        }
        free(derived);
        if (has_url) {
            ob__jw_key(w, "url");
            ob__jw_str(w, s->url);
        }
        if (s->summary && *s->summary) {
            ob__jw_key(w, "summary");
            ob__jw_str(w, s->summary);
        }
    } else {
        ob__jw_key(w, need_key);
        ob__jw_str(w, need_val);
    }
    ob__jw_obj_end(w);
    ob__jw_obj_end(w);
    return OB_OK;
}

static const ob__arg *row_media_arg(const ob__action_def *d, const ob__arg *args) {
    for (size_t i = 0; i < d->nparams; i++)
        if (d->params[i].type == OB_PT_MEDIA || d->params[i].type == OB_PT_MEDIA_OPT) return &args[i];
    return NULL;
}

/* "a, b,,c" as ["a","b","c"]: split at commas, spaces around a word and
 * empty words dropped. */
static void put_str_list(ob__jw *w, const char *s) {
    ob__jw_arr(w);
    while (*s) {
        size_t n = strcspn(s, ",");
        const char *b = s, *e = s + n;
        while (b < e && *b == ' ') b++;
        while (e > b && e[-1] == ' ') e--;
        if (e > b) ob__jw_strn(w, b, (size_t)(e - b));
        s += n + (s[n] == ',');
    }
    ob__jw_arr_end(w);
}

/* Checks parameter i and, when key is not NULL, writes it under key. */
static int put_param(ob_client *c, const ob__action_def *d, const ob__arg *args, size_t i, const char *key, ob__jw *w) {
    const ob__param *p = &d->params[i];
    const ob__arg *a = &args[i];
    switch (p->type) {
    case OB_PT_ID:
        if (a->i <= 0) return ob__action_bad_arg(c, d, "%s must be a positive id, not %lld", p->name, (long long)a->i);
        break;
    case OB_PT_ID_OPT:
        if (a->i < 0)
            return ob__action_bad_arg(c, d, "%s must be a positive id or 0 (none), not %lld", p->name, (long long)a->i);
        break;
    case OB_PT_NONNEG:
    case OB_PT_LIMIT:
        if (a->i < 0) return ob__action_bad_arg(c, d, "%s must not be negative (%lld)", p->name, (long long)a->i);
        break;
    case OB_PT_STR:
    case OB_PT_MEDIA:
    case OB_PT_TEXT:
    case OB_PT_STR_LIST:
        if (!a->s) return ob__action_bad_arg(c, d, "%s must not be NULL", p->name);
        break;
    case OB_PT_JSON: {
        if (!a->s) return ob__action_bad_arg(c, d, "%s must not be NULL", p->name);
        ob__jdoc doc = {0};
        int rc = ob__jdoc_parse(&doc, a->s, strlen(a->s));
        ob__jdoc_free(&doc);
        if (rc == OB_ENOMEM) return c ? ob__client_fail(c, OB_ENOMEM, 0, d->action, "out of memory") : OB_ENOMEM;
        if (rc != OB_OK) return ob__action_bad_arg(c, d, "%s must be one JSON value", p->name);
        break;
    }
    case OB_PT_ID_ARRAY:
        if (a->arr.n == 0 || !a->arr.ids) return ob__action_bad_arg(c, d, "%s needs at least one id", p->name);
        for (size_t k = 0; k < a->arr.n; k++)
            if (a->arr.ids[k] <= 0)
                return ob__action_bad_arg(c, d, "%s[%zu] must be a positive id, not %lld", p->name, k,
                                          (long long)a->arr.ids[k]);
        break;
    case OB_PT_HONOR:
        if (!ob_honor_type_name((ob_honor_type)a->e))
            return ob__action_bad_arg(c, d, "%s: %d is not an ob_honor_type", p->name, a->e);
        break;
    case OB_PT_MEDIA_KIND:
        if (!ob_media_kind_name((ob_media_kind)a->e))
            return ob__action_bad_arg(c, d, "%s: %d is not an ob_media_kind", p->name, a->e);
        break;
    case OB_PT_MESSAGE:
        if (!a->msg || a->msg->count == 0 || !a->msg->items)
            return ob__action_bad_arg(c, d, "%s must have at least one segment", p->name);
        break;
    case OB_PT_SAME:
        if (i == 0) return ob__action_bad_arg(c, d, "%s repeats no parameter", p->name);
        return key ? put_param(c, d, args, i - 1, key, w) : OB_OK;
    default: break;
    }
    if (!key) return OB_OK;

    /* the types that may leave their key out */
    switch (p->type) {
    case OB_PT_STR:
    case OB_PT_STR_OPT:
        if (a->s) {
            ob__jw_key(w, key);
            ob__jw_str(w, a->s);
        }
        return OB_OK;
    case OB_PT_FILE_NAME: {
        const ob__arg *media = row_media_arg(d, args);
        char *derived = NULL;
        const char *name = a->s;
        if (!name && media && media->s && !(name = derived = ob__media_basename(media->s))) return OB_ENOMEM;
        if (name) {
            ob__jw_key(w, key);
            ob__jw_str(w, name);
        }
        free(derived);
        return OB_OK;
    }
    case OB_PT_MEDIA:
    case OB_PT_MEDIA_OPT: return a->s ? ob__action_put_media(c, d, w, key, a->s) : OB_OK;
    case OB_PT_ID_OPT:
        if (a->i) {
            ob__jw_key(w, key);
            ob__jw_int(w, a->i);
        }
        return OB_OK;
    case OB_PT_SAME: return OB_OK;
    default: break;
    }

    /* the others always write it */
    ob__jw_key(w, key);
    switch (p->type) {
    case OB_PT_ID:
    case OB_PT_I64:
    case OB_PT_NONNEG: ob__jw_int(w, a->i); break;
    case OB_PT_LIMIT: ob__jw_int(w, a->i == 0 && p->def ? strtoll(p->def, NULL, 10) : a->i); break;
    case OB_PT_BOOL: ob__jw_bool(w, a->b); break;
    case OB_PT_FLAG: ob__jw_int(w, a->b ? 1 : 0); break;
    case OB_PT_ID_ARRAY:
        ob__jw_arr(w);
        for (size_t k = 0; k < a->arr.n; k++) ob__jw_int(w, a->arr.ids[k]);
        ob__jw_arr_end(w);
        break;
    case OB_PT_HONOR: ob__jw_str(w, ob_honor_type_name((ob_honor_type)a->e)); break;
    case OB_PT_MEDIA_KIND: ob__jw_str(w, ob_media_kind_name((ob_media_kind)a->e)); break;
    case OB_PT_TEXT:
        /* a segment array, so that "[CQ:...]" in the text stays text */
        ob__jw_arr(w);
        ob__jw_obj(w);
        ob__jw_key(w, "type");
        ob__jw_str(w, "text");
        ob__jw_key(w, "data");
        ob__jw_obj(w);
        ob__jw_key(w, "text");
        ob__jw_str(w, a->s);
        ob__jw_obj_end(w);
        ob__jw_obj_end(w);
        ob__jw_arr_end(w);
        break;
    case OB_PT_MESSAGE:
        ob__jw_arr(w);
        for (size_t k = 0; k < a->msg->count; k++) {
            int rc = put_segment(c, d, w, &a->msg->items[k], k);
            if (rc != OB_OK) return rc;
        }
        ob__jw_arr_end(w);
        break;
    case OB_PT_FIXED: ob__jw_raw(w, p->def, strlen(p->def)); break;
    case OB_PT_JSON: ob__jw_raw(w, a->s, strlen(a->s)); break;
    case OB_PT_STR_LIST: put_str_list(w, a->s); break;
    default: break;
    }
    return OB_OK;
}

/* The params object of d into w; an error is recorded (bad_arg). */
static int encode_params(ob_client *c, const ob__action_def *d, const ob__arg *args, ob__jw *w) {
    int rc = OB_OK;
    if (d->nparams && !args) return ob__action_bad_arg(c, d, "no arguments given");
    ob__jw_obj(w);
    for (size_t i = 0; i < d->nparams && rc == OB_OK; i++) rc = put_param(c, d, args, i, d->params[i].key, w);
    if (rc == OB_OK && d->hooks && d->hooks->validate) rc = d->hooks->validate(c, d, args);
    if (rc == OB_OK && d->hooks && d->hooks->encode) rc = d->hooks->encode(c, d, args, w);
    ob__jw_obj_end(w);
    if (rc == OB_OK && w->b.oom)
        rc = c ? ob__client_fail(c, OB_ENOMEM, 0, d->action, "out of memory building the request") : OB_ENOMEM;
    return rc;
}

int ob__action_encode(ob_client *c, const ob__action_def *d, const ob__arg *args, char **out) {
    *out = NULL;
    ob__jw w = {0};
    int rc = encode_params(c, d, args, &w);
    if (rc == OB_OK && !(*out = ob__buf_take(&w.b)))
        rc = c ? ob__client_fail(c, OB_ENOMEM, 0, d->action, "out of memory building the request") : OB_ENOMEM;
    ob__buf_free(&w.b);
    return rc;
}

typedef struct encode_job {
    ob_client *c;
    const ob__action_def *d;
    const ob__arg *args;
} encode_job;

static int write_action_params(struct ob__jw *w, void *wud) {
    const encode_job *j = wud;
    return encode_params(j->c, j->d, j->args, w);
}

int ob__action_send(ob_client *c, const ob__action_def *d, const ob__arg *args, ob_reply_cb cb, void *userdata) {
    encode_job j = {c, d, args};
    return ob__call_async_write(c, d->action, write_action_params, &j, cb, userdata);
}
