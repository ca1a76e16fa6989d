/* The client object and its connection: options, the last error, connect,
 * loss, reconnect with backoff, the heartbeat watchdog, and the poll loop
 * (ob_poll, ob_run, ob_process, ob__client_wait). Calls live in
 * client_calls.c, the event queue in client_events.c; the sockets behind a
 * connection in a transport (transport.h: WebSocket, HTTP).
 *
 * Frames are never handled inside a transport: it only hands them to
 * ob__client_inbound, which copies them into an inbound queue, drained after
 * the transport's io returns. User callbacks may therefore make blocking
 * calls (which run the I/O again) without re-entering wslay or a transport.
 *
 * A frame that is not a JSON object, or an object that is neither an event
 * (post_type) nor a reply to one of our calls (echo "ob-<n>"), is ignored and
 * the connection is kept: one bad frame from a lenient JSON5 server must not
 * fail every call in flight. A reply to one of our calls that lacks a usable
 * status/retcode fails that call alone with OB_EPROTO.
 *
 * JSON nested deeper than json.c reads (OB_JSON_MAX_DEPTH, 128 levels) is
 * still JSON to NapCat: a reply that deep fails its call at once with
 * OB_EPROTO (its echo is found without tokens, see fail_deep_reply), rather
 * than leaving it to wait out its timeout. An event that deep is dropped. */
#include "client_core.h"
#include "json.h"
#include "net.h"
#include "queue.h"
#include "transport.h"
#include "url.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_URL "ws://127.0.0.1:3001"
#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_MAX_MESSAGE ((size_t)64 << 20)
/* Room for the largest request NapCat takes (its frames stop at 50 MiB; a
 * 36 MiB file as base64:// is 48 MiB) with more calls queued around it. */
#define DEFAULT_MAX_QUEUED ((size_t)64 << 20)
#define DEFAULT_RECONNECT_INITIAL_MS 500
#define DEFAULT_RECONNECT_MAX_MS 30000
/* A connection whose heartbeats stop (a silent drop: no FIN, no RST) is
 * declared lost after two missed intervals plus this grace. */
#define HEARTBEAT_GRACE_MS 1000

static const ob_error no_client_error = {OB_EINVAL, 0, "no client (NULL)", "no client (NULL)", ""};

/* ---------------------------------------------------------------- errors */

