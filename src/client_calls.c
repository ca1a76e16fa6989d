/* Calls: request frames, the pending table keyed by echo, per-call
 * deadlines, reply decoding, and the blocking ob_call built on
 * ob_call_async + ob__client_wait. */
#include "client_core.h"
#include "json.h"
#include "net.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* See the end of ob_call_async. */
#define SEND_AT_ONCE_CALLS 64
#define SEND_BATCH_BYTES 32768

static void drop_action(ob__call *p) {
    if (p->owns_action) free((char *)p->action);
}

/* Runs the callback of a call that got no reply (timeout, closed). */
static void finish_without_reply(ob_client *c, ob__call *p, int code, const char *sentence) {
    ob__reply_ext r;
    memset(&r, 0, sizeof r);
    r.pub.code = code;
    r.pub.status = "";
    r.pub.message = sentence;
    r.pub.wording = sentence;
    r.pub.data_json = "null";
    r.pub.data_len = 4;
    r.magic = OB_REPLY_MAGIC;
    r.doc = NULL;
    r.data_tok = -1;
    if (p->cb) p->cb(c, &r.pub, p->userdata);
    drop_action(p);
}

void ob__calls_fail_all(ob_client *c, int code, const char *sentence) {
    /* Only the calls pending now (ids up to last_id): a callback may
     * reconnect and start new calls, which belong to the new connection and
     * must not fail here. New calls' deadlines are the latest (now + the one
     * timeout), so they queue behind every older call. */
    uint64_t newest = c->last_id;
    ob__call p;
    const ob__call *first;
    while ((first = ob__echo_table_first(&c->pending)) && first->id <= newest &&
           ob__echo_table_take(&c->pending, first->id, &p))
        finish_without_reply(c, &p, code, sentence);
}

void ob__calls_expire(ob_client *c) {
    const ob__call *first = ob__echo_table_first(&c->pending);
    if (!first) return;
    long long now = ob__now_ms();
    ob__call p;
    for (; first && first->deadline <= now && ob__echo_table_take(&c->pending, first->id, &p);
         first = ob__echo_table_first(&c->pending)) {
        char sentence[160];
        snprintf(sentence, sizeof sentence, "no reply to %s within %d ms", p.action, c->opt.timeout_ms);
        finish_without_reply(c, &p, OB_ETIMEOUT, sentence);
    }
}

/* ----------------------------------------------------------------- replies */

