/* The handler context: what an action handler sees of its request (the
 * sim_ctx API of sim_internal.h): the per-request arena, accessors to the
 * world, failures, the typed param getters, the data writer and the event
 * queue. The server (sim_server.c) creates the context, runs the handler in
 * a transaction and sends what the context holds. */
#include "sim_server_internal.h"
#include <onebot/types.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_next(ob_sim *s) {
    /* xorshift64*: ids only need to look random and not collide often. */
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* ------------------------------------------------------------------ ctx: arena */

static void *ctx_keep(sim_ctx *c, void *p) {
    if (!p) return NULL;
    if (c->narena == c->arena_cap) {
        size_t cap = c->arena_cap ? c->arena_cap * 2 : 16;
        void **a = realloc(c->arena, cap * sizeof *a);
        if (!a) {
            free(p);
            return NULL;
        }
        c->arena = a;
        c->arena_cap = cap;
    }
    c->arena[c->narena++] = p;
    return p;
}

void *sim_ctx_alloc(sim_ctx *c, size_t n) { return ctx_keep(c, malloc(n ? n : 1)); }

/* ------------------------------------------------------------------ ctx: accessors */

sqlite3 *sim_db(sim_ctx *c) { return c->sim->db; }
int64_t sim_self_id(sim_ctx *c) {
    /* the bot the connection speaks for (sim_accounts.c) */
    return c->conn && c->sim->accounts ? c->sim->accounts[c->conn->account].id : c->sim->self_id;
}
int64_t sim_now(sim_ctx *c) { return (int64_t)time(NULL) + c->sim->clock_offset; }
bool sim_is_control(sim_ctx *c) { return c->conn && c->conn->control; }
bool sim_is_strict(sim_ctx *c) { return c->sim->strict; }

int sim_set_clock_offset(sim_ctx *c, int64_t offset) {
    if (sim_meta_set_i64(c->sim->db, "clock_offset", offset) != 0) return -1;
    c->sim->clock_offset = offset;
    return 0;
}

void sim_random_hex(sim_ctx *c, char *out, size_t nhex) {
    static const char hex[] = "0123456789abcdef";
    uint64_t r = 0;
    for (size_t i = 0; i < nhex; i++) {
        if (i % 16 == 0) r = rng_next(c->sim);
        out[i] = hex[r & 15];
        r >>= 4;
    }
    out[nhex] = '\0';
}

int64_t sim_next_id(sim_ctx *c, const char *counter) {
    char key[96];
    snprintf(key, sizeof key, "seq.%s", counter);
    int64_t v = 0;
    if (!sim_meta_get_i64(c->sim->db, key, &v)) {
        /* Start somewhere that looks like a NapCat short id, not at 1. */
        v = 100000 + (int64_t)(rng_next(c->sim) % 900000);
    }
    v++;
    if (v > INT32_MAX) v = 1; /* NapCat's ids are positive int32 */
    if (sim_meta_set_i64(c->sim->db, key, v) != 0) return -1;
    return v;
}

void sim_log(sim_ctx *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sim_server_vlog(c->sim, fmt, ap);
    va_end(ap);
}

void sim_server_stats(sim_ctx *c, ob__jw *w) {
    size_t conns = 0, unsent = 0;
    sim_server_backlog(c->sim, &conns, &unsent);
    ob__jw_key_int(w, "connections", (int64_t)conns);
    ob__jw_key_int(w, "unsent_bytes", (int64_t)unsent);
    size_t cap = c->sim->max_total_backlog;
    ob__jw_key_int(w, "max_total_backlog", cap > (size_t)INT64_MAX ? INT64_MAX : (int64_t)cap);
    ob__jw_key_int(w, "backlog_drops", (int64_t)c->sim->backlog_drops);
}

/* ------------------------------------------------------------------ ctx: failures */

static int vfail(sim_ctx *c, int retcode, const char *fmt, va_list ap) {
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (!c->message) { /* the first failure is the one that explains */
        c->retcode = retcode;
        c->message = sim_dupstr(buf);
    }
    return SIM_ERR;
}

int sim_fail(sim_ctx *c, int retcode, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(c, retcode, fmt, ap);
    va_end(ap);
    return SIM_ERR;
}

int sim_db_fail(sim_ctx *c) {
    return sim_fail(c, SIM_RC_REFUSED, "simulator database error: %s", sqlite3_errmsg(c->sim->db));
}

int sim_false_success(sim_ctx *c, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (c->sim->strict) return sim_fail(c, SIM_RC_REFUSED, "%s", buf);
    sim_log(c, "warning: QQ would refuse this, NapCat answers ok anyway (use --strict to fail): %s", buf);
    return SIM_OK;
}

/* ------------------------------------------------------------------ ctx: NapCat's schemas */

