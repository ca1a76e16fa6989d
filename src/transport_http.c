/* The HTTP transport: NapCat's "HTTP server" and "HTTP SSE server" network
 * types (docs/protocol.md §1.1), with our own HTTP/1.1 client (no libcurl:
 * docs/architecture.md says why, with the measurements).
 *
 * Each call is POST <url>/<action> with the params object as its JSON body;
 * the reply body answers that call, whatever echo it holds. Calls wait in
 * one queue and go out over a small pool of keep-alive connections
 * (HTTP_POOL), PIPELINED: a connection carries up to HTTP_DEPTH requests at
 * once, written together, answered in order (NapCat's server, Express on
 * Node's http, reads pipelined requests and answers them in order). A new
 * connection carries one request until its first response shows it
 * persistent; a peer that closes after a response (HTTP/1.0, Connection:
 * close) gets one request per connection from then on. The queue goes to
 * the least busy open connection; when every open one is busy another is
 * dialed, up to the pool.
 *
 * Events come from GET <url>/_events (text/event-stream, sse.c) on a
 * connection of their own: when it drops, calls are not touched; a
 * "disconnect" lifecycle event is queued and, with reconnect, the stream is
 * reopened with backoff ("reconnect" event). Without reconnect the
 * transport ends once no call is left.
 *
 * Every connection is dialed by dial.c's machine (lookup, TCP, TLS), so no
 * connect ever blocks the loop; opening is the same machine stepped by the
 * client until the probe (GET <url>/) or the event stream answers. Every
 * socket (and a lookup's fd) sits in one epoll fd, which is ob_fd().
 * Nothing of the client runs in here: replies and events are handed to
 * ob__client_inbound, which only queues them. */
#include "http_conn.h"

#include "client_core.h"
#include "text.h"
#include "url.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define HTTP_DEFAULT_TIMEOUT_MS 30000

void ob__http_end(http_transport *t, int code, const char *fmt, const char *detail) {
    if (t->ended) return;
    t->ended = code;
    snprintf(t->ended_why, sizeof t->ended_why, fmt, detail);
}

void ob__http_call_free(http_transport *t, hcall *call) {
    if (call->kind == HC_CALL) {
        t->queued -= call->len;
        t->outstanding--;
    }
    free(call->frame);
    free(call);
}

static hcall *call_new(const char *prefix, const char *path, const char *query, bool encode) {
    size_t np = strlen(prefix), na = strlen(path), nq = strlen(query);
    hcall *call = calloc(1, sizeof *call + np + 1 + 3 * na + nq + 1);
    if (!call) return NULL;
    char *u = call->target;
    memcpy(u, prefix, np);
    u += np;
    *u++ = '/';
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *a = (const unsigned char *)path; *a; a++) {
        bool plain = (*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') || (*a >= '0' && *a <= '9') || *a == '_' ||
                     *a == '.' || *a == '-' || *a == '~';
        if (plain || !encode) *u++ = (char)*a;
        else {
            *u++ = '%';
            *u++ = hex[*a >> 4];
            *u++ = hex[*a & 15];
        }
    }
    memcpy(u, query, nq + 1);
    return call;
}

/* ------------------------------------------------------------ the stream */

/* A lifecycle event, as a frame, so it is read in order with the events
 * the stream delivered before it. */
static void lifecycle(http_transport *t, const char *sub_type) {
    char json[200];
    int n = snprintf(json, sizeof json,
                     "{\"time\":%lld,\"self_id\":%lld,\"post_type\":\"meta_event\",\"meta_event_type\":\"lifecycle\","
                     "\"sub_type\":\"%s\"}",
                     (long long)time(NULL), (long long)t->base.c->self_id, sub_type);
    ob__client_inbound(t->base.c, 0, 0, 0, json, (size_t)n);
}

static bool start_events(http_transport *t) {
    hconn *k = &t->sse;
    if (k->st != HC_FREE || t->sse_off || t->events == OB_EVENTS_NONE || t->ended) return true;
    hcall *call = call_new(t->prefix, "_events", t->query, false);
    if (!call) {
        ob__http_end(t, OB_ENOMEM, "%s", "out of memory");
        return false;
    }
    call->kind = HC_EVENTS;
    call->deadline = ob__now_ms() + t->connect_timeout_ms;
    ob__sse_free(&t->parser);
    ob__sse_init(&t->parser, t->max_message);
    ob__hconn_put(t, k, call);
    char err[300];
    return ob__hconn_dial(t, k, err, sizeof err);
}