/* Our echoes are JSON strings "ob-<n>"; anything else is not ours. */
static bool parse_echo(const ob__jdoc *d, int tok, uint64_t *id) {
    if (d->tok[tok].type != JSMN_STRING) return false;
    const char *s = ob__jstart(d, tok);
    size_t n = ob__jlen(d, tok);
    if (n < 4 || n > 23 || memcmp(s, "ob-", 3) != 0) return false;
    uint64_t v = 0;
    for (size_t i = 3; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *id = v;
    return v != 0;
}

/* Unescapes string token tok into dst (room for its raw length + 1); a
 * missing or non-string token gives "". Returns the bytes used incl. NUL. */
static size_t put_string(const ob__jdoc *d, int tok, char *dst) {
    if (tok >= 0 && d->tok[tok].type == JSMN_STRING) {
        long n = ob__junescape(d, tok, dst);
        if (n >= 0) return (size_t)n + 1;
    }
    dst[0] = '\0';
    return 1;
}

static size_t room_for(const ob__jdoc *d, int tok) {
    return (tok >= 0 && d->tok[tok].type == JSMN_STRING) ? ob__jlen(d, tok) + 1 : 1;
}

static void deliver_reply(ob_client *c, ob__call *p, const ob__jdoc *d) {
    static const char *const keys[] = {"status", "retcode", "message", "wording", "data"};
    int t[5];
    ob__jget_many(d, 0, keys, t, 5);
    int t_status = t[0], t_retcode = t[1], t_message = t[2], t_wording = t[3], t_data = t[4];

    /* NapCat drops the data key when an action returns nothing (docs/protocol.md §1.4). */
    const char *data = "null";
    size_t data_len = 4;
    if (t_data >= 0) {
        /* Strings keep their quotes: data_json is JSON text. */
        const jsmntok_t *dt = &d->tok[t_data];
        if (dt->type == JSMN_STRING) {
            data = d->js + dt->start - 1;
            data_len = (size_t)(dt->end - dt->start) + 2;
        } else {
            data = d->js + dt->start;
            data_len = (size_t)(dt->end - dt->start);
        }
    }

    size_t need = room_for(d, t_status) + room_for(d, t_message) + room_for(d, t_wording) + data_len + 1;
    /* Small replies (most of them) need no allocation: the strings only
       live until the callback returns. */
    char local[512];
    char *strings = need <= sizeof local ? local : malloc(need);
    if (!strings) {
        finish_without_reply(c, p, OB_ENOMEM, "out of memory while decoding the reply");
        return;
    }
    char *status = strings;
    char *message = status + put_string(d, t_status, status);
    char *wording = message + put_string(d, t_message, message);
    char *data_copy = wording + put_string(d, t_wording, wording);
    memcpy(data_copy, data, data_len);
    data_copy[data_len] = '\0';
    /* Either of message/wording stands in for the other when one is missing. */
    const char *msg = message[0] ? message : wording;
    const char *wrd = wording[0] ? wording : message;

    int64_t retcode = 0;
    bool have_retcode = t_retcode >= 0 && ob__jint(d, t_retcode, &retcode) == OB_OK;
    bool have_status = t_status >= 0 && d->tok[t_status].type == JSMN_STRING;
    int code;
    char sentence[200];
    if (have_status && strcmp(status, "ok") == 0) code = OB_OK;
    else if (!have_status && have_retcode && retcode == 0)
        code = OB_OK; /* docs/protocol.md §1.5: retcode 0 alone also means success */
    else if (!have_status && !have_retcode) {
        code = OB_EPROTO;
        snprintf(sentence, sizeof sentence, "the reply to %s has neither status nor retcode", p->action);
        msg = wrd = sentence;
    } else if (retcode == 1403) code = OB_EAUTH;
    else code = OB_EACTION;

    ob__reply_ext r;
    memset(&r, 0, sizeof r);
    r.pub.code = code;
    r.pub.status = status;
    r.pub.retcode = (retcode >= INT_MIN && retcode <= INT_MAX) ? (int)retcode : -1;
    r.pub.message = msg;
    r.pub.wording = wrd;
    r.pub.data_json = data_copy;
    r.pub.data_len = data_len;
    r.magic = OB_REPLY_MAGIC;
    r.pub.ob_internal = &r.pub;
    r.doc = d;
    r.data_tok = t_data;
    if (p->cb) p->cb(c, &r.pub, p->userdata);
    if (strings != local) free(strings);
    drop_action(p);
}

bool ob__calls_take_reply(ob_client *c, const ob__jdoc *d, int t_echo) {
    uint64_t id;
    if (t_echo < 0 || !parse_echo(d, t_echo, &id)) return false;
    ob__call p;
    if (ob__echo_table_take(&c->pending, id, &p))
        deliver_reply(c, &p, d); /* else: a late reply after its timeout, dropped */
    return true;
}

void ob__calls_answer(ob_client *c, uint64_t id, const ob__jdoc *d) {
    ob__call p;
    if (ob__echo_table_take(&c->pending, id, &p)) deliver_reply(c, &p, d); /* else late, dropped */
}

void ob__calls_end(ob_client *c, uint64_t id, int code, const char *why, bool about_reply) {
    ob__call p;
    if (!ob__echo_table_take(&c->pending, id, &p)) return;
    if (!about_reply) {
        finish_without_reply(c, &p, code, why);
        return;
    }
    char sentence[240];
    snprintf(sentence, sizeof sentence, "the reply to %s %s", p.action, why);
    finish_without_reply(c, &p, code, sentence);
}

bool ob__calls_fail_reply(ob_client *c, const ob__jdoc *d, int t_echo, int code, const char *why) {
    uint64_t id;
    if (t_echo < 0 || !parse_echo(d, t_echo, &id)) return false;
    ob__calls_end(c, id, code, why, true);
    return true;
}

/* ------------------------------------------------------------------ sending */

static int check_params(ob_client *c, const char *action, const char *params_json) {
    if (!action || !action[0])
        return ob__client_fail(c, OB_EINVAL, 0, action ? action : "", "the action name is empty");
    if (!params_json) return OB_OK;
    ob__jdoc d = ob__client_take_doc(c);
    int rc = ob__jdoc_parse(&d, params_json, strlen(params_json));
    bool object = rc == OB_OK && d.ntok > 0 && d.tok[0].type == JSMN_OBJECT, too_deep = d.too_deep;
    ob__client_give_doc(c, &d);
    if (rc == OB_ENOMEM)
        return ob__client_fail(c, OB_ENOMEM, 0, action, "out of memory while checking the params of %s", action);
    if (too_deep) /* valid JSON for NapCat, but the library reads no deeper */
        return ob__client_fail(c, OB_EINVAL, 0, action, "the params of %s are nested deeper than %d levels", action,
                               OB_JSON_MAX_DEPTH);
    if (!object) return ob__client_fail(c, OB_EINVAL, 0, action, "the params of %s are not a JSON object", action);
    return OB_OK;
}

/* "ob-<id>" without printf (this runs once per call). */
static void format_echo(char out[32], uint64_t id) {
    char digits[21];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + id % 10);
        id /= 10;
    } while (id);
    memcpy(out, "ob-", 3);
    for (size_t i = 0; i < n; i++) out[3 + i] = digits[n - 1 - i];
    out[3 + n] = '\0';
}