/* NapCat validates params with TypeBox (OneBotAction.check: Value.Default,
 * Value.Convert, then Check; docs/protocol.md §6). Convert leaves a JSON
 * null alone and Check refuses it for every key declared without Null, so
 * null is not "absent": it is 1400 ("Key: folder, Message: Expected
 * string"). The rows below are where an action's schema says otherwise,
 * read from NapCat's action sources; the getters consult nothing else.
 *   nullable: keys declared Union([..., Null]): null counts as absent.
 *   arrays:   keys declared Type.Array: Convert wraps a scalar into a
 *             one-element array (any other key refuses an array getter's scalar).
 * Lists are space-separated. Control actions (sim_*) are the simulator's
 * own: null is absent there, whatever the key. */
typedef struct sim_schema_row {
    const char *action, *nullable, *arrays;
} sim_schema_row;

static const sim_schema_row sim_schemas[] = {
    {"set_group_add_request", "reason", ""},   /* reason: Optional(Union([String, Null])) */
    {"set_group_kick_members", "", "user_id"}, /* user_id: Array(String) */
};

static bool key_listed(const char *list, const char *key) {
    size_t kl = strlen(key);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, " ");
        if (n == kl && memcmp(p, key, n) == 0) return true;
        p += n;
        while (*p == ' ') p++;
    }
    return false;
}

static const sim_schema_row *schema_row(const sim_ctx *c) {
    for (size_t i = 0; c->action && i < sizeof sim_schemas / sizeof sim_schemas[0]; i++)
        if (strcmp(sim_schemas[i].action, c->action) == 0) return &sim_schemas[i];
    return NULL;
}

static bool sim_schema_nullable(const sim_ctx *c, const char *key) {
    if (!c->action || c->control_action) return true;
    const sim_schema_row *r = schema_row(c);
    return r && key_listed(r->nullable, key);
}

static bool sim_schema_array(const sim_ctx *c, const char *key) {
    const sim_schema_row *r = schema_row(c);
    return (r && key_listed(r->arrays, key)) || !c->action || c->control_action;
}

/* ------------------------------------------------------------------ ctx: params */

/* key's token; -1 when absent (or null where null counts as absent); -2
 * for a null the schema refuses (nothing recorded). */
static int lookup(sim_ctx *c, const char *key) {
    if (c->params < 0) return -1;
    int t = ob__jget(c->doc, c->params, key);
    if (t < 0) return -1;
    if (!ob__jis_null(c->doc, t)) return t;
    return sim_schema_nullable(c, key) ? -1 : -2;
}

/* lookup, recording TypeBox's complaint about a refused null: expected is
 * what the key's type is called there ("string", "union value"...). */
static int param_tok(sim_ctx *c, const char *key, const char *expected) {
    int t = lookup(c, key);
    if (t == -2) sim_fail(c, SIM_RC_BAD_PARAM, "Key: %s, Message: Expected %s", key, expected);
    return t;
}

/* NapCat declares ids String and other numbers Union([Number, String]). */
static const char *int_type(const char *key) {
    return strcmp(key, "group_id") == 0 || strcmp(key, "user_id") == 0 ? "string" : "union value";
}

int sim_param_tok(sim_ctx *c, const char *key) {
    int t = lookup(c, key);
    return t < 0 ? -1 : t;
}
const ob__jdoc *sim_params_doc(sim_ctx *c) { return c->doc; }
bool sim_has(sim_ctx *c, const char *key) { return lookup(c, key) != -1; }

static bool missing(sim_ctx *c, const char *key) {
    sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected required property", key);
    return false;
}

static bool tok_i64(sim_ctx *c, const char *key, int t, int64_t *out) {
    jsmntype_t ty = c->doc->tok[t].type;
    if ((ty != JSMN_PRIMITIVE && ty != JSMN_STRING) || ob__jint(c->doc, t, out) != OB_OK) {
        sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected an integer (number or numeric string)",
                 key);
        return false;
    }
    if (ty == JSMN_PRIMITIVE) {
        char ch = *ob__jstart(c->doc, t);
        if (ch == 't' || ch == 'f') {
            sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected an integer, got a boolean", key);
            return false;
        }
    }
    return true;
}

bool sim_get_i64(sim_ctx *c, const char *key, int64_t *out) {
    int t = param_tok(c, key, int_type(key));
    if (t == -2) return false;
    if (t < 0) return missing(c, key);
    return tok_i64(c, key, t, out);
}

bool sim_opt_i64(sim_ctx *c, const char *key, int64_t def, int64_t *out) {
    int t = param_tok(c, key, int_type(key));
    if (t == -2) return false;
    if (t < 0) {
        *out = def;
        return true;
    }
    return tok_i64(c, key, t, out);
}