/* The stream is gone (it was up, or a reopening failed). */
static void events_lost(http_transport *t, int code, const char *why) {
    bool was_up = t->sse_up;
    t->sse_up = false;
    if (!t->opened) { /* while opening: the attempt fails */
        ob__http_end(t, code == OB_ETIMEOUT ? OB_ETIMEOUT : code == OB_EAUTH ? OB_EAUTH : OB_EIO, "%s", why);
        return;
    }
    if (!t->reconnect) { /* the client reports the disconnect when the transport ends */
        if (!t->draining) {
            t->draining = code == OB_EMSGSIZE ? OB_EMSGSIZE : OB_ECLOSED;
            snprintf(t->draining_why, sizeof t->draining_why, "the event stream was lost: %s", why);
        }
        return;
    }
    if (was_up) {
        lifecycle(t, "disconnect");
        t->base.loss_announced = true;
    }
    if (was_up) t->backoff_ms = t->backoff_initial_ms;
    else {
        long long next = (long long)t->backoff_ms * 2;
        t->backoff_ms = next > t->backoff_max_ms ? t->backoff_max_ms : (int)next;
    }
    t->sse_retry_at = ob__now_ms() + ob__jittered(&t->rng, t->backoff_ms);
}

static void on_event(void *ud, const char *data, size_t len) {
    http_transport *t = ud;
    ob__trace(t->base.c, false, "SSE", data, len);
    ob__client_inbound(t->base.c, 0, 0, 0, data, len);
}

/* The head of GET /_events: is it an event stream? */
static bool events_head(http_transport *t, hconn *k, ob__hres *p) {
    if (p->status == 200 && strncmp(p->type, "text/event-stream", 17) == 0) {
        t->sse_up = true;
        if (t->sse_was_up) lifecycle(t, "reconnect");
        t->base.loss_announced = false;
        t->sse_was_up = true;
        t->opened = true;
        return true;
    }
    char detail[200];
    snprintf(detail, sizeof detail, "HTTP %d, Content-Type %.100s", p->status, p->type[0] ? p->type : "none");
    if (p->status == 401 || p->status == 403) {
        ob__http_end(t, OB_EAUTH, "the server refused the access token (GET /_events: %s)", detail);
    } else if (t->events == OB_EVENTS_SSE) {
        ob__http_end(t, OB_EPROTO,
                     "GET /_events is no event stream (%s): the server is not NapCat's \"HTTP SSE server\"", detail);
    } else {
        /* AUTO: a plain HTTP server; actions only. */
        t->sse_off = true;
        t->opened = true;
    }
    (void)k;
    return true; /* its body is read and dropped; the connection then closes */
}

/* ---------------------------------------------------- responses (http_conn.c) */

bool ob__http_on_head(http_transport *t, hconn *k, ob__hres *p) {
    hcall *call = k->fifo;
    if (call->kind == HC_EVENTS) return events_head(t, k, p);
    return true;
}

void ob__http_on_body(http_transport *t, hconn *k, ob__hres *p, const char *data, size_t n) {
    (void)p;
    hcall *call = k->fifo;
    if (call->kind == HC_EVENTS) {
        if (!t->sse_up) return;
        if (k->fail) return;
        int rc = ob__sse_feed(&t->parser, data, n, on_event, t);
        if (rc != OB_OK) { /* http_conn.c drops the connection when the feed returns */
            k->fail = rc;
            snprintf(k->fail_why, sizeof k->fail_why, "%s",
                     rc == OB_EMSGSIZE ? "an event exceeded max_message_size" : ob_strerror(rc));
        }
        return;
    }
    if (call->kind == HC_CALL) ob__buf_put(&k->body, data, n);
}

static void probe_done(http_transport *t, int status) {
    char why[64];
    snprintf(why, sizeof why, "HTTP %d", status);
    if (status == 401 || status == 403) ob__http_end(t, OB_EAUTH, "the server refused the access token (%s)", why);
    else if (status < 200 || status > 299)
        ob__http_end(t, OB_EPROTO, "GET / answered %s: is the URL NapCat's \"HTTP server\"?", why);
    else t->opened = true;
}