/* The caller's params text, already checked to be a JSON object. */
static int write_raw_params(ob__jw *w, void *params_json) {
    if (params_json) ob__jw_raw(w, params_json, strlen(params_json));
    else ob__jw_raw(w, "{}", 2);
    return OB_OK;
}

static int send_call(ob_client *c, const char *action, bool copy_action, ob__params_writer write, void *wud,
                     ob_reply_cb cb, void *userdata);

int ob_call_async(ob_client *c, const char *action, const char *params_json, ob_reply_cb cb, void *userdata) {
    if (!c) return OB_EINVAL;
    int rc = check_params(c, action, params_json);
    if (rc != OB_OK) return rc;
    /* The caller's name may not outlive this call: the pending call keeps a copy. */
    return send_call(c, action, true, write_raw_params, (void *)params_json, cb, userdata);
}

int ob__call_async_write(ob_client *c, const char *action, ob__params_writer write, void *wud, ob_reply_cb cb,
                         void *userdata) {
    return send_call(c, action, false, write, wud, cb, userdata);
}

static int send_call(ob_client *c, const char *action, bool copy_action, ob__params_writer write, void *wud,
                     ob_reply_cb cb, void *userdata) {
    if (!c) return OB_EINVAL;
    if (!action || !action[0])
        return ob__client_fail(c, OB_EINVAL, 0, action ? action : "", "the action name is empty");
    /* The params first: a bad argument is OB_EINVAL whether or not we are
       connected. */
    ob__jw w = {0};
    ob__jw_obj(&w);
    ob__jw_key(&w, "action");
    ob__jw_str(&w, action);
    ob__jw_key(&w, "params");
    size_t params_at = w.b.len;
    int rc = write(&w, wud);
    if (rc != OB_OK) {
        ob__buf_free(&w.b);
        return rc;
    }
    size_t params_len = w.b.len - params_at;
    if (c->freeing || (!c->tr && !c->rw)) {
        ob__buf_free(&w.b);
        return ob__client_fail_unconnected(c, action);
    }
    uint64_t id = ++c->last_id;
    char echo[32];
    format_echo(echo, id);
    ob__jw_key(&w, "echo");
    ob__jw_str(&w, echo);
    ob__jw_obj_end(&w);
    size_t len = w.b.len;
    char *text = ob__buf_take(&w.b);
    char *name = copy_action && text ? strdup(action) : NULL;
    ob__call *p =
        text && (name || !copy_action) ? ob__echo_table_add(&c->pending, id, ob__now_ms() + c->opt.timeout_ms) : NULL;
    if (!p) {
        free(name);
        free(text);
        return ob__client_fail(c, OB_ENOMEM, 0, action, "out of memory while sending %s", action);
    }
    p->cb = cb;
    p->userdata = userdata;
    p->action = copy_action ? name : action;
    p->owns_action = copy_action;
    if (c->rw) { /* redis://: an XADD to the actions stream (client_redis.c) */
        rc = ob__rworker_send(c, id, text, len);
        free(text);
        if (rc == OB_OK) return OB_OK;
        ob__call gone;
        if (ob__echo_table_take(&c->pending, id, &gone)) drop_action(&gone);
        return ob__client_fail(c, rc, 0, action, "could not send %s: not connected to Redis", action);
    }
    ob__request req = {
        .id = id, .action = p->action, .frame = text, .len = len, .params_at = params_at, .params_len = params_len};
    char why[256] = "";
    rc = c->tr->ops->send(c->tr, &req, why, sizeof why);
    free(req.frame); /* NULL once the transport took it */
    if (rc != OB_OK) {
        ob__call gone;
        if (ob__echo_table_take(&c->pending, id, &gone)) drop_action(&gone);
        return ob__client_fail(c, rc, 0, action, "could not %s %s: %s", rc == OB_EIO ? "send" : "queue", action,
                               why[0] ? why : ob_strerror(rc));
    }
    /* With few calls in flight each goes out at once. A burst is left for
       the poll loop, which flushes before it waits, so hundreds of calls
       leave in a few writes; a long one is started early so the server
       works while more are queued. Failures surface through poll as a
       closed connection. */
    c->unflushed += len;
    if ((!c->corked && c->pending.count <= SEND_AT_ONCE_CALLS) || c->unflushed >= SEND_BATCH_BYTES) {
        /* Counted here, not asked of wslay: its count missed the frames
           handed over with ob__ws_send_owned, so a burst used to wait whole
           in the client (about 400 bytes a call) for the next ob_poll. */
        c->unflushed = 0;
        (void)c->tr->ops->flush(c->tr);
    }
    return OB_OK;
}