bool sim_opt_bool(sim_ctx *c, const char *key, bool def, bool *out) {
    int t = param_tok(c, key, "union value");
    if (t == -2) return false;
    if (t < 0) {
        *out = def;
        return true;
    }
    jsmntype_t ty = c->doc->tok[t].type;
    if ((ty != JSMN_PRIMITIVE && ty != JSMN_STRING) || ob__jbool(c->doc, t, out) != OB_OK) {
        sim_fail(c, SIM_RC_BAD_PARAM,
                 "Schema compilation error: %s: Expected boolean (true/false, \"true\"/\"false\", 1/0)", key);
        return false;
    }
    return true;
}

static bool tok_str(sim_ctx *c, const char *key, int t, size_t max_bytes, const char **out) {
    const ob__jdoc *d = c->doc;
    jsmntype_t ty = d->tok[t].type;
    if (ty == JSMN_PRIMITIVE) {
        char ch = *ob__jstart(d, t);
        if (ch == 't' || ch == 'f' || ch == 'n') {
            sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected string", key);
            return false;
        }
        /* A number: TypeBox's Value.Parse turns it into its decimal text. */
        size_t n = ob__jlen(d, t);
        char *s = sim_ctx_alloc(c, n + 1);
        if (!s) {
            sim_fail(c, SIM_RC_REFUSED, "out of memory");
            return false;
        }
        memcpy(s, ob__jstart(d, t), n);
        s[n] = '\0';
        *out = s;
        return true;
    }
    if (ty != JSMN_STRING) {
        sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected string", key);
        return false;
    }
    if (ob__jlen(d, t) > max_bytes * 6 + 16) { /* cheap early refusal before unescaping huge text */
        sim_fail(c, SIM_RC_BAD_PARAM, "%s is too long (at most %zu bytes)", key, max_bytes);
        return false;
    }
    char *s = sim_ctx_alloc(c, ob__jlen(d, t) + 1);
    if (!s) {
        sim_fail(c, SIM_RC_REFUSED, "out of memory");
        return false;
    }
    long n = ob__junescape(d, t, s);
    if (n < 0) {
        sim_fail(c, SIM_RC_BAD_PARAM, "%s: bad escape in string", key);
        return false;
    }
    if ((size_t)n != strlen(s)) {
        sim_fail(c, SIM_RC_BAD_PARAM, "%s must not contain NUL characters", key);
        return false;
    }
    if ((size_t)n > max_bytes) {
        sim_fail(c, SIM_RC_BAD_PARAM, "%s is too long (%ld bytes, at most %zu)", key, n, max_bytes);
        return false;
    }
    *out = s;
    return true;
}

bool sim_tok_str(sim_ctx *c, const char *key, int t, size_t max_bytes, const char **out) {
    return tok_str(c, key, t, max_bytes, out);
}

bool sim_get_str(sim_ctx *c, const char *key, size_t max_bytes, const char **out) {
    int t = param_tok(c, key, "string");
    if (t == -2) return false;
    if (t < 0) return missing(c, key);
    return tok_str(c, key, t, max_bytes, out);
}

bool sim_opt_str(sim_ctx *c, const char *key, const char *def, size_t max_bytes, const char **out) {
    int t = param_tok(c, key, "string");
    if (t == -2) return false;
    if (t < 0) {
        *out = def;
        return true;
    }
    return tok_str(c, key, t, max_bytes, out);
}

bool sim_get_i64_list(sim_ctx *c, const char *key, size_t max, int64_t **items, size_t *n) {
    int t = param_tok(c, key, "array");
    if (t == -2) return false;
    if (t < 0) return missing(c, key);
    const ob__jdoc *d = c->doc;
    if (d->tok[t].type != JSMN_ARRAY) {
        /* TypeBox's Value.Convert wraps a scalar where an array is declared. */
        if (!sim_schema_array(c, key))
            return sim_fail(c, SIM_RC_BAD_PARAM, "Key: %s, Message: Expected array", key), false;
        int64_t *one = sim_ctx_alloc(c, sizeof *one);
        if (!one) {
            sim_fail(c, SIM_RC_REFUSED, "out of memory");
            return false;
        }
        if (!tok_i64(c, key, t, one)) return false;
        *items = one;
        *n = 1;
        return true;
    }
    size_t count = (size_t)d->tok[t].size;
    if (count > max) {
        sim_fail(c, SIM_RC_BAD_PARAM, "%s has too many items (%zu, at most %zu)", key, count, max);
        return false;
    }
    int64_t *arr = sim_ctx_alloc(c, (count ? count : 1) * sizeof *arr);
    if (!arr) {
        sim_fail(c, SIM_RC_REFUSED, "out of memory");
        return false;
    }
    int e = t + 1;
    for (size_t i = 0; i < count; i++) {
        if (d->tok[e].type == JSMN_ARRAY || d->tok[e].type == JSMN_OBJECT || !tok_i64(c, key, e, &arr[i])) {
            if (!c->message)
                sim_fail(c, SIM_RC_BAD_PARAM, "Schema compilation error: %s: Expected an array of integers", key);
            return false;
        }
        e = ob__jskip(d, e);
    }
    *items = arr;
    *n = count;
    return true;
}