static void call_done(http_transport *t, hcall *call, hconn *k, ob__hres *p) {
    ob_client *c = t->base.c;
    const char *body = k->body.p ? k->body.p : "";
    size_t len = k->body.len;
    char why[160];
    if (p->too_big) {
        snprintf(why, sizeof why, "the reply exceeded max_message_size (%zu bytes)", t->max_message);
        ob__client_inbound(c, call->id, OB_EMSGSIZE, 0, why, strlen(why));
    } else if (k->body.oom) {
        snprintf(why, sizeof why, "out of memory while reading the reply");
        ob__client_inbound(c, call->id, OB_ENOMEM, 0, why, strlen(why));
    } else if (p->status == 401 || p->status == 403) {
        ob__trace(c, false, p->status == 401 ? "HTTP 401" : "HTTP 403", body, len);
        snprintf(why, sizeof why, "the server refused the access token (HTTP %d)", p->status);
        ob__client_inbound(c, call->id, OB_EAUTH, p->status, why, strlen(why));
    } else {
        if (ob__tracing(c)) {
            char label[24];
            snprintf(label, sizeof label, "HTTP %d", p->status);
            ob__trace(c, false, label, body, len);
        }
        ob__client_inbound(c, call->id, 0, p->status, body, len);
    }
}

void ob__http_on_done(http_transport *t, hconn *k, ob__hres *p) {
    hcall *call = k->fifo;
    k->fifo = call->next;
    if (!k->fifo) k->fifo_tail = NULL;
    k->inflight--;
    k->answered_at = ob__now_ms();
    if (k->inflight == 0) k->idle_since = k->answered_at;
    if (call->kind == HC_CALL) call_done(t, call, k, p);
    else if (call->kind == HC_PROBE) probe_done(t, p->status);
    else if (t->sse_up) {
        /* the stream ended as a whole response: the server closed it */
        k->closing = true;
        ob__http_call_free(t, call);
        events_lost(t, OB_ECLOSED, "the server ended it");
        return;
    } else {
        k->closing = true; /* AUTO and no stream: this connection is done */
    }
    ob__http_call_free(t, call);
}

void ob__http_call_failed(http_transport *t, hcall *call, int code, const char *why) {
    if (call->kind == HC_CALL) ob__client_inbound(t->base.c, call->id, code, 0, why, strlen(why));
    else if (call->kind == HC_PROBE) ob__http_end(t, code == OB_ETIMEOUT ? OB_ETIMEOUT : OB_EIO, "%s", why);
    else events_lost(t, code, why);
    ob__http_call_free(t, call);
}

void ob__http_dialed(http_transport *t, hconn *k, int code, const char *why) {
    if (code == OB_OK) return;
    char sentence[400];
    snprintf(sentence, sizeof sentence, "could not connect to the server: %s", why);
    if (k->sse) { /* its GET /_events fails with the dial */
        hcall *call = k->fifo;
        k->fifo = k->fifo_tail = NULL;
        k->inflight = 0;
        ob__buf_free(&k->out);
        k->out = (ob__buf){0};
        if (call) ob__http_call_failed(t, call, code, sentence);
        return;
    }
    if (!t->opened) { /* the probe's connection: the attempt fails */
        ob__http_end(t, code == OB_ETIMEOUT ? OB_ETIMEOUT : OB_EIO, "%s", sentence);
        ob__hconn_drop(t, k, 0, sentence);
        return;
    }
    bool any_open = false;
    for (int i = 0; i < HTTP_POOL; i++) any_open |= t->conns[i].st == HC_OPEN;
    if (!any_open) /* the server is gone: the client fails every call and reconnects */
        ob__http_end(t, OB_ECLOSED, "%s", sentence);
    t->dial_hold_until = ob__now_ms() + HTTP_REDIAL_HOLD_MS;
}

/* --------------------------------------------------------------- the pool */

/* Head-of-line blocking: a server answers a connection's requests in order,
 * so a request pipelined behind a slow one waits for it, however quick it
 * is itself. So a call never goes behind a slow action (an upload, a
 * download: hcall.slow) nor behind a request that has had no answer for
 * HTTP_HOL_MS while nothing on its connection was answered either; a slow
 * action goes only to an idle connection. Such calls wait in the queue for
 * another connection (dialed up to the pool) instead. */
static bool stuck(const hconn *k, long long now) {
    if (!k->fifo) return false;
    if (k->fifo->slow) return true;
    long long since = k->answered_at > k->fifo->put_at ? k->answered_at : k->fifo->put_at;
    return now - since > HTTP_HOL_MS;
}

