/* The client: connection state, calls matched by echo, per-call deadlines,
 * the event queue, reconnect with backoff, and the poll-loop integration.
 *
 * Frames are never handled inside wslay's callbacks: on_message only copies
 * the frame into an inbound queue, and the queue is drained after ob_ws_io
 * returns. User callbacks may therefore make blocking calls (which run the
 * I/O again) without re-entering wslay.
 *
 * A frame that is not a JSON object, or an object that is neither an event
 * (post_type) nor a reply to one of our calls (echo "ob-<n>"), is ignored and
 * the connection is kept: one bad frame from a lenient JSON5 server must not
 * fail every call in flight. A reply to one of our calls that lacks a usable
 * status/retcode fails that call alone with OB_EPROTO. */
#include "client_internal.h"
#include "codec.h"
#include "echo_table.h"
#include "net.h"
#include "ws.h"

#include <onebot/event.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_URL "ws://127.0.0.1:3001"
#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_MAX_MESSAGE ((size_t)64 << 20)
#define DEFAULT_RECONNECT_INITIAL_MS 500
#define DEFAULT_RECONNECT_MAX_MS 30000
/* How long ob_connect listens for NapCat's 1403 refusal after the handshake:
 * the refusal is written in the same tick as the 101, so a few round trips
 * suffice; /api paths send nothing at all, so never wait long. */
#define AUTH_PROBE_MIN_MS 50
#define AUTH_PROBE_MAX_MS 200
#define CLOSE_FLUSH_MS 100
/* A connection whose heartbeats stop (a silent drop: no FIN, no RST) is
 * declared lost after two missed intervals plus this grace. */
#define HEARTBEAT_GRACE_MS 1000

#define AUTH_REFUSED_SENTENCE "the server refused the access token (retcode 1403)"

enum conn_state {
    CONN_NEVER,      /* ob_connect not called or failed */
    CONN_UP,
    CONN_RETRY,      /* lost; reconnect scheduled at reconnect_at */
    CONN_DOWN        /* lost for good (no reconnect, or the token was refused) */
};

typedef struct ob_pending {
    uint64_t id;
    long long deadline;
    ob_reply_cb cb;
    void *userdata;
    struct ob_pending *prev, *next;   /* ordered by deadline */
    char action[];
} ob_pending;

typedef struct ob_frame {
    struct ob_frame *next;
    size_t len;
    char text[];
} ob_frame;

typedef struct ob_queued_event {
    struct ob_queued_event *next;
    ob_event *ev;
} ob_queued_event;

struct ob_client {
    ob_options opt;              /* defaults filled in; strings are the copies below */
    char *url, *token, *ca_file;
    bool server_is_local;

    ob_ws *ws;
    enum conn_state state;
    unsigned gen;                /* bumped per connection, so stale I/O results are ignored */
    bool ws_closed;              /* set by on_close of the current ws */
    bool ever_connected;
    bool auth_refused;           /* a 1403 refusal arrived on the current connection */
    long long last_rx_ms;        /* when the current connection last delivered a frame */
    int heartbeat_ms;            /* the server's heartbeat interval, 0 until one arrives */

    uint64_t last_id;
    ob_echo_table pending;
    ob_pending *first, *last;    /* deadline order: first expires first */

    ob_frame *in_head, *in_tail;
    ob_event_cb event_cb;
    void *event_ud;
    ob_queued_event *ev_head, *ev_tail;
    int wait_depth;              /* > 0 while a blocking call waits: events are queued */
    volatile sig_atomic_t stop;  /* ob_stop may come from a signal handler */
    bool freeing;
    int64_t self_id;             /* from the server's events, for synthetic ones */

    long long reconnect_at;
    int backoff_ms;
    uint64_t rng;

    ob_jdoc spare_doc;           /* token array reused by the outermost frame */

    ob_error err;
    char *last_message, *last_wording, *last_action;
};

static const ob_error no_client_error = {
    OB_EINVAL, 0, "no client (NULL)", "no client (NULL)", ""
};

/* ---------------------------------------------------------------- errors */