/* ------------------------------------------------------------------ ctx: results, events */

ob__jw *sim_data(sim_ctx *c) {
    c->data_set = true;
    return &c->data;
}

void sim_data_int(sim_ctx *c, const char *key, int64_t value) {
    ob__jw *w = sim_data(c);
    ob__jw_obj(w);
    ob__jw_key_int(w, key, value);
    ob__jw_obj_end(w);
}

void sim_data_absent(sim_ctx *c) { c->data_absent = true; }

void sim_key_empty_array(ob__jw *w, const char *key) {
    ob__jw_key(w, key);
    ob__jw_arr(w);
    ob__jw_arr_end(w);
}

ob__jw *sim_event_begin(sim_ctx *c, const char *post_type, const char *detail, const char *sub_type) {
    ob__jw *w = &c->ev;
    memset(w, 0, sizeof *w);
    c->ev_open = true;
    const char *detail_key = "notice_type";
    if (strcmp(post_type, "request") == 0) detail_key = "request_type";
    else if (strcmp(post_type, "message") == 0 || strcmp(post_type, "message_sent") == 0) detail_key = "message_type";
    else if (strcmp(post_type, "meta_event") == 0) detail_key = "meta_event_type";
    ob__jw_obj(w);
    ob__jw_key(w, "time");
    ob__jw_int(w, sim_now(c));
    ob__jw_key(w, "self_id");
    ob__jw_int(w, sim_self_id(c));
    ob__jw_key(w, "post_type");
    ob__jw_str(w, post_type);
    ob__jw_key(w, detail_key);
    ob__jw_str(w, detail);
    if (sub_type) {
        ob__jw_key(w, "sub_type");
        ob__jw_str(w, sub_type);
    }
    return w;
}

void sim_event_end(sim_ctx *c) {
    if (!c->ev_open) return;
    c->ev_open = false;
    ob__jw_obj_end(&c->ev);
    if (c->ev.depth != 0) {
        sim_log(c, "simulator bug: an unbalanced event was dropped");
        ob__buf_free(&c->ev.b);
        return;
    }
    char *text = ob__buf_take(&c->ev.b);
    if (!text) return;
    if (c->nevents == c->events_cap) {
        size_t cap = c->events_cap ? c->events_cap * 2 : 8;
        char **e = realloc(c->events, cap * sizeof *e);
        if (!e) {
            free(text);
            return;
        }
        c->events = e;
        c->events_cap = cap;
    }
    c->events[c->nevents++] = text;
}

ob__jw *sim_group_notice_begin(sim_ctx *c, const char *notice_type, const char *sub_type, int64_t group_id,
                               int64_t user_id) {
    ob__jw *w = sim_event_begin(c, "notice", notice_type, sub_type);
    ob__jw_key_int(w, "group_id", group_id);
    ob__jw_key_int(w, "user_id", user_id);
    return w;
}

void sim_emit_member_change(sim_ctx *c, const char *notice_type, const char *sub_type, int64_t group_id,
                            int64_t user_id, int64_t operator_id) {
    ob__jw *w = sim_group_notice_begin(c, notice_type, sub_type, group_id, user_id);
    ob__jw_key_int(w, "operator_id", operator_id);
    sim_event_end(c);
}

void sim_emit_ban(sim_ctx *c, int64_t group_id, int64_t user_id, int64_t operator_id, int64_t duration) {
    ob__jw *w = sim_group_notice_begin(c, "group_ban", duration != 0 ? "ban" : "lift_ban", group_id, user_id);
    ob__jw_key_int(w, "operator_id", operator_id);
    ob__jw_key_int(w, "duration", duration);
    sim_event_end(c);
}

void sim_emit_admin(sim_ctx *c, int64_t group_id, int64_t user_id, bool set) {
    /* NapCat's group_admin notice carries no operator_id. */
    sim_group_notice_begin(c, "group_admin", set ? "set" : "unset", group_id, user_id);
    sim_event_end(c);
}

void sim_ctx_release(sim_ctx *c) {
    for (size_t i = 0; i < c->narena; i++) free(c->arena[i]);
    free(c->arena);
    for (size_t i = 0; i < c->nevents; i++) free(c->events[i]);
    free(c->events);
    free(c->message);
    ob__buf_free(&c->data.b);
    ob__buf_free(&c->ev.b);
}