/* The open connection with the fewest requests in flight that may take
 * call (its index in t->conns), -1 when none may. */
static int least_busy(const http_transport *t, const hcall *call, long long now) {
    int best = -1;
    for (int i = 0; i < HTTP_POOL; i++) {
        const hconn *k = &t->conns[i];
        if (k->st != HC_OPEN || k->closing) continue;
        int cap = k->proven && !t->no_pipeline ? HTTP_DEPTH : 1;
        if (k->inflight >= cap) continue;
        if (k->inflight > 0 && (call->slow || stuck(k, now))) continue;
        if (best < 0 || k->inflight < t->conns[best].inflight) best = i;
    }
    return best;
}

/* Actions that can take seconds in NapCat (files go through QQ's servers). */
static bool slow_action(const char *action) {
    return strncmp(action, "upload_", 7) == 0 || strncmp(action, "download_", 9) == 0 ||
           strcmp(action, "get_group_root_files") == 0 || strcmp(action, "get_group_files_by_folder") == 0;
}

static void maybe_dial(http_transport *t) {
    if (!t->opened || t->ended || ob__now_ms() < t->dial_hold_until) return;
    hconn *free_slot = NULL;
    for (int i = 0; i < HTTP_POOL; i++) {
        if (t->conns[i].st == HC_DIAL) return; /* one at a time */
        if (t->conns[i].st == HC_FREE && !free_slot) free_slot = &t->conns[i];
    }
    if (!free_slot) return;
    char err[300];
    (void)ob__hconn_dial(t, free_slot, err, sizeof err);
}

/* What epoll has seen, stepped: the readiness of every connection. */
static void take_events(http_transport *t) {
    struct epoll_event evs[HTTP_POOL + 4];
    int n = epoll_wait(t->epfd, evs, HTTP_POOL + 4, 0);
    for (int i = 0; i < n; i++) {
        uint32_t idx = evs[i].data.u32;
        hconn *k = idx < HTTP_POOL ? &t->conns[idx] : &t->sse;
        k->ev |= evs[i].events;
    }
    for (int i = 0; i <= HTTP_POOL && !t->ended; i++) {
        hconn *k = i < HTTP_POOL ? &t->conns[i] : &t->sse;
        if (k->st == HC_DIAL && !k->ev) {
            /* a dial sharing the resolver's fd with another: step it too */
            for (int j = 0; j <= HTTP_POOL; j++) {
                hconn *o = j < HTTP_POOL ? &t->conns[j] : &t->sse;
                if (o != k && o->st == HC_DIAL && o->ev && o->reg_fd == k->reg_fd) k->ev = o->ev;
            }
        }
        if (k->st != HC_FREE) ob__hconn_step(t, k);
        else k->ev = 0;
    }
}

/* An idle connection may have been closed by the server since it was last
 * read (its close waits in epoll unread when nobody polled): look before
 * trusting it with a request. Busy ones are read as their answers come. */
static void check_idle(http_transport *t) {
    if (t->events_fresh) return;
    for (int i = 0; i < HTTP_POOL; i++)
        if (t->conns[i].st == HC_OPEN && t->conns[i].inflight == 0) {
            take_events(t);
            return;
        }
}

/* Hands queued calls to connections, then writes. */
static void pump(http_transport *t) {
    if (t->ended) return;
    long long now = ob__now_ms();
    if (t->q_head) check_idle(t);
    while (t->q_head) {
        hcall *call = t->q_head;
        if (call->deadline <= now) { /* the client has failed it already: never send it late */
            t->q_head = call->next;
            if (!t->q_head) t->q_tail = NULL;
            ob__http_call_free(t, call);
            continue;
        }
        int at = least_busy(t, call, now);
        if (at < 0) break;
        hconn *k = &t->conns[at];
        if (k->inflight > 0) maybe_dial(t);
        t->q_head = call->next;
        if (!t->q_head) t->q_tail = NULL;
        ob__hconn_put(t, k, call);
    }
    if (t->q_head) maybe_dial(t);
    for (int i = 0; i < HTTP_POOL; i++) {
        hconn *k = &t->conns[i];
        if (k->st == HC_OPEN && !k->blocked && k->out_at < k->out.len) ob__hconn_write(t, k);
    }
}