static char *dup_str(const char *s) {
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void set_last(ob_client *c, int code, int retcode, const char *action,
                     const char *message, const char *wording) {
    /* Copy first: the arguments may point at the current record. */
    char *m = dup_str(message), *w = dup_str(wording), *a = dup_str(action);
    free(c->last_message);
    free(c->last_wording);
    free(c->last_action);
    c->last_message = m;
    c->last_wording = w;
    c->last_action = a;
    c->err.code = code;
    c->err.retcode = retcode;
    c->err.message = m ? m : "out of memory";
    c->err.wording = w ? w : "out of memory";
    c->err.action = a ? a : "";
}

int ob_client_fail(ob_client *c, int code, int retcode, const char *action, const char *fmt, ...) {
    if (!c)
        return code;
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    char *msg = small, *big = NULL;
    if (n >= (int)sizeof small) {
        big = malloc((size_t)n + 1);
        if (big) {
            va_start(ap, fmt);
            vsnprintf(big, (size_t)n + 1, fmt, ap);
            va_end(ap);
            msg = big;
        }
    } else if (n < 0) {
        msg = "(unformattable error message)";
    }
    set_last(c, code, retcode, action, msg, msg);
    free(big);
    return code;
}

int ob_client_fail_reply(ob_client *c, const ob_reply *r, const char *action) {
    if (!c || !r)
        return OB_EINVAL;
    int code = r->code != OB_OK ? r->code : OB_EACTION;
    const char *message = r->message && r->message[0] ? r->message : r->wording;
    const char *wording = r->wording && r->wording[0] ? r->wording : r->message;
    if (!message || !message[0]) {
        return ob_client_fail(c, code, r->retcode, action,
                              "the server answered status \"%s\" with retcode %d and no message",
                              r->status ? r->status : "", r->retcode);
    }
    set_last(c, code, r->retcode, action, message, wording);
    return code;
}

void ob_client_ok(ob_client *c) {
    if (c && c->err.code != OB_OK)
        set_last(c, OB_OK, 0, "", "", "");
}

const ob_error *ob_last_error(const ob_client *c) {
    return c ? &c->err : &no_client_error;
}

/* --------------------------------------------------------------- options */

ob_client *ob_client_new(const ob_options *opt) {
    ob_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (opt)
        c->opt = *opt;
    c->url = dup_str(c->opt.url && c->opt.url[0] ? c->opt.url : DEFAULT_URL);
    c->token = dup_str(c->opt.access_token);
    c->ca_file = c->opt.tls_ca_file ? dup_str(c->opt.tls_ca_file) : NULL;
    if (!c->url || !c->token || (c->opt.tls_ca_file && !c->ca_file)) {
        free(c->url);
        free(c->token);
        free(c->ca_file);
        free(c);
        return NULL;
    }
    c->opt.url = c->url;
    c->opt.access_token = c->token;
    c->opt.tls_ca_file = c->ca_file;
    if (c->opt.timeout_ms <= 0)
        c->opt.timeout_ms = DEFAULT_TIMEOUT_MS;
    if (c->opt.connect_timeout_ms <= 0)
        c->opt.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    if (c->opt.max_message_size == 0)
        c->opt.max_message_size = DEFAULT_MAX_MESSAGE;
    if (c->opt.reconnect_initial_ms <= 0)
        c->opt.reconnect_initial_ms = DEFAULT_RECONNECT_INITIAL_MS;
    if (c->opt.reconnect_max_ms <= 0)
        c->opt.reconnect_max_ms = DEFAULT_RECONNECT_MAX_MS;
    if (c->opt.reconnect_max_ms < c->opt.reconnect_initial_ms)
        c->opt.reconnect_max_ms = c->opt.reconnect_initial_ms;

    ob_url u;
    char err[128];
    c->server_is_local = ob_url_parse(c->url, &u, err, sizeof err) == OB_OK && ob_host_is_local(u.host);

    c->backoff_ms = c->opt.reconnect_initial_ms;
    c->rng = (uint64_t)ob_now_ms() ^ (uint64_t)(uintptr_t)c ^ 0x9e3779b97f4a7c15ULL;
    c->err.code = OB_OK;
    c->err.message = c->err.wording = c->err.action = "";
    return c;
}

const ob_options *ob_client_options(const ob_client *c) { return c ? &c->opt : NULL; }

bool ob_client_server_is_local(const ob_client *c) { return c && c->server_is_local; }

/* ---------------------------------------------------------------- events */

void ob_on_event(ob_client *c, ob_event_cb cb, void *userdata) {
    if (!c)
        return;
    c->event_cb = cb;
    c->event_ud = userdata;
}

static void queue_event(ob_client *c, ob_event *ev) {
    ob_queued_event *q = malloc(sizeof *q);
    if (!q) {
        ob_free(ev);
        return;
    }
    q->next = NULL;
    q->ev = ev;
    if (c->ev_tail)
        c->ev_tail->next = q;
    else
        c->ev_head = q;
    c->ev_tail = q;
}

static ob_jdoc take_doc(ob_client *c) {
    ob_jdoc d = c->spare_doc;
    memset(&c->spare_doc, 0, sizeof c->spare_doc);
    return d;
}

static void give_doc(ob_client *c, ob_jdoc *d) {
    if (!c->spare_doc.tok)
        c->spare_doc = *d;
    else
        ob_jdoc_free(d);
}

static void handle_event(ob_client *c, const ob_jdoc *d) {
    /* Without a callback nobody would ever take them off the queue. */
    if (!c->event_cb)
        return;
    ob_event *ev = NULL;
    if (ob_event_decode_doc(d, 0, &ev) != OB_OK || !ev)
        return;
    if (ev->self_id)
        c->self_id = ev->self_id;
    queue_event(c, ev);
}

/* The library's own lifecycle events: "disconnect" and "reconnect". */
static void queue_lifecycle(ob_client *c, const char *sub_type) {
    if (!c->event_cb || c->freeing)
        return;
    ob_jw w = {0};
    ob_jw_obj(&w);
    ob_jw_key(&w, "time");
    ob_jw_int(&w, (int64_t)time(NULL));
    ob_jw_key(&w, "self_id");
    ob_jw_int(&w, c->self_id);
    ob_jw_key(&w, "post_type");
    ob_jw_str(&w, "meta_event");
    ob_jw_key(&w, "meta_event_type");
    ob_jw_str(&w, "lifecycle");
    ob_jw_key(&w, "sub_type");
    ob_jw_str(&w, sub_type);
    ob_jw_obj_end(&w);
    size_t len = w.b.len;
    char *json = ob_buf_take(&w.b);
    if (!json)
        return;
    ob_jdoc d = take_doc(c);
    if (ob_jdoc_parse(&d, json, len) == OB_OK) {
        ob_event *ev = NULL;
        if (ob_event_decode_doc(&d, 0, &ev) == OB_OK && ev)
            queue_event(c, ev);
    }
    give_doc(c, &d);
    free(json);
}

static void dispatch_events(ob_client *c) {
    if (c->wait_depth > 0)
        return;
    /* Pop before calling: the callback may poll or make blocking calls,
     * which append to the queue behind us. */
    while (c->ev_head && !c->freeing) {
        ob_queued_event *q = c->ev_head;
        c->ev_head = q->next;
        if (!c->ev_head)
            c->ev_tail = NULL;
        ob_event *ev = q->ev;
        free(q);
        if (c->event_cb)
            c->event_cb(c, ev, c->event_ud);
        ob_free(ev);
    }
}

/* --------------------------------------------------------------- pending */

static void unlink_pending(ob_client *c, ob_pending *p) {
    if (p->prev)
        p->prev->next = p->next;
    else
        c->first = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        c->last = p->prev;
    p->prev = p->next = NULL;
}

static void link_pending(ob_client *c, ob_pending *p) {
    /* Deadlines are now + a fixed timeout, so this walk stops at once; it
     * only matters if the timeout option changes between calls. */
    ob_pending *after = c->last;
    while (after && after->deadline > p->deadline)
        after = after->prev;
    p->prev = after;
    p->next = after ? after->next : c->first;
    if (p->next)
        p->next->prev = p;
    else
        c->last = p;
    if (after)
        after->next = p;
    else
        c->first = p;
}

/* Runs the callback of a call that got no reply (timeout, closed). */
static void finish_without_reply(ob_client *c, ob_pending *p, int code, const char *sentence) {
    ob_reply_ext r;
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
    if (p->cb)
        p->cb(c, &r.pub, p->userdata);
    free(p);
}

static void fail_all_pending(ob_client *c, int code, const char *sentence) {
    while (c->first) {
        ob_pending *p = c->first;
        unlink_pending(c, p);
        ob_echo_table_remove(&c->pending, p->id);
        finish_without_reply(c, p, code, sentence);
    }
}

static void expire_calls(ob_client *c) {
    if (!c->first)
        return;
    long long now = ob_now_ms();
    while (c->first && c->first->deadline <= now) {
        ob_pending *p = c->first;
        unlink_pending(c, p);
        ob_echo_table_remove(&c->pending, p->id);
        char sentence[160];
        snprintf(sentence, sizeof sentence, "no reply to %s within %d ms", p->action, c->opt.timeout_ms);
        finish_without_reply(c, p, OB_ETIMEOUT, sentence);
    }
}

/* ----------------------------------------------------------------- replies */

/* Our echoes are JSON strings "ob-<n>"; anything else is not ours. */
static bool parse_echo(const ob_jdoc *d, int tok, uint64_t *id) {
    if (d->tok[tok].type != JSMN_STRING)
        return false;
    const char *s = ob_jstart(d, tok);
    size_t n = ob_jlen(d, tok);
    if (n < 4 || n > 23 || memcmp(s, "ob-", 3) != 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 3; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *id = v;
    return v != 0;
}

/* Unescapes string token tok into dst (room for its raw length + 1); a
 * missing or non-string token gives "". Returns the bytes used incl. NUL. */
static size_t put_string(const ob_jdoc *d, int tok, char *dst) {
    if (tok >= 0 && d->tok[tok].type == JSMN_STRING) {
        long n = ob_junescape(d, tok, dst);
        if (n >= 0)
            return (size_t)n + 1;
    }
    dst[0] = '\0';
    return 1;
}

static size_t room_for(const ob_jdoc *d, int tok) {
    return (tok >= 0 && d->tok[tok].type == JSMN_STRING) ? ob_jlen(d, tok) + 1 : 1;
}

static void deliver_reply(ob_client *c, ob_pending *p, const ob_jdoc *d) {
    int t_status = ob_jget(d, 0, "status");
    int t_retcode = ob_jget(d, 0, "retcode");
    int t_message = ob_jget(d, 0, "message");
    int t_wording = ob_jget(d, 0, "wording");
    int t_data = ob_jget(d, 0, "data");

    /* NapCat drops the data key when an action returns nothing (PROTOCOL.md §1.4). */
    const char *data = "null";
    size_t data_len = 4;
    if (t_data >= 0) {
        /* Strings keep their quotes: data_json is JSON text. */
        const jsmntok_t *t = &d->tok[t_data];
        if (t->type == JSMN_STRING) {
            data = d->js + t->start - 1;
            data_len = (size_t)(t->end - t->start) + 2;
        } else {
            data = d->js + t->start;
            data_len = (size_t)(t->end - t->start);
        }
    }

    size_t need = room_for(d, t_status) + room_for(d, t_message) + room_for(d, t_wording) + data_len + 1;
    char *strings = malloc(need);
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
    bool have_retcode = t_retcode >= 0 && ob_jint(d, t_retcode, &retcode) == OB_OK;
    bool have_status = t_status >= 0 && d->tok[t_status].type == JSMN_STRING;
    int code;
    char sentence[200];
    if (have_status && strcmp(status, "ok") == 0)
        code = OB_OK;
    else if (!have_status && have_retcode && retcode == 0)
        code = OB_OK;   /* PROTOCOL.md §1.5: retcode 0 alone also means success */
    else if (!have_status && !have_retcode) {
        code = OB_EPROTO;
        snprintf(sentence, sizeof sentence, "the reply to %s has neither status nor retcode", p->action);
        msg = wrd = sentence;
    } else if (retcode == 1403)
        code = OB_EAUTH;
    else
        code = OB_EACTION;

    ob_reply_ext r;
    memset(&r, 0, sizeof r);
    r.pub.code = code;
    r.pub.status = status;
    r.pub.retcode = (retcode >= INT_MIN && retcode <= INT_MAX) ? (int)retcode : -1;
    r.pub.message = msg;
    r.pub.wording = wrd;
    r.pub.data_json = data_copy;
    r.pub.data_len = data_len;
    r.magic = OB_REPLY_MAGIC;
    r.doc = d;
    r.data_tok = t_data;
    if (p->cb)
        p->cb(c, &r.pub, p->userdata);
    free(strings);
    free(p);
}

static bool is_auth_refusal(const ob_jdoc *d) {
    int t = ob_jget(d, 0, "retcode");
    int64_t rc;
    return t >= 0 && ob_jint(d, t, &rc) == OB_OK && rc == 1403 && ob_jget(d, 0, "post_type") < 0;
}

/* Heartbeats tell how often the server speaks; the watchdog uses that. */
static void note_heartbeat(ob_client *c, const ob_jdoc *d) {
    if (!ob_jeq(d, ob_jget(d, 0, "meta_event_type"), "heartbeat"))
        return;
    int t = ob_jget(d, 0, "interval");
    int64_t ms;
    if (t >= 0 && ob_jint(d, t, &ms) == OB_OK && ms > 0 && ms <= 24LL * 3600 * 1000)
        c->heartbeat_ms = (int)ms;
}

static void handle_frame(ob_client *c, ob_frame *f) {
    ob_jdoc d = take_doc(c);
    if (ob_jdoc_parse(&d, f->text, f->len) != OB_OK || d.ntok < 1 || d.tok[0].type != JSMN_OBJECT)
        goto done;   /* ignored: see the comment at the top */
    if (ob_jget(&d, 0, "post_type") >= 0) {
        note_heartbeat(c, &d);
        handle_event(c, &d);
        goto done;
    }
    int t_echo = ob_jget(&d, 0, "echo");
    uint64_t id;
    if (t_echo >= 0 && parse_echo(&d, t_echo, &id)) {
        ob_pending *p = ob_echo_table_remove(&c->pending, id);
        if (p) {   /* else: a late reply after its timeout, dropped */
            unlink_pending(c, p);
            deliver_reply(c, p, &d);
        }
    } else if (is_auth_refusal(&d)) {
        /* NapCat closes right after this frame; pending calls then fail. */
        c->auth_refused = true;
        ob_client_fail(c, OB_EAUTH, 1403, "", AUTH_REFUSED_SENTENCE);
    }
done:
    give_doc(c, &d);
    free(f);
}

static void drain_frames(ob_client *c) {
    while (c->in_head && !c->freeing) {
        ob_frame *f = c->in_head;
        c->in_head = f->next;
        if (!c->in_head)
            c->in_tail = NULL;
        handle_frame(c, f);
    }
}

static void drop_frames(ob_client *c) {
    while (c->in_head) {
        ob_frame *f = c->in_head;
        c->in_head = f->next;
        free(f);
    }
    c->in_tail = NULL;
}

/* --------------------------------------------------------------- ws glue */

static void on_ws_message(ob_ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    (void)ws;
    (void)is_text;   /* NapCat sends text; binary JSON is accepted the same way */
    ob_client *c = ud;
    c->last_rx_ms = ob_now_ms();
    ob_frame *f = malloc(sizeof *f + len + 1);
    if (!f)
        return;
    f->next = NULL;
    f->len = len;
    memcpy(f->text, data, len);
    f->text[len] = '\0';
    if (c->in_tail)
        c->in_tail->next = f;
    else
        c->in_head = f;
    c->in_tail = f;
}

static void on_ws_close(ob_ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    (void)code;
    (void)reason;
    ob_client *c = ud;
    c->ws_closed = true;
}

static int jittered(ob_client *c, int ms) {
    /* xorshift64: per-client state, no global PRNG. Up to -25 %, so many
     * clients dropped together do not come back in lockstep. */
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    int spread = ms / 4;
    return spread > 0 ? ms - (int)(c->rng % (uint64_t)(spread + 1)) : ms;
}

static void connection_lost(ob_client *c, int why) {
    if (!c->ws)
        return;
    ob_ws_free(c->ws);
    c->ws = NULL;
    c->gen++;
    c->ws_closed = false;
    bool refused = c->auth_refused;
    char silent[96];
    snprintf(silent, sizeof silent, "the connection went silent: no heartbeat for %lld ms",
             (long long)ob_now_ms() - c->last_rx_ms);
    const char *sentence = refused ? "the connection was closed: " AUTH_REFUSED_SENTENCE
                           : why == OB_EPROTO ? "the connection was closed after a WebSocket protocol error"
                           : why == OB_ENOMEM ? "the connection was closed: a message exceeded max_message_size"
                           : why == OB_ETIMEOUT ? silent
                                                : "the connection was lost";
    /* State first: the callbacks below may call ob_connect themselves. */
    if (c->opt.reconnect && !refused && !c->freeing) {
        c->state = CONN_RETRY;
        c->reconnect_at = ob_now_ms() + jittered(c, c->backoff_ms);
    } else {
        c->state = CONN_DOWN;
    }
    queue_lifecycle(c, "disconnect");
    ob_client_fail(c, refused ? OB_EAUTH : OB_ECLOSED, refused ? 1403 : 0, "", "%s", sentence);
    fail_all_pending(c, OB_ECLOSED, sentence);
}

static int poll_flags(short revents) {
    int flags = 0;
    if (revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
        flags |= OB_READABLE;
    if (revents & POLLOUT)
        flags |= OB_WRITABLE;
    return flags;
}

/* Milliseconds until the heartbeat watchdog fires, -1 when it is off. */
static long long watchdog_due(const ob_client *c) {
    if (!c->ws || c->heartbeat_ms <= 0)
        return -1;
    long long left = c->last_rx_ms + 2LL * c->heartbeat_ms + HEARTBEAT_GRACE_MS - ob_now_ms();
    return left > 0 ? left : 0;
}

/* The watchdog fired; heartbeats may still sit unread in the socket (the
 * caller did not poll for a while), so read before giving up. */
static void check_silence(ob_client *c) {
    unsigned gen = c->gen;
    int rc = ob_ws_io(c->ws, OB_READABLE);
    drain_frames(c);
    if (c->gen != gen)
        return;
    if (rc != OB_OK || c->ws_closed)
        connection_lost(c, rc);
    else if (watchdog_due(c) == 0)
        connection_lost(c, OB_ETIMEOUT);
}

/* I/O on the current connection, then frames, then deadlines. Reply
 * callbacks run here; events are only queued. */
static void io_step(ob_client *c, int flags) {
    if (c->ws) {
        unsigned gen = c->gen;
        /* TLS may hold decrypted input that poll() cannot see. */
        if (ob_ws_pending(c->ws))
            flags |= OB_READABLE;
        int rc = flags ? ob_ws_io(c->ws, flags) : OB_OK;
        if (rc == OB_OK && c->ws && c->gen == gen && !c->ws_closed)
            rc = ob_ws_flush(c->ws);
        drain_frames(c);
        /* A callback above may have replaced the connection; only the
         * connection the result belongs to may be torn down. */
        if (c->gen == gen && (rc != OB_OK || c->ws_closed))
            connection_lost(c, rc);
        else if (c->gen == gen && watchdog_due(c) == 0)
            check_silence(c);
    } else {
        drain_frames(c);
    }
    expire_calls(c);
}

/* Milliseconds until something is due, -1 for nothing. */
static int next_due_ms(const ob_client *c) {
    if (c->in_head || (c->ev_head && c->wait_depth == 0 && c->event_cb) || (c->ws && ob_ws_pending(c->ws)))
        return 0;
    long long due = -1;
    if (c->first)
        due = c->first->deadline;
    if (!c->ws && c->state == CONN_RETRY && (due < 0 || c->reconnect_at < due))
        due = c->reconnect_at;
    long long quiet = watchdog_due(c);
    if (quiet >= 0 && (due < 0 || ob_now_ms() + quiet < due))
        due = ob_now_ms() + quiet;
    if (due < 0)
        return -1;
    long long left = due - ob_now_ms();
    if (left < 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

static int min_timeout(int a, int b) {
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

/* One poll() on the connection (or a sleep while there is none). */
static void wait_and_io(ob_client *c, int timeout_ms) {
    if (!c->ws) {
        if (timeout_ms > 0)   /* never -1 here: nothing could end the sleep */
            poll(NULL, 0, timeout_ms);
        io_step(c, 0);
        return;
    }
    struct pollfd pfd = {.fd = ob_ws_fd(c->ws), .events = POLLIN, .revents = 0};
    if (ob_ws_wants_write(c->ws))
        pfd.events |= POLLOUT;
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0) {
        if (errno != EINTR)
            connection_lost(c, OB_EIO);
        io_step(c, 0);
        return;
    }
    io_step(c, n > 0 ? poll_flags(pfd.revents) : 0);
}

/* ------------------------------------------------------------ connecting */

static int do_connect(ob_client *c) {
    ob_ws_client_opts o = {
        .url = c->url,
        .token = c->token,
        .timeout_ms = c->opt.connect_timeout_ms,
        .tls_insecure = c->opt.tls_insecure,
        .tls_ca_file = c->ca_file,
        .max_message = c->opt.max_message_size,
    };
    ob_ws_handlers h = {.on_message = on_ws_message, .on_close = on_ws_close, .on_upgrade = NULL};
    int code = OB_EIO;
    char err[256] = "";
    long long t0 = ob_now_ms();
    ob_ws *ws = ob_ws_connect(&o, &h, c, &code, err, sizeof err);
    if (!ws) {
        if (code == OB_OK)
            code = OB_EIO;
        return ob_client_fail(c, code, code == OB_EAUTH ? 403 : 0, "", "%s",
                              err[0] ? err : "could not connect");
    }
    c->ws = ws;
    c->gen++;
    c->ws_closed = false;
    c->auth_refused = false;
    c->heartbeat_ms = 0;
    c->last_rx_ms = ob_now_ms();
    drop_frames(c);

    /* NapCat accepts the upgrade even for a bad token, then sends one 1403
     * frame and closes (PROTOCOL.md §1.2). Listen briefly for that. */
    long long handshake_ms = ob_now_ms() - t0;
    long long probe = AUTH_PROBE_MIN_MS + 2 * handshake_ms;
    if (probe > AUTH_PROBE_MAX_MS)
        probe = AUTH_PROBE_MAX_MS;
    long long until = ob_now_ms() + probe;
    int rc = OB_OK;
    while (!c->in_head && !c->ws_closed && rc == OB_OK) {
        long long left = until - ob_now_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = ob_ws_fd(ws), .events = POLLIN, .revents = 0};
        if (ob_ws_wants_write(ws))
            pfd.events |= POLLOUT;
        bool buffered = ob_ws_pending(ws);
        int n = poll(&pfd, 1, buffered ? 0 : (int)left);
        if (n < 0 && errno != EINTR)
            rc = OB_EIO;
        else if (n > 0 || buffered)
            rc = ob_ws_io(ws, (n > 0 ? poll_flags(pfd.revents) : 0) | (buffered ? OB_READABLE : 0));
    }

    bool refused = false;
    if (c->in_head) {
        ob_jdoc d = take_doc(c);
        refused = ob_jdoc_parse(&d, c->in_head->text, c->in_head->len) == OB_OK && d.ntok > 0 &&
                  d.tok[0].type == JSMN_OBJECT && is_auth_refusal(&d);
        give_doc(c, &d);
        if (refused) {
            ob_ws_free(ws);
            c->ws = NULL;
            c->gen++;
            drop_frames(c);
            return ob_client_fail(c, OB_EAUTH, 1403, "", AUTH_REFUSED_SENTENCE);
        }
    } else if (c->ws_closed || rc != OB_OK) {
        ob_ws_free(ws);
        c->ws = NULL;
        c->gen++;
        c->ws_closed = false;
        return ob_client_fail(c, OB_EAUTH, 1403, "",
                              "the server refused the access token (it closed the connection right after the handshake)");
    }

    bool again = c->ever_connected;
    c->state = CONN_UP;
    c->ever_connected = true;
    c->backoff_ms = c->opt.reconnect_initial_ms;
    if (again)
        queue_lifecycle(c, "reconnect");
    ob_client_ok(c);
    return OB_OK;
}

int ob_connect(ob_client *c) {
    if (!c)
        return OB_EINVAL;
    if (c->freeing)
        return OB_ECLOSED;
    if (c->ws)
        return OB_OK;
    int rc = do_connect(c);
    if (rc != OB_OK && c->state == CONN_RETRY) {
        /* A manual attempt during the backoff counts as one of the retries. */
        c->reconnect_at = ob_now_ms() + jittered(c, c->backoff_ms);
    }
    return rc;
}

static int try_reconnect(ob_client *c) {
    if (ob_now_ms() < c->reconnect_at)
        return OB_OK;
    int rc = do_connect(c);
    if (rc == OB_OK)
        return OB_OK;
    if (rc == OB_EAUTH || rc == OB_EINVAL) {
        /* Waiting will not make a refused token or a bad URL work. */
        c->state = CONN_DOWN;
        return rc;
    }
    long long next = (long long)c->backoff_ms * 2;
    c->backoff_ms = next > c->opt.reconnect_max_ms ? c->opt.reconnect_max_ms : (int)next;
    c->reconnect_at = ob_now_ms() + jittered(c, c->backoff_ms);
    return OB_OK;
}

/* ------------------------------------------------------------------ calls */

static int check_params(ob_client *c, const char *action, const char *params_json) {
    if (!action || !action[0])
        return ob_client_fail(c, OB_EINVAL, 0, action ? action : "", "the action name is empty");
    if (!params_json)
        return OB_OK;
    ob_jdoc d = take_doc(c);
    int rc = ob_jdoc_parse(&d, params_json, strlen(params_json));
    bool object = rc == OB_OK && d.ntok > 0 && d.tok[0].type == JSMN_OBJECT;
    give_doc(c, &d);
    if (rc == OB_ENOMEM)
        return ob_client_fail(c, OB_ENOMEM, 0, action, "out of memory while checking the params of %s", action);
    if (!object)
        return ob_client_fail(c, OB_EINVAL, 0, action, "the params of %s are not a JSON object", action);
    return OB_OK;
}

int ob_call_async(ob_client *c, const char *action, const char *params_json,
                  ob_reply_cb cb, void *userdata) {
    if (!c)
        return OB_EINVAL;
    int rc = check_params(c, action, params_json);
    if (rc != OB_OK)
        return rc;
    if (c->freeing || !c->ws)
        return ob_client_fail(c, OB_ECLOSED, 0, action,
                              c->freeing ? "the client is being freed" : "not connected");

    uint64_t id = ++c->last_id;
    char echo[32];
    snprintf(echo, sizeof echo, "ob-%llu", (unsigned long long)id);
    ob_jw w = {0};
    ob_jw_obj(&w);
    ob_jw_key(&w, "action");
    ob_jw_str(&w, action);
    ob_jw_key(&w, "params");
    if (params_json)
        ob_jw_raw(&w, params_json, strlen(params_json));
    else
        ob_jw_raw(&w, "{}", 2);
    ob_jw_key(&w, "echo");
    ob_jw_str(&w, echo);
    ob_jw_obj_end(&w);
    size_t len = w.b.len;
    char *text = ob_buf_take(&w.b);
    size_t alen = strlen(action);
    ob_pending *p = text ? malloc(sizeof *p + alen + 1) : NULL;
    if (!p) {
        free(text);
        return ob_client_fail(c, OB_ENOMEM, 0, action, "out of memory while sending %s", action);
    }
    p->id = id;
    p->deadline = ob_now_ms() + c->opt.timeout_ms;
    p->cb = cb;
    p->userdata = userdata;
    memcpy(p->action, action, alen + 1);
    if (ob_echo_table_put(&c->pending, id, p) != OB_OK) {
        free(p);
        free(text);
        return ob_client_fail(c, OB_ENOMEM, 0, action, "out of memory while sending %s", action);
    }
    link_pending(c, p);
    rc = ob_ws_send_owned(c->ws, text, len);
    if (rc != OB_OK) {
        ob_echo_table_remove(&c->pending, id);
        unlink_pending(c, p);
        free(p);
        return ob_client_fail(c, rc, 0, action, "could not queue %s: %s", action, ob_strerror(rc));
    }
    /* Failures surface through poll as a closed connection. */
    (void)ob_ws_flush(c->ws);
    return OB_OK;
}

int ob_client_wait(ob_client *c, const bool *done) {
    if (!c || !done)
        return OB_EINVAL;
    int rc = OB_OK;
    c->wait_depth++;
    while (!*done) {
        if (!c->ws && !c->in_head) {
            /* Every pending call has already been failed, so *done can
             * only still be false for a call that was never queued. */
            rc = OB_ECLOSED;
            break;
        }
        wait_and_io(c, next_due_ms(c));
    }
    c->wait_depth--;
    return rc;
}

typedef struct sync_call {
    bool done;
    int code;
    ob_reply *reply;      /* copy, when a reply frame arrived */
    char *sentence;       /* why, when none did */
} sync_call;

/* One block: the ob_reply_ext and all its strings (freed by ob_free). */
static ob_reply *copy_reply(const ob_reply *r) {
    size_t ls = strlen(r->status) + 1, lm = strlen(r->message) + 1, lw = strlen(r->wording) + 1;
    ob_reply_ext *x = malloc(sizeof *x + ls + lm + lw + r->data_len + 1);
    if (!x)
        return NULL;
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
    x->doc = NULL;
    x->data_tok = -1;
    return &x->pub;
}

static void on_sync_reply(ob_client *c, const ob_reply *r, void *ud) {
    (void)c;
    sync_call *s = ud;
    s->done = true;
    s->code = r->code;
    if (r->status[0]) {
        s->reply = copy_reply(r);
        if (!s->reply)
            s->code = OB_ENOMEM;
    } else {
        s->sentence = dup_str(r->message);
    }
}

int ob_call(ob_client *c, const char *action, const char *params_json, ob_reply **out) {
    if (out)
        *out = NULL;
    if (!c)
        return OB_EINVAL;
    sync_call s = {.done = false, .code = OB_OK, .reply = NULL, .sentence = NULL};
    int rc = ob_call_async(c, action, params_json, on_sync_reply, &s);
    if (rc != OB_OK)
        return rc;
    rc = ob_client_wait(c, &s.done);
    if (!s.done)
        s.code = rc != OB_OK ? rc : OB_ECLOSED;
    /* Recorded after the wait: other callbacks that ran meanwhile must not
     * overwrite this call's outcome. */
    if (s.code == OB_OK)
        ob_client_ok(c);
    else if (s.reply)
        ob_client_fail_reply(c, s.reply, action);
    else
        ob_client_fail(c, s.code, 0, action, "%s", s.sentence ? s.sentence : ob_strerror(s.code));
    free(s.sentence);
    if (out)
        *out = s.reply;
    else
        ob_free(s.reply);
    return s.code;
}

/* ---------------------------------------------------------------- driving */

static int step_result(const ob_client *c) {
    if (c->ws || c->state == CONN_RETRY)
        return OB_OK;
    return c->err.code == OB_EAUTH ? OB_EAUTH : OB_ECLOSED;
}

int ob_process(ob_client *c, int ready_flags) {
    if (!c)
        return OB_EINVAL;
    if (c->freeing)
        return OB_ECLOSED;
    int rc = OB_OK;
    if (!c->ws && c->state == CONN_RETRY && c->wait_depth == 0)
        rc = try_reconnect(c);
    io_step(c, c->ws ? ready_flags : 0);
    dispatch_events(c);
    return rc != OB_OK ? rc : step_result(c);
}

int ob_poll(ob_client *c, int timeout_ms) {
    if (!c)
        return OB_EINVAL;
    if (c->freeing)
        return OB_ECLOSED;
    if (!c->ws && c->state != CONN_RETRY) {
        drain_frames(c);
        dispatch_events(c);
        return step_result(c);
    }
    if (!c->ws && c->state == CONN_RETRY && c->wait_depth == 0) {
        int wait = min_timeout(timeout_ms, next_due_ms(c));
        if (wait > 0)
            poll(NULL, 0, wait);
        int rc = try_reconnect(c);
        io_step(c, 0);
        dispatch_events(c);
        return rc != OB_OK ? rc : step_result(c);
    }
    wait_and_io(c, min_timeout(timeout_ms, next_due_ms(c)));
    dispatch_events(c);
    return step_result(c);
}

int ob_run(ob_client *c) {
    if (!c)
        return OB_EINVAL;
    c->stop = false;
    for (;;) {
        int rc = ob_poll(c, -1);
        if (c->stop) {
            c->stop = false;
            return OB_OK;
        }
        if (rc != OB_OK)
            return rc;
    }
}

void ob_stop(ob_client *c) {
    if (c)
        c->stop = true;
}

int ob_fd(const ob_client *c) { return c && c->ws ? ob_ws_fd(c->ws) : -1; }

bool ob_wants_write(const ob_client *c) { return c && c->ws && ob_ws_wants_write(c->ws); }

int ob_next_timeout_ms(const ob_client *c) { return c ? next_due_ms(c) : -1; }

void ob_client_free(ob_client *c) {
    if (!c)
        return;
    c->freeing = true;
    fail_all_pending(c, OB_ECLOSED, "the client was freed");
    if (c->ws) {
        ob_ws_close(c->ws, 1000, "");
        ob_ws_flush_wait(c->ws, CLOSE_FLUSH_MS);
        ob_ws_free(c->ws);
        c->ws = NULL;
    }
    drop_frames(c);
    while (c->ev_head) {
        ob_queued_event *q = c->ev_head;
        c->ev_head = q->next;
        ob_free(q->ev);
        free(q);
    }
    ob_echo_table_free(&c->pending);
    ob_jdoc_free(&c->spare_doc);
    free(c->url);
    free(c->token);
    free(c->ca_file);
    free(c->last_message);
    free(c->last_wording);
    free(c->last_action);
    free(c);
}