static char *dup_str(const char *s) {
    if (!s) s = "";
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static void set_last(ob_client *c, int code, int retcode, const char *action, const char *message,
                     const char *wording) {
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

int ob__client_fail(ob_client *c, int code, int retcode, const char *action, const char *fmt, ...) {
    if (!c) return code;
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

int ob__client_fail_reply(ob_client *c, const ob_reply *r, const char *action) {
    if (!c || !r) return OB_EINVAL;
    int code = r->code != OB_OK ? r->code : OB_EACTION;
    const char *message = r->message && r->message[0] ? r->message : r->wording;
    const char *wording = r->wording && r->wording[0] ? r->wording : r->message;
    if (!message || !message[0]) {
        return ob__client_fail(c, code, r->retcode, action,
                               "the server answered status \"%s\" with retcode %d and no message",
                               r->status ? r->status : "", r->retcode);
    }
    set_last(c, code, r->retcode, action, message, wording);
    return code;
}

void ob__client_ok(ob_client *c) {
    if (c && c->err.code != OB_OK) set_last(c, OB_OK, 0, "", "", "");
}

const ob_error *ob_last_error(const ob_client *c) { return c ? &c->err : &no_client_error; }

/* --------------------------------------------------------------- options */

ob_client *ob_client_new(const ob_options *opt) {
    ob_client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (opt) c->opt = *opt;
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
    if (c->opt.timeout_ms <= 0) c->opt.timeout_ms = DEFAULT_TIMEOUT_MS;
    if (c->opt.connect_timeout_ms <= 0) c->opt.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    if (c->opt.max_message_size == 0) c->opt.max_message_size = DEFAULT_MAX_MESSAGE;
    if (c->opt.max_queued_bytes == 0) c->opt.max_queued_bytes = DEFAULT_MAX_QUEUED;
    if (c->opt.reconnect_initial_ms <= 0) c->opt.reconnect_initial_ms = DEFAULT_RECONNECT_INITIAL_MS;
    if (c->opt.reconnect_max_ms <= 0) c->opt.reconnect_max_ms = DEFAULT_RECONNECT_MAX_MS;
    if (c->opt.reconnect_max_ms < c->opt.reconnect_initial_ms) c->opt.reconnect_max_ms = c->opt.reconnect_initial_ms;

    ob__url u;
    char err[128];
    c->server_is_local = ob__url_parse(c->url, &u, err, sizeof err) == OB_OK && ob__host_is_local(u.host);
    c->is_http = strncmp(c->url, "http://", 7) == 0 || strncmp(c->url, "https://", 8) == 0;
    ob__trace_init(c);

    c->backoff_ms = c->opt.reconnect_initial_ms;
    c->rng = (uint64_t)ob__now_ms() ^ (uint64_t)(uintptr_t)c ^ 0x9e3779b97f4a7c15ULL;
    c->err.code = OB_OK;
    c->err.message = c->err.wording = c->err.action = "";
    return c;
}

const ob_options *ob__client_options(const ob_client *c) { return c ? &c->opt : NULL; }

bool ob__client_server_is_local(const ob_client *c) { return c && c->server_is_local; }

/* ---------------------------------------------------------------- frames */

ob__jdoc ob__client_take_doc(ob_client *c) {
    ob__jdoc d = c->spare_doc;
    memset(&c->spare_doc, 0, sizeof c->spare_doc);
    return d;
}

void ob__client_give_doc(ob_client *c, ob__jdoc *d) {
    if (!c->spare_doc.tok) c->spare_doc = *d;
    else ob__jdoc_free(d);
}

bool ob__is_auth_refusal(const ob__jdoc *d) {
    int t = ob__jget(d, 0, "retcode");
    int64_t rc;
    return t >= 0 && ob__jint(d, t, &rc) == OB_OK && rc == 1403 && ob__jget(d, 0, "post_type") < 0;
}

/* Heartbeats tell how often the server speaks; the watchdog uses that. */
static void note_heartbeat(ob_client *c, const ob__jdoc *d, int post_type) {
    /* Only meta events can be heartbeats: spares every message a key search. */
    if (!ob__jeq(d, post_type, "meta_event") || !ob__jeq(d, ob__jget(d, 0, "meta_event_type"), "heartbeat")) return;
    int t = ob__jget(d, 0, "interval");
    int64_t ms;
    if (t >= 0 && ob__jint(d, t, &ms) == OB_OK && ms > 0 && ms <= 24LL * 3600 * 1000) c->heartbeat_ms = (int)ms;
}

/* The event undecoded, to ob__client_raw_events's taker. */
static void pass_raw(ob_client *c, const ob__jdoc *d, int post_type, const ob__frame *f) {
    ob__raw_event ev = {.json = f->text, .len = f->len};
    int t = ob__jget(d, 0, "self_id");
    if (t >= 0 && ob__jint(d, t, &ev.self_id) != OB_OK) ev.self_id = 0;
    if (ob__jeq(d, post_type, "meta_event")) {
        ev.heartbeat = ob__jeq(d, ob__jget(d, 0, "meta_event_type"), "heartbeat");
    } else if (ob__jeq(d, post_type, "notice")) {
        int n = ob__jget(d, 0, "notice_type");
        ev.roles_change =
            ob__jeq(d, n, "group_admin") || ob__jeq(d, n, "group_increase") || ob__jeq(d, n, "group_decrease");
    }
    t = ob__jget(d, 0, "group_id");
    if (t >= 0 && ob__jint(d, t, &ev.group_id) != OB_OK) ev.group_id = 0;
    c->raw_event(c, &ev, c->raw_ud);
}

/* A frame ob__jdoc_parse refused as nested too deep. Its top-level keys are
 * found by a scan that does not mind the depth (linear in the frame, no
 * memory): with a post_type it is an event, dropped (it cannot be decoded);
 * otherwise, if its echo is one of our calls, that call fails now with
 * OB_EPROTO. A frame whose echo cannot be found, or is not ours, is dropped
 * like any other: no call can be matched to it. */
static void fail_deep_reply(ob_client *c, const ob__frame *f) {
    size_t at, n;
    if (ob__json_find_top_key(f->text, f->len, "post_type", &at, &n)) return;
    if (!ob__json_find_top_key(f->text, f->len, "echo", &at, &n)) return;
    /* The echo alone, tokenized: one string token, as ob__calls_* expect. */
    ob__jdoc e = {0};
    if (ob__jdoc_parse(&e, f->text + at, n) == OB_OK && e.ntok == 1) {
        char why[64];
        snprintf(why, sizeof why, "is nested deeper than %d levels", OB_JSON_MAX_DEPTH);
        (void)ob__calls_fail_reply(c, &e, 0, OB_EPROTO, why);
    }
    ob__jdoc_free(&e);
}

/* The answer to call f->call (HTTP): its reply whatever echo it carries,
 * or its failure. */
static void handle_answer(ob_client *c, ob__frame *f, ob__jdoc *d) {
    if (f->code != OB_OK) {
        ob__calls_end(c, f->call, f->code, f->text, false);
        return;
    }
    char why[96];
    if (ob__jdoc_parse(d, f->text, f->len) == OB_OK && d->ntok > 0 && d->tok[0].type == JSMN_OBJECT) {
        ob__calls_answer(c, f->call, d);
        return;
    }
    if (d->too_deep) snprintf(why, sizeof why, "is nested deeper than %d levels", OB_JSON_MAX_DEPTH);
    else snprintf(why, sizeof why, "is not a JSON object (HTTP %d, %zu bytes)", f->http_status, f->len);
    ob__calls_end(c, f->call, OB_EPROTO, why, true);
}

static void handle_frame(ob_client *c, ob__frame *f) {
    ob__jdoc d = ob__client_take_doc(c);
    if (f->call) {
        handle_answer(c, f, &d);
        goto done;
    }
    if (ob__jdoc_parse(&d, f->text, f->len) != OB_OK || d.ntok < 1 || d.tok[0].type != JSMN_OBJECT) {
        if (d.too_deep) fail_deep_reply(c, f);
        goto done; /* else ignored: see the comment at the top */
    }
    /* One pass for both: post_type comes early in events (stop there), echo
       late in replies, and a reply must have no post_type at all. */
    int post_type = -1, echo = -1;
    for (int m = 0, k = 1; m < d.tok[0].size && k + 1 < d.ntok; m++, k = ob__jskip(&d, k + 1)) {
        if (ob__jeq(&d, k, "post_type")) {
            post_type = k + 1;
            break;
        }
        if (echo < 0 && ob__jeq(&d, k, "echo")) echo = k + 1;
    }
    if (post_type >= 0) {
        note_heartbeat(c, &d, post_type);
        if (c->raw_event) pass_raw(c, &d, post_type, f);
        else ob__events_take(c, &d);
        goto done;
    }
    if (!ob__calls_take_reply(c, &d, echo) && ob__is_auth_refusal(&d)) {
        /* NapCat closes right after this frame; pending calls then fail. */
        c->auth_refused = true;
        ob__client_fail(c, OB_EAUTH, 1403, "", AUTH_REFUSED_SENTENCE);
    }
done:
    ob__client_give_doc(c, &d);
    free(f);
}

static void drain_frames(ob_client *c) {
    while (c->in_head && !c->freeing) {
        ob__frame *f = c->in_head;
        c->in_head = f->next;
        if (!c->in_head) c->in_tail = NULL;
        handle_frame(c, f);
    }
}

void ob__client_drop_frames(ob_client *c) {
    while (c->in_head) {
        ob__frame *f = c->in_head;
        c->in_head = f->next;
        free(f);
    }
    c->in_tail = NULL;
}

void ob__client_queue_frame(ob_client *c, const char *data, size_t len) { ob__client_inbound(c, 0, 0, 0, data, len); }

void ob__client_inbound(ob_client *c, uint64_t call, int code, int http_status, const char *text, size_t len) {
    if (!call) c->last_rx_ms = ob__now_ms();
    ob__frame *f = malloc(sizeof *f + len + 1);
    if (!f) {
        /* The call must still end, or a blocking wait would last forever. */
        if (call) ob__calls_end(c, call, OB_ENOMEM, "out of memory while reading the reply", false);
        return;
    }
    f->call = call;
    f->code = code;
    f->http_status = http_status;
    f->len = len;
    ob__text_copy(f->text, text, len);
    OB__QUEUE_PUSH(c->in_head, c->in_tail, f);
}

/* ------------------------------------------------------------ connection */

static int jittered(ob_client *c, int ms) { return ob__jittered(&c->rng, ms); }

/* The current connection ends, with code and sentence for ob_last_error and
 * every pending call; polite: a goodbye first (a close frame). */
static void end_connection(ob_client *c, int code, bool refused, const char *sentence, bool polite) {
    bool announced = c->tr->loss_announced; /* one "disconnect" per outage */
    if (polite) c->tr->ops->close(c->tr);
    else c->tr->ops->free(c->tr);
    c->tr = NULL;
    c->gen++;
    /* State first: the callbacks below may call ob_connect themselves. */
    if (c->opt.reconnect && !refused && !c->freeing) {
        c->state = CONN_RETRY;
        c->reconnect_at = ob__now_ms() + jittered(c, c->backoff_ms);
    } else {
        c->state = CONN_DOWN;
    }
    if (!announced) ob__events_queue_lifecycle(c, "disconnect");
    ob__client_fail(c, code, refused ? 1403 : 0, "", "%s", sentence);
    ob__calls_fail_all(c, OB_ECLOSED, sentence);
}

static void connection_lost(ob_client *c, int why) {
    if (!c->tr) return;
    bool refused = c->auth_refused;
    char sentence[400];
    int code = OB_ECLOSED;
    if (refused) {
        code = OB_EAUTH;
        snprintf(sentence, sizeof sentence, "the connection was closed: " AUTH_REFUSED_SENTENCE);
    } else if (why == OB_ETIMEOUT) {
        snprintf(sentence, sizeof sentence, "the connection went silent: no heartbeat for %lld ms",
                 (long long)ob__now_ms() - c->last_rx_ms);
    } else {
        code = c->tr->ops->lost(c->tr, why, sentence, sizeof sentence);
    }
    end_connection(c, code, refused, sentence, false);
}

/* Milliseconds until the heartbeat watchdog fires, -1 when it is off. */
static long long watchdog_due(const ob_client *c) {
    if (!c->tr || c->heartbeat_ms <= 0) return -1;
    long long left = c->last_rx_ms + 2LL * c->heartbeat_ms + HEARTBEAT_GRACE_MS - ob__now_ms();
    return left > 0 ? left : 0;
}

/* Bytes read prove the link alive even when they are only part of a frame:
 * a big reply on a slow link takes longer than the watchdog, and the
 * heartbeats queue behind it. (A counter in the transport: no syscall on
 * the hot path.) */
static void note_rx_bytes(ob_client *c) {
    uint64_t n = c->tr->ops->rx_bytes(c->tr);
    if (n != c->rx_seen) {
        c->rx_seen = n;
        c->last_rx_ms = ob__now_ms();
    }
}

/* The watchdog fired; heartbeats may still sit unread in the socket (the
 * caller did not poll for a while), so read before giving up. */
static void check_silence(ob_client *c) {
    unsigned gen = c->gen;
    int rc = c->tr->ops->io(c->tr, OB_READABLE);
    if (c->gen == gen && c->tr) note_rx_bytes(c);
    drain_frames(c);
    if (c->gen != gen) return;
    if (rc != OB_OK) connection_lost(c, rc);
    else if (watchdog_due(c) == 0) connection_lost(c, OB_ETIMEOUT);
}

/* I/O on the current connection, then frames, then deadlines. Reply
 * callbacks run here; events are only queued. */
static void io_step(ob_client *c, int flags) {
    if (c->tr) {
        unsigned gen = c->gen;
        int rc = c->tr->ops->io(c->tr, flags);
        if (c->tr && c->gen == gen) note_rx_bytes(c);
        drain_frames(c);
        /* A callback above may have replaced the connection; only the
         * connection the result belongs to may be torn down. */
        if (c->gen == gen && rc != OB_OK) connection_lost(c, rc);
        else if (c->gen == gen && watchdog_due(c) == 0) check_silence(c);
    } else {
        drain_frames(c);
    }
    ob__calls_expire(c);
}

/* What the connect attempt in progress waits for. */
static ob__wait opening_wait(const ob_client *c) {
    return c->is_http ? ob__http_transport_wait(c->opening) : ob__ws_transport_wait(c->opening);
}

/* Milliseconds until something is due, -1 for nothing. */
static int next_due_ms(const ob_client *c) {
    if (c->in_head || (c->ev_head && c->wait_depth == 0 && c->event_cb) || (c->tr && c->tr->ops->pending(c->tr)))
        return 0;
    long long due = -1;
    const ob__call *first = ob__echo_table_first(&c->pending);
    if (first) due = first->deadline;
    long long retry = c->opening ? opening_wait(c).due : c->reconnect_at;
    if (!c->tr && c->state == CONN_RETRY && (due < 0 || retry < due)) due = retry;
    long long own = c->tr ? c->tr->ops->due(c->tr) : -1;
    if (own >= 0 && (due < 0 || own < due)) due = own;
    long long quiet = watchdog_due(c);
    if (quiet >= 0 && (due < 0 || ob__now_ms() + quiet < due)) due = ob__now_ms() + quiet;
    if (due < 0) return -1;
    long long left = due - ob__now_ms();
    if (left < 0) return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

static int min_timeout(int a, int b) {
    if (a < 0) return b;
    if (b < 0) return a;
    return a < b ? a : b;
}

/* One poll() on the connection (or a sleep while there is none). */
static void wait_and_io(ob_client *c, int timeout_ms) {
    if (!c->tr) {
        if (timeout_ms > 0) /* never -1 here: nothing could end the sleep */
            poll(NULL, 0, timeout_ms);
        io_step(c, 0);
        return;
    }
    const ob__transport_ops *ops = c->tr->ops;
    if (ops->wants_write(c->tr)) (void)ops->flush(c->tr); /* calls queued by ob_call_async; errors surface in io_step */
    struct pollfd pfd = {.fd = ops->fd(c->tr), .events = POLLIN, .revents = 0};
    if (ops->wants_write(c->tr)) pfd.events |= POLLOUT;
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0) {
        if (errno != EINTR) connection_lost(c, OB_EIO);
        io_step(c, 0);
        return;
    }
    io_step(c, n > 0 ? ob__poll_flags(pfd.revents) : 0);
}

/* ------------------------------------------------------------ connecting */

/* What a new connection starts from (before it is opened: the frames it
 * reads while opening are its own). */
static void fresh_connection_state(ob_client *c) {
    c->heartbeat_ms = 0;
    c->last_rx_ms = ob__now_ms();
    c->rx_seen = 0;
    c->auth_refused = false;
    ob__client_drop_frames(c);
}

int ob__client_attach_server(ob_client *c, int fd, const char *read, size_t n) {
    if (c->freeing) return OB_ECLOSED;
    ob__transport *t = ob__ws_transport_accept(c, fd, read, n, c->opt.max_message_size, c->opt.max_queued_bytes);
    if (!t) return OB_ENOMEM;
    /* Its pending calls fail now, with this sentence. */
    bool replacing = c->tr != NULL;
    if (replacing)
        end_connection(c, OB_ECLOSED, false, "a new connection for the same account (X-Self-ID) replaced it", true);
    /* Events already queued (HTTP POST pushes) stay: only frames of the old
       connection go. Back after a loss ("disconnect"), the bot says
       "reconnect" as an outbound one does; a replacement says neither. */
    fresh_connection_state(c);
    ob__client_attach(c, t, !replacing);
    unsigned gen = c->gen;
    int rc = t->ops->io(t, OB_READABLE); /* answers the upgrade read with it */
    if (rc != OB_OK && c->gen == gen) connection_lost(c, rc);
    return OB_OK;
}

/* A connect attempt: the transport's machine (lookup, TCP, TLS, then for
 * ws:// the upgrade and the 1403 probe, for http:// the probe GET <url>/ or
 * the event stream's head) stepped without blocking: ob_connect drives it to
 * its end, a reconnect runs it inside ob_poll / ob_process. */

static int attempt_failed(ob_client *c, int code, int retcode, const char *err) {
    ob__client_drop_frames(c);
    if (code == OB_OK) code = OB_EIO;
    return ob__client_fail(c, code, code == OB_EAUTH ? retcode : 0, "", "%s", err[0] ? err : "could not connect");
}

/* Ends the attempt in progress (nothing recorded). */
static void attempt_drop(ob_client *c) {
    if (!c->opening) return;
    c->opening->ops->free(c->opening);
    c->opening = NULL;
    ob__client_drop_frames(c);
}

/* OB__MORE while an attempt runs (c->opening), else its result. */
static int attempt_begin(ob_client *c) {
    ob__transport_cfg cfg = {
        .url = c->url,
        .token = c->token,
        .tls_ca_file = c->ca_file,
        .tls_insecure = c->opt.tls_insecure,
        .connect_timeout_ms = c->opt.connect_timeout_ms,
        .timeout_ms = c->opt.timeout_ms,
        .max_message = c->opt.max_message_size,
        .max_queued = c->opt.max_queued_bytes,
        .events = c->opt.events,
        .want_events = c->event_cb || c->opt.check_permissions,
        .reconnect = c->opt.reconnect,
        .reconnect_initial_ms = c->opt.reconnect_initial_ms,
        .reconnect_max_ms = c->opt.reconnect_max_ms,
    };
    int code = OB_EIO;
    char err[400] = "";
    fresh_connection_state(c);
    ob__trace_note(c, "connect", c->url);
    ob__transport *t = c->is_http ? ob__http_transport_start(c, &cfg, &code, err, sizeof err)
                                  : ob__ws_transport_start(c, &cfg, &code, err, sizeof err);
    if (!t) return attempt_failed(c, code, cfg.retcode, err);
    c->opening = t;
    return OB__MORE;
}

/* One step of the attempt on readiness of its fd (or 0). */
static int attempt_step(ob_client *c, int ready) {
    int retcode = 0;
    char err[400] = "";
    int rc = c->is_http ? ob__http_transport_step(c->opening, ready, &retcode, err, sizeof err)
                        : ob__ws_transport_step(c->opening, ready, &retcode, err, sizeof err);
    if (rc == OB__MORE) return rc;
    ob__transport *t = c->opening;
    c->opening = NULL;
    if (rc != OB_OK) return attempt_failed(c, rc, retcode, err); /* t is freed */
    ob__client_attach(c, t, true);
    return OB_OK;
}

static int attempt_step_fn(void *m, int ready, ob__wait *w, char *err, size_t errlen) {
    (void)err, (void)errlen; /* attempt_step records its failures on the client */
    ob_client *c = m;
    int rc = attempt_step(c, ready);
    if (rc == OB__MORE) *w = opening_wait(c);
    return rc;
}

/* ob_connect: the attempt in progress, or a new one, to its end. */
static int do_connect(ob_client *c) {
    int rc = c->opening ? OB__MORE : attempt_begin(c);
    return rc == OB__MORE ? ob__drive(attempt_step_fn, c, NULL, 0) : rc;
}

void ob__client_attach(ob_client *c, ob__transport *t, bool announce) {
    c->tr = t;
    c->gen++;
    bool again = c->ever_connected;
    c->state = CONN_UP;
    c->ever_connected = true;
    c->backoff_ms = c->opt.reconnect_initial_ms;
    if (again && announce) ob__events_queue_lifecycle(c, "reconnect");
    ob__client_ok(c);
}

int ob_connect(ob_client *c) {
    if (!c) return OB_EINVAL;
    if (c->freeing) return OB_ECLOSED;
    if (ob__rworker_url(c->url)) return ob__rworker_connect(c);
    if (c->tr) return OB_OK;
    if (c->inbound) return ob__client_fail_unconnected(c, "");
    int rc = do_connect(c);
    if (rc != OB_OK && c->state == CONN_RETRY) {
        /* A manual attempt during the backoff counts as one of the retries. */
        c->reconnect_at = ob__now_ms() + jittered(c, c->backoff_ms);
    }
    return rc;
}

/* The reconnect, stepped: begun when due, then on the readiness of its fd. */
static int try_reconnect(ob_client *c, int ready) {
    int rc;
    if (c->opening) rc = attempt_step(c, ready);
    else if (ob__now_ms() < c->reconnect_at) return OB_OK;
    else rc = attempt_begin(c);
    if (rc == OB__MORE || rc == OB_OK) return OB_OK;
    if (rc == OB_EAUTH || rc == OB_EINVAL) {
        /* Waiting will not make a refused token or a bad URL work. */
        c->state = CONN_DOWN;
        return rc;
    }
    long long next = (long long)c->backoff_ms * 2;
    c->backoff_ms = next > c->opt.reconnect_max_ms ? c->opt.reconnect_max_ms : (int)next;
    c->reconnect_at = ob__now_ms() + jittered(c, c->backoff_ms);
    return OB_OK;
}

/* ---------------------------------------------------------------- waiting */

int ob__client_wait(ob_client *c, const bool *done) {
    if (!c || !done) return OB_EINVAL;
    if (c->rw) return ob__rworker_wait(c, done);
    int rc = OB_OK;
    c->wait_depth++;
    while (!*done) {
        if (!c->tr && !c->in_head) {
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

/* ---------------------------------------------------------------- driving */

static int step_result(const ob_client *c) {
    if (c->tr || c->state == CONN_RETRY) return OB_OK;
    return c->err.code == OB_EAUTH ? OB_EAUTH : OB_ECLOSED;
}

void ob__client_hold(ob_client *c) {
    if (c) c->busy++;
}

static void client_destroy(ob_client *c);

void ob__client_release(ob_client *c) {
    if (c && --c->busy == 0 && c->free_deferred) client_destroy(c);
}

static int process_step(ob_client *c, int ready_flags) {
    if (c->rw) return ob__rworker_poll(c, 0);
    int rc = OB_OK;
    if (!c->tr && c->state == CONN_RETRY && c->wait_depth == 0) {
        /* The flags were the connecting fd's, not the new connection's. */
        rc = try_reconnect(c, ready_flags);
        ready_flags = 0;
    }
    io_step(c, c->tr ? ready_flags : 0);
    ob__events_dispatch(c);
    return rc != OB_OK ? rc : step_result(c);
}

/* Runs step(c, arg) with the client held. A callback that freed the client
 * (deferred) ends the step with OB_ECLOSED. */
static inline int held_step(ob_client *c, int (*step)(ob_client *, int), int arg) {
    if (!c) return OB_EINVAL;
    if (c->freeing) return OB_ECLOSED;
    ob__client_hold(c);
    int rc = step(c, arg);
    if (c->free_deferred) rc = OB_ECLOSED;
    ob__client_release(c);
    return rc;
}

int ob_process(ob_client *c, int ready_flags) { return held_step(c, process_step, ready_flags); }

static int poll_step(ob_client *c, int timeout_ms) {
    if (c->rw) return ob__rworker_poll(c, timeout_ms);
    if (!c->tr && c->state != CONN_RETRY) {
        drain_frames(c);
        ob__events_dispatch(c);
        return step_result(c);
    }
    if (!c->tr && c->state == CONN_RETRY && c->wait_depth == 0) {
        int wait = min_timeout(timeout_ms, next_due_ms(c));
        ob__wait w = c->opening ? opening_wait(c) : (ob__wait){-1, 0, 0};
        struct pollfd pfd = {.fd = w.fd, .events = w.events, .revents = 0};
        int n = wait != 0 || w.fd >= 0 ? poll(&pfd, w.fd >= 0 ? 1 : 0, wait) : 0;
        int rc = try_reconnect(c, n > 0 ? ob__poll_flags(pfd.revents) : 0);
        io_step(c, 0);
        ob__events_dispatch(c);
        return rc != OB_OK ? rc : step_result(c);
    }
    wait_and_io(c, min_timeout(timeout_ms, next_due_ms(c)));
    ob__events_dispatch(c);
    return step_result(c);
}

int ob_poll(ob_client *c, int timeout_ms) { return held_step(c, poll_step, timeout_ms); }

static int run_loop(ob_client *c) {
    if (!c->tr && !c->ever_connected && c->state != CONN_RETRY) {
        /* ob_run on a client that never connected makes the first
           connection itself; with a reconnect policy a failed first attempt
           is retried like a lost connection (a refused token or a bad URL
           is final either way). */
        int rc = ob_connect(c);
        if (rc != OB_OK) {
            if (!c->opt.reconnect || rc == OB_EAUTH || rc == OB_EINVAL) return rc;
            c->state = CONN_RETRY;
            c->reconnect_at = ob__now_ms() + jittered(c, c->backoff_ms);
        }
    }
    for (;;) {
        int rc = ob_poll(c, -1);
        if (c->free_deferred) return OB_ECLOSED; /* a callback freed the client */
        if (c->stop) {
            c->stop = false;
            return OB_OK;
        }
        if (rc != OB_OK) return rc;
    }
}

int ob_run(ob_client *c) {
    if (!c) return OB_EINVAL;
    if (c->freeing) return OB_ECLOSED;
    c->stop = false;
    ob__client_hold(c);
    int rc = run_loop(c);
    ob__client_release(c);
    return rc;
}

void ob_stop(ob_client *c) {
    if (c) c->stop = true;
}

int ob_fd(const ob_client *c) {
    if (!c) return -1;
    if (c->rw) return ob__rworker_fd(c);
    return c->tr ? c->tr->ops->fd(c->tr) : c->opening ? opening_wait(c).fd : -1;
}

bool ob_wants_write(const ob_client *c) {
    if (!c) return false;
    if (c->tr) return c->tr->ops->wants_write(c->tr);
    return c->opening && (opening_wait(c).events & POLLOUT);
}

int ob_next_timeout_ms(const ob_client *c) { return !c ? -1 : c->rw ? ob__rworker_next_ms(c) : next_due_ms(c); }

static void client_destroy(ob_client *c) {
    ob__echo_table_free(&c->pending);
    ob__jdoc_free(&c->spare_doc);
    free(c->url);
    free(c->token);
    free(c->ca_file);
    free(c->last_message);
    free(c->last_wording);
    free(c->last_action);
    free(c->perm); /* one flat block (permissions.c) */
    free(c->rw);   /* closed by ob_client_free */
    free(c);
}

/* Inside a callback (busy) the client is only shut down here: the library
 * frames still on the stack read it while they unwind, and the outermost
 * one frees it (ob__client_release). A second call, e.g. from a callback
 * that this shutdown runs, does nothing. */
void ob_client_free(ob_client *c) {
    if (!c || c->freeing) return;
    c->freeing = true;
    ob__calls_fail_all(c, OB_ECLOSED, "the client was freed");
    if (c->rw) ob__rworker_close(c);
    if (c->tr) {
        c->tr->ops->close(c->tr);
        c->tr = NULL;
        c->gen++; /* I/O results of the freed connection are ignored */
    }
    attempt_drop(c);
    c->state = CONN_DOWN;
    ob__trace_end(c); /* nothing more goes over the wire */
    ob__client_drop_frames(c);
    ob__events_clear(c);
    if (c->busy > 0) c->free_deferred = true;
    else client_destroy(c);
}