/* Something can be written right now. */
static bool work_now(const http_transport *t) {
    for (int i = 0; i < HTTP_POOL; i++) {
        const hconn *k = &t->conns[i];
        if (k->st == HC_OPEN && !k->blocked && k->out_at < k->out.len) return true;
    }
    return t->q_head && least_busy(t, t->q_head, ob__now_ms()) >= 0;
}

/* Timers: idle connections close, stalled ones end, the stream reopens. */
static void timers(http_transport *t) {
    long long now = ob__now_ms();
    for (int i = 0; i < HTTP_POOL; i++) {
        hconn *k = &t->conns[i];
        if (k->st != HC_OPEN) continue;
        if (k->fifo && now >= k->fifo->deadline + HTTP_STALL_SLACK_MS)
            ob__hconn_drop(t, k, 0, "the connection was closed: the server did not answer an earlier call in time");
        else if (!k->fifo && k->out.len == 0 && now >= k->idle_since + HTTP_IDLE_MS) ob__hconn_drop(t, k, 0, NULL);
    }
    hconn *e = &t->sse;
    if (t->opened && e->st == HC_OPEN && !t->sse_up && e->fifo && now >= e->fifo->deadline)
        ob__hconn_drop(t, e, OB_ETIMEOUT, "no answer to GET /_events within connect_timeout_ms");
    if (t->sse_retry_at >= 0 && now >= t->sse_retry_at) {
        t->sse_retry_at = -1;
        start_events(t);
    }
    if (!t->opened && !t->ended && now >= t->open_deadline)
        ob__http_end(t, OB_ETIMEOUT, "no answer from the server within connect_timeout_ms (%s)",
                     t->sse.st != HC_FREE ? "GET /_events" : "GET /");
}

static int result(http_transport *t) {
    if (t->ended) return t->ended;
    if (t->draining && t->outstanding == 0) {
        t->ended = t->draining;
        snprintf(t->ended_why, sizeof t->ended_why, "%s", t->draining_why);
        return t->ended;
    }
    return OB_OK;
}

/* -------------------------------------------------------------- the ops */

static int http_send(ob__transport *tr, ob__request *req, char *why, size_t n) {
    http_transport *t = (http_transport *)tr;
    if (t->draining) {
        snprintf(why, n, "%s", t->draining_why);
        return OB_ECLOSED;
    }
    if (t->queued + req->len > t->max_queued) {
        snprintf(why, n,
                 "%zu bytes of calls already wait for the server, and %zu more would pass the limit of %zu "
                 "(max_queued_bytes)",
                 t->queued, req->len, t->max_queued);
        return OB_EIO;
    }
    hcall *call = call_new(t->prefix, req->action, t->query, true);
    if (!call) return OB_ENOMEM;
    call->kind = HC_CALL;
    call->slow = slow_action(req->action);
    call->id = req->id;
    call->deadline = ob__now_ms() + t->timeout_ms;
    call->frame = req->frame;
    req->frame = NULL;
    call->len = req->len;
    call->params_at = req->params_at;
    call->params_len = req->params_len;
    t->queued += call->len;
    t->outstanding++;
    if (ob__tracing(tr->c)) {
        char label[160];
        snprintf(label, sizeof label, "POST /%.140s", req->action);
        ob__trace(tr->c, true, label, call->frame + call->params_at, call->params_len);
    }
    if (t->q_tail) t->q_tail->next = call;
    else t->q_head = call;
    t->q_tail = call;
    return OB_OK; /* written by flush/io: many calls leave in one write */
}

static int http_flush(ob__transport *tr) {
    http_transport *t = (http_transport *)tr;
    pump(t);
    return result(t);
}

static int http_io(ob__transport *tr, int flags) {
    (void)flags; /* the epoll fd says which sockets are ready */
    http_transport *t = (http_transport *)tr;
    take_events(t);
    if (!t->ended) timers(t);
    t->events_fresh = true; /* pump need not look again */
    pump(t);
    t->events_fresh = false;
    return result(t);
}

static int http_fd(const ob__transport *tr) { return ((const http_transport *)tr)->epfd; }

/* Calls queued (ob_call_async) are written by flush, which the client runs
 * when this is true; blocked writes wait in the epoll fd (never POLLOUT on it). */
static bool http_wants_write(const ob__transport *tr) { return work_now((const http_transport *)tr); }