typedef struct sync_call {
    bool done;
    int code;
    ob_reply *reply; /* copy, when a reply frame arrived */
    char *sentence;  /* why, when none did */
} sync_call;

/* One block: the ob__reply_ext and all its strings (freed by ob_free). */
static ob_reply *copy_reply(const ob_reply *r) {
    size_t ls = strlen(r->status) + 1, lm = strlen(r->message) + 1, lw = strlen(r->wording) + 1;
    ob__reply_ext *x = malloc(sizeof *x + ls + lm + lw + r->data_len + 1);
    if (!x) return NULL;
    memset(x, 0, sizeof *x);
    char *s = (char *)(x + 1);
    memcpy(s, r->status, ls);
    memcpy(s + ls, r->message, lm);
    memcpy(s + ls + lm, r->wording, lw);
    char *data = s + ls + lm + lw;
    memcpy(data, r->data_json, r->data_len);
    data[r->data_len] = '\0';
    x->pub = *r;
    x->pub.status = s;
    x->pub.message = s + ls;
    x->pub.wording = s + ls + lm;
    x->pub.data_json = data;
    x->magic = OB_REPLY_MAGIC;
    x->pub.ob_internal = NULL;
    x->doc = NULL;
    x->data_tok = -1;
    return &x->pub;
}

static void on_sync_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    sync_call *s = ud;
    s->done = true;
    s->code = r->code;
    /* A reply frame arrived (its tokens come along), even one without a
       usable status, such as {"retcode":0,"data":...}. */
    if (ob__reply_ext_of(r)) {
        s->reply = copy_reply(r);
        if (!s->reply) s->code = OB_ENOMEM;
    } else {
        s->sentence = strdup(r->message ? r->message : "");
    }
}

int ob_call(ob_client *c, const char *action, const char *params_json, ob_reply **out) {
    if (out) *out = NULL;
    if (!c) return OB_EINVAL;
    sync_call s = {.done = false, .code = OB_OK, .reply = NULL, .sentence = NULL};
    int rc = ob_call_async(c, action, params_json, on_sync_reply, &s);
    if (rc != OB_OK) return rc;
    ob__client_hold(c); /* c outlives an ob_client_free made by a callback meanwhile */
    rc = ob__client_wait(c, &s.done);
    if (!s.done) s.code = rc != OB_OK ? rc : OB_ECLOSED;
    /* Recorded after the wait: other callbacks that ran meanwhile must not
     * overwrite this call's outcome. */
    if (s.code == OB_OK) ob__client_ok(c);
    else if (s.reply) ob__client_fail_reply(c, s.reply, action);
    else ob__client_fail(c, s.code, 0, action, "%s", s.sentence ? s.sentence : ob_strerror(s.code));
    free(s.sentence);
    if (out) *out = s.reply;
    else ob_free(s.reply);
    ob__client_release(c);
    return s.code;
}