/* TLS input decrypted and buffered, which poll() cannot see. */
static bool http_pending(const ob__transport *tr) {
    const http_transport *t = (const http_transport *)tr;
    for (int i = 0; i <= HTTP_POOL; i++) {
        const hconn *k = i < HTTP_POOL ? &t->conns[i] : &t->sse;
        if (k->st == HC_OPEN && ob__stream_pending(&k->s)) return true;
    }
    return false;
}

static long long http_due(const ob__transport *tr) {
    const http_transport *t = (const http_transport *)tr;
    long long now = ob__now_ms();
    if (work_now(t) || t->ended || (t->draining && t->outstanding == 0)) return now;
    long long due = t->opened ? t->sse_retry_at : t->open_deadline;
    for (int i = 0; i <= HTTP_POOL; i++) {
        long long d = ob__hconn_due(t, i < HTTP_POOL ? &t->conns[i] : &t->sse);
        if (d >= 0 && (due < 0 || d < due)) due = d;
    }
    if (t->q_head && t->dial_hold_until > now && (due < 0 || t->dial_hold_until < due)) due = t->dial_hold_until;
    return due;
}

static uint64_t http_rx_bytes(const ob__transport *tr) { return ((const http_transport *)tr)->rx; }

static int http_lost(ob__transport *tr, int rc, char *why, size_t n) {
    http_transport *t = (http_transport *)tr;
    if (!t->ended) {
        snprintf(why, n, "the connection failed: %s", ob_strerror(rc));
        return rc == OB_EIO ? OB_EIO : OB_ECLOSED;
    }
    snprintf(why, n, "%s", t->ended_why);
    return t->ended == OB_EAUTH || t->ended == OB_EMSGSIZE || t->ended == OB_EIO ? t->ended : OB_ECLOSED;
}

static void http_want_events(ob__transport *tr) {
    http_transport *t = (http_transport *)tr;
    if (t->events == OB_EVENTS_NONE || t->sse_retry_at >= 0 || t->draining) return;
    t->sse_wanted = true;
    (void)start_events(t);
}

static void http_free(ob__transport *tr) {
    http_transport *t = (http_transport *)tr;
    if (!t) return;
    for (int i = 0; i <= HTTP_POOL; i++) ob__hconn_free(i < HTTP_POOL ? &t->conns[i] : &t->sse);
    while (t->q_head) {
        hcall *call = t->q_head;
        t->q_head = call->next;
        ob__http_call_free(t, call);
    }
    if (t->epfd >= 0) close(t->epfd);
    ob__sse_free(&t->parser);
    free(t->url);
    free(t->prefix);
    free(t->post_head);
    free(t->get_head);
    free((char *)t->dial_opts.tls_ca_file);
    free(t);
}

/* Nothing to say goodbye with: closing is freeing. */
static void http_close(ob__transport *tr) { http_free(tr); }

static const ob__transport_ops http_ops = OB__TRANSPORT_OPS(http);

/* ------------------------------------------------------------- opening */

static bool token_ok(const char *token) {
    for (const unsigned char *p = (const unsigned char *)token; p && *p; p++)
        if (*p < 0x20 || *p == 0x7f) return false;
    return true;
}

/* The request heads' constant parts, and the path prefix and query. */
static bool make_heads(http_transport *t, const ob__url *u, const char *token) {
    const char *path = u->path;
    size_t q = strcspn(path, "?#"), b = q;
    while (b > 0 && path[b - 1] == '/') b--;
    size_t nq = strcspn(path + q, "#");
    t->prefix = malloc(b + 1 + nq + 1);
    if (!t->prefix) return false;
    memcpy(t->prefix, path, b);
    t->prefix[b] = '\0';
    t->query = t->prefix + b + 1;
    memcpy(t->query, path + q, nq);
    t->query[nq] = '\0';
    bool ipv6 = strchr(u->host, ':') != NULL;
    char host[300];
    if (u->port == (u->tls ? 443 : 80)) snprintf(host, sizeof host, ipv6 ? "[%s]" : "%s", u->host);
    else snprintf(host, sizeof host, ipv6 ? "[%s]:%d" : "%s:%d", u->host, u->port);
    bool auth = token && token[0];
    size_t cap = strlen(host) + (auth ? strlen(token) : 0) + 160;
    t->post_head = malloc(cap);
    t->get_head = malloc(cap);
    if (!t->post_head || !t->get_head) return false;
    snprintf(t->get_head, cap, " HTTP/1.1\r\nHost: %s\r\n%s%s%s", host, auth ? "Authorization: Bearer " : "",
             auth ? token : "", auth ? "\r\n" : "");
    int n = snprintf(t->post_head, cap, " HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s%s%s", host,
                     auth ? "Authorization: Bearer " : "", auth ? token : "", auth ? "\r\n" : "");
    t->post_head_len = (size_t)n;
    return true;
}

ob__transport *ob__http_transport_start(ob_client *c, ob__transport_cfg *cfg, int *code, char *err, size_t n) {
    ob__url *url = calloc(1, sizeof *url); /* 2 KiB of path: not on the stack */
    if (!url) {
        *code = OB_ENOMEM;
        snprintf(err, n, "out of memory");
        return NULL;
    }
    *code = ob__url_parse(cfg->url, url, err, n);
    if (*code == OB_OK && !token_ok(cfg->token)) {
        *code = OB_EINVAL;
        snprintf(err, n, "the access token contains a line break or control character");
    }
    if (*code != OB_OK) {
        free(url);
        return NULL;
    }
    *code = OB_ENOMEM;
    snprintf(err, n, "out of memory");
    http_transport *t = calloc(1, sizeof *t);
    if (!t) {
        free(url);
        return NULL;
    }
    t->base.ops = &http_ops;
    t->base.c = c;
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    t->max_message = cfg->max_message;
    for (int i = 0; i < HTTP_POOL; i++) ob__hconn_init(t, &t->conns[i], i, false);
    ob__hconn_init(t, &t->sse, HTTP_POOL, true);
    t->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
    t->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : HTTP_DEFAULT_TIMEOUT_MS;
    t->max_message = cfg->max_message;
    t->max_queued = cfg->max_queued;
    t->events = cfg->events;
    t->sse_retry_at = -1;
    t->reconnect = cfg->reconnect;
    t->backoff_initial_ms = t->backoff_ms = cfg->reconnect_initial_ms > 0 ? cfg->reconnect_initial_ms : 500;
    t->backoff_max_ms = cfg->reconnect_max_ms > 0 ? cfg->reconnect_max_ms : 30000;
    t->rng = (uint64_t)ob__now_ms() ^ (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ull;
    t->open_deadline = ob__now_ms() + t->connect_timeout_ms;
    t->url = strdup(cfg->url);
    char *ca = cfg->tls_ca_file ? strdup(cfg->tls_ca_file) : NULL;
    t->dial_opts = (ob__ws_client_opts){.url = t->url,
                                        .timeout_ms = t->connect_timeout_ms,
                                        .tls_insecure = cfg->tls_insecure,
                                        .tls_ca_file = ca,
                                        .raw = true};
    bool ok = t->epfd >= 0 && t->url && (ca || !cfg->tls_ca_file) && make_heads(t, url, cfg->token);
    free(url);
    if (!ok) {
        http_free(&t->base);
        return NULL;
    }
    bool sse = cfg->events == OB_EVENTS_SSE || (cfg->events == OB_EVENTS_AUTO && cfg->want_events);
    err[0] = '\0';
    if (sse) {
        t->sse_wanted = true;
        start_events(t);
    } else {
        hcall *probe = call_new(t->prefix, "", t->query, false);
        if (!probe) {
            http_free(&t->base);
            return NULL;
        }
        probe->kind = HC_PROBE;
        probe->deadline = t->open_deadline;
        ob__hconn_put(t, &t->conns[0], probe);
        ob__hconn_dial(t, &t->conns[0], err, n);
    }
    *code = OB_OK;
    return &t->base;
}

int ob__http_transport_step(ob__transport *tr, int ready, int *retcode, char *err, size_t n) {
    http_transport *t = (http_transport *)tr;
    *retcode = 403;
    int rc = http_io(tr, ready);
    if (rc == OB_OK && !t->opened) return OB__MORE;
    if (rc == OB_OK) return OB_OK;
    snprintf(err, n, "%s", t->ended_why);
    http_free(tr);
    return rc;
}

ob__wait ob__http_transport_wait(const ob__transport *tr) {
    const http_transport *t = (const http_transport *)tr;
    long long due = http_due(tr);
    return (ob__wait){t->epfd, POLLIN, due >= 0 && due < t->open_deadline ? due : t->open_deadline};
}
