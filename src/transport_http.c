/* The HTTP transport: NapCat's "HTTP server" and "HTTP SSE server" network
 * types (docs/protocol.md §1.1), through libcurl's multi interface driven by
 * the client's loop.
 *
 * Each call is POST <url>/<action> with the params object as its JSON body;
 * the reply body answers that call, whatever echo it holds. At most
 * HTTP_POOL calls are on the wire at once, each on its own keep-alive
 * connection from curl's cache (HTTP/1.1 has no multiplexing); more wait
 * here, in order, holding only their request text. Events come from
 * GET <url>/_events (text/event-stream, sse.c) on one more connection.
 *
 * curl's sockets are gathered in one epoll fd, which is the transport's fd:
 * a caller polling ob_fd() wakes for any of them (CURLMOPT_SOCKETFUNCTION),
 * and curl's timer is the transport's due() (CURLMOPT_TIMERFUNCTION).
 * Nothing of the client runs inside curl: replies and events are handed to
 * ob__client_inbound, which only queues them. */
#include "client_core.h"
#include "json.h"
#include "net.h"
#include "sse.h"
#include "transport.h"
#include "url.h"

#include <curl/curl.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Calls on the wire at once (and so keep-alive connections for calls). */
#define HTTP_POOL 8
/* How long past a call's own deadline curl may still hold its transfer (the
 * client ends the call at the deadline; this only frees the connection). */
#define HTTP_TIMEOUT_SLACK_MS 1000

typedef struct http_call {
    struct http_call *next;
    uint64_t id;
    char *frame; /* the WebSocket frame; the body is frame[params_at .. + params_len) */
    size_t len, params_at, params_len;
    char url[]; /* <base>/<action><query> */
} http_call;

enum slot_kind { SLOT_CALL, SLOT_PROBE, SLOT_SSE };

typedef struct http_transport http_transport;

typedef struct http_slot {
    CURL *easy; /* made once, reused (curl keeps the connections) */
    http_transport *t;
    enum slot_kind kind;
    bool busy;
    http_call *call; /* SLOT_CALL: the call on the wire */
    ob__buf body;
    bool too_big;
    char err[CURL_ERROR_SIZE];
} http_slot;

struct http_transport {
    ob__transport base;
    CURLM *multi;
    int epfd;
    long long timer_at; /* curl's timer, -1 = none */
    struct curl_slist *post_headers, *sse_headers;
    char *url_base, *query; /* the URL without its trailing '/' and query; the query ("?..." or "") */
    int timeout_ms;
    size_t max_message, max_queued, queued;
    ob_event_source events;

    http_slot calls[HTTP_POOL];
    http_slot aux; /* the probe (GET <url>/), then the event stream */
    http_call *q_head, *q_tail;

    ob__sse sse;
    bool sse_headers_seen, sse_up;
    uint64_t rx; /* event stream bytes */

    int ended; /* != OB_OK: the connection is over (io returns it) */
    char ended_why[420];
};

/* ------------------------------------------------------------ curl glue */

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp) {
    (void)e;
    (void)socketp;
    http_transport *t = userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(t->epfd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    struct epoll_event ev = {.events = 0, .data.fd = s};
    if (what & CURL_POLL_IN) ev.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) ev.events |= EPOLLOUT;
    if (epoll_ctl(t->epfd, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT) epoll_ctl(t->epfd, EPOLL_CTL_ADD, s, &ev);
    return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *userp) {
    (void)m;
    http_transport *t = userp;
    t->timer_at = timeout_ms < 0 ? -1 : ob__now_ms() + timeout_ms;
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud) {
    http_slot *s = ud;
    size_t n = size * nmemb;
    if (s->body.len + n > s->t->max_message) {
        s->too_big = true;
        return 0; /* curl ends the transfer: CURLE_WRITE_ERROR */
    }
    ob__buf_put(&s->body, data, n);
    return s->body.oom ? 0 : n;
}

static void end_connection(http_transport *t, int code, const char *fmt, const char *detail) {
    if (t->ended) return;
    t->ended = code;
    snprintf(t->ended_why, sizeof t->ended_why, fmt, detail);
}

static void on_event(void *ud, const char *data, size_t len) {
    http_transport *t = ud;
    ob__trace(t->base.c, false, "SSE", data, len);
    ob__client_inbound(t->base.c, 0, 0, 0, data, len);
}

/* The event stream's response head is complete: is it one? */
static bool check_sse_head(http_transport *t) {
    long status = 0;
    const char *type = NULL;
    curl_easy_getinfo(t->aux.easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(t->aux.easy, CURLINFO_CONTENT_TYPE, &type);
    t->sse_headers_seen = true;
    if (status == 200 && type && strncmp(type, "text/event-stream", 17) == 0) {
        t->sse_up = true;
        return true;
    }
    char detail[200];
    snprintf(detail, sizeof detail, "HTTP %ld, Content-Type %.100s", status, type ? type : "none");
    if (status == 401 || status == 403)
        end_connection(t, OB_EAUTH, "the server refused the access token (GET /_events: %s)", detail);
    else if (t->events == OB_EVENTS_SSE)
        end_connection(t, OB_EPROTO,
                       "GET /_events is no event stream (%s): the server is not NapCat's \"HTTP SSE server\"", detail);
    /* else AUTO: a plain HTTP server; actions only */
    return false;
}

static size_t on_sse_header(char *data, size_t size, size_t nmemb, void *ud) {
    http_transport *t = ud;
    size_t n = size * nmemb;
    if ((n == 2 && data[0] == '\r') || (n == 1 && data[0] == '\n')) {
        long status = 0;
        curl_easy_getinfo(t->aux.easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200) (void)check_sse_head(t); /* not after a 1xx head */
    }
    return n;
}

static size_t on_sse_data(char *data, size_t size, size_t nmemb, void *ud) {
    http_transport *t = ud;
    size_t n = size * nmemb;
    if (!t->sse_up) return 0; /* not an event stream (see check_sse_head) */
    t->rx += n;
    int rc = ob__sse_feed(&t->sse, data, n, on_event, t);
    if (rc == OB_EMSGSIZE)
        end_connection(t, OB_EMSGSIZE, "the event stream was closed: an event exceeded max_message_size%s", "");
    else if (rc != OB_OK) end_connection(t, rc, "the event stream was closed: %s", ob_strerror(rc));
    return rc == OB_OK ? n : 0;
}

/* What a failed transfer means: an error code and a sentence. */
static int transfer_error(const http_slot *s, CURLcode res, char *why, size_t n) {
    const char *detail = s->err[0] ? s->err : curl_easy_strerror(res);
    switch (res) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST: snprintf(why, n, "could not connect to the server: %s", detail); return OB_ECLOSED;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE: snprintf(why, n, "the connection was lost: %s", detail); return OB_ECLOSED;
    case CURLE_OPERATION_TIMEDOUT: snprintf(why, n, "%s", detail); return OB_ETIMEOUT;
    case CURLE_WRITE_ERROR:
        if (s->too_big) {
            snprintf(why, n, "the reply exceeded max_message_size (%zu bytes)", s->t->max_message);
            return OB_EMSGSIZE;
        }
        snprintf(why, n, "out of memory while reading the reply");
        return OB_ENOMEM;
    default: snprintf(why, n, "%s", detail); return OB_EIO;
    }
}

/* ---------------------------------------------------------------- slots */

static bool slot_init(http_transport *t, http_slot *s, enum slot_kind kind, const ob__transport_cfg *cfg) {
    s->t = t;
    s->kind = kind;
    s->easy = curl_easy_init();
    if (!s->easy) return false;
    CURL *e = s->easy;
    curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->err);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_PROXY, ""); /* as a WebSocket client: no proxy from the environment */
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
    if (cfg->tls_insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (cfg->tls_ca_file) curl_easy_setopt(e, CURLOPT_CAINFO, cfg->tls_ca_file);
    if (kind == SLOT_SSE) {
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->sse_headers);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_sse_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_sse_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, kind == SLOT_CALL ? t->post_headers : t->sse_headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    }
    return true;
}

static void slot_start(http_slot *s) {
    s->busy = true;
    s->too_big = false;
    s->err[0] = '\0';
    s->body.len = 0;
    if (curl_multi_add_handle(s->t->multi, s->easy) != CURLM_OK) {
        /* Only out of memory; the transfer ends as failed at the next io. */
        s->busy = false;
        snprintf(s->err, sizeof s->err, "out of memory");
    }
}

static void call_free(http_transport *t, http_call *call) {
    t->queued -= call->len;
    free(call->frame);
    free(call);
}

/* Puts waiting calls on free slots. A call that ended meanwhile (its
 * deadline passed while it waited) is dropped unsent. */
static void start_waiting(http_transport *t) {
    for (int i = 0; i < HTTP_POOL && t->q_head; i++) {
        http_slot *s = &t->calls[i];
        if (s->busy) continue;
        http_call *call = NULL;
        const ob__call *pending = NULL;
        while (t->q_head && !pending) {
            call = t->q_head;
            t->q_head = call->next;
            if (!t->q_head) t->q_tail = NULL;
            pending = ob__echo_table_get(&t->base.c->pending, call->id);
            if (!pending) call_free(t, call);
        }
        if (!pending) return;
        long left = (long)(pending->deadline - ob__now_ms());
        s->call = call;
        curl_easy_setopt(s->easy, CURLOPT_URL, &call->url[0]);
        curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->params_len);
        curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, call->frame + call->params_at);
        curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, (left > 0 ? left : 1) + HTTP_TIMEOUT_SLACK_MS);
        slot_start(s);
        if (!s->busy) {
            ob__client_inbound(t->base.c, call->id, OB_ENOMEM, 0, s->err, strlen(s->err));
            s->call = NULL;
            call_free(t, call);
        }
    }
}

static void finish_call(http_transport *t, http_slot *s, CURLcode res) {
    http_call *call = s->call;
    s->call = NULL;
    ob_client *c = t->base.c;
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    char why[CURL_ERROR_SIZE + 64];
    if (res != CURLE_OK) {
        int code = transfer_error(s, res, why, sizeof why);
        ob__client_inbound(c, call->id, code, 0, why, strlen(why));
    } else if (status == 401 || status == 403) {
        ob__trace(c, false, status == 401 ? "HTTP 401" : "HTTP 403", s->body.p ? s->body.p : "", s->body.len);
        snprintf(why, sizeof why, "the server refused the access token (HTTP %ld)", status);
        ob__client_inbound(c, call->id, OB_EAUTH, (int)status, why, strlen(why));
    } else {
        if (ob__tracing(c)) {
            char label[24];
            snprintf(label, sizeof label, "HTTP %ld", status);
            ob__trace(c, false, label, s->body.p ? s->body.p : "", s->body.len);
        }
        ob__client_inbound(c, call->id, 0, (int)status, s->body.p ? s->body.p : "", s->body.len);
    }
    call_free(t, call);
}

static void finish_aux(http_transport *t, http_slot *s, CURLcode res) {
    char why[CURL_ERROR_SIZE + 64];
    if (s->kind == SLOT_SSE) {
        bool was_up = t->sse_up;
        t->sse_up = false;
        if (t->ended) return; /* already explained: refused token, not an event stream, oversize */
        if (!was_up && t->sse_headers_seen) return; /* AUTO, and no event stream: actions only */
        if (!was_up) {                              /* never answered */
            int code = transfer_error(s, res, why, sizeof why);
            end_connection(t, code == OB_ETIMEOUT ? OB_ETIMEOUT : OB_EIO, "%s", why);
            return;
        }
        if (res == CURLE_OK || res == CURLE_WRITE_ERROR) snprintf(why, sizeof why, "the server ended it");
        else (void)transfer_error(s, res, why, sizeof why);
        end_connection(t, OB_ECLOSED, "the event stream was lost: %s", why);
        return;
    }
    /* The probe, GET <url>/: answered is enough, unless the token was refused. */
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    if (res != CURLE_OK) {
        int code = transfer_error(s, res, why, sizeof why);
        end_connection(t, code == OB_ETIMEOUT ? OB_ETIMEOUT : OB_EIO, "%s", why);
    } else if (status == 401 || status == 403) {
        snprintf(why, sizeof why, "HTTP %ld", status);
        end_connection(t, OB_EAUTH, "the server refused the access token (%s)", why);
    } else if (status < 200 || status > 299) {
        snprintf(why, sizeof why, "HTTP %ld", status);
        end_connection(t, OB_EPROTO, "GET / answered %s: is the URL NapCat's \"HTTP server\"?", why);
    }
}

/* Hands every finished transfer to its owner, then fills the free slots. */
static void collect(http_transport *t) {
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(t->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        CURL *e = m->easy_handle;
        CURLcode res = m->data.result;
        http_slot *s = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&s);
        curl_multi_remove_handle(t->multi, e);
        s->busy = false;
        if (s->kind == SLOT_CALL) finish_call(t, s, res);
        else finish_aux(t, s, res);
    }
    start_waiting(t);
}

static void kick(http_transport *t) {
    int running;
    t->timer_at = -1;
    curl_multi_socket_action(t->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

/* -------------------------------------------------------------- the ops */

/* <base>/<action><query>, the action percent-encoded where it must be. */
static http_call *call_new(http_transport *t, const char *action) {
    size_t nb = strlen(t->url_base), na = strlen(action), nq = strlen(t->query);
    http_call *call = malloc(sizeof *call + nb + 1 + 3 * na + nq + 1);
    if (!call) return NULL;
    char *u = call->url;
    memcpy(u, t->url_base, nb);
    u += nb;
    *u++ = '/';
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *a = (const unsigned char *)action; *a; a++) {
        bool plain = (*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') || (*a >= '0' && *a <= '9') || *a == '_' ||
                     *a == '.' || *a == '-' || *a == '~';
        if (plain) *u++ = (char)*a;
        else {
            *u++ = '%';
            *u++ = hex[*a >> 4];
            *u++ = hex[*a & 15];
        }
    }
    memcpy(u, t->query, nq + 1);
    call->next = NULL;
    return call;
}

static int http_send(ob__transport *tr, ob__request *req, char *why, size_t n) {
    http_transport *t = (http_transport *)tr;
    if (t->queued + req->len > t->max_queued) {
        snprintf(why, n,
                 "%zu bytes of calls already wait for the server, and %zu more would pass the limit of %zu "
                 "(max_queued_bytes)",
                 t->queued, req->len, t->max_queued);
        return OB_EIO;
    }
    http_call *call = call_new(t, req->action);
    if (!call) return OB_ENOMEM;
    call->id = req->id;
    call->frame = req->frame;
    req->frame = NULL;
    call->len = req->len;
    call->params_at = req->params_at;
    call->params_len = req->params_len;
    t->queued += call->len;
    if (ob__tracing(tr->c)) {
        char label[160];
        snprintf(label, sizeof label, "POST /%.140s", req->action);
        ob__trace(tr->c, true, label, call->frame + call->params_at, call->params_len);
    }
    if (t->q_tail) t->q_tail->next = call;
    else t->q_head = call;
    t->q_tail = call;
    start_waiting(t);
    return OB_OK;
}

static int http_flush(ob__transport *tr) {
    http_transport *t = (http_transport *)tr;
    kick(t);
    collect(t);
    return t->ended;
}

static int http_io(ob__transport *tr, int flags) {
    (void)flags; /* the epoll fd says which sockets are ready */
    http_transport *t = (http_transport *)tr;
    struct epoll_event evs[16];
    int n = epoll_wait(t->epfd, evs, 16, 0);
    for (int i = 0; i < n; i++) {
        int mask = 0, running;
        if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) mask |= CURL_CSELECT_IN;
        if (evs[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
        if (evs[i].events & EPOLLERR) mask |= CURL_CSELECT_ERR;
        curl_multi_socket_action(t->multi, evs[i].data.fd, mask, &running);
    }
    if (t->timer_at >= 0 && ob__now_ms() >= t->timer_at) kick(t);
    collect(t);
    return t->ended;
}

static int http_fd(const ob__transport *tr) { return ((const http_transport *)tr)->epfd; }

/* Writes wait in curl's sockets, which the epoll fd watches: never POLLOUT on it. */
static bool http_wants_write(const ob__transport *tr) {
    (void)tr;
    return false;
}

/* curl reads TLS records whole; nothing waits where poll() cannot see. */
static bool http_pending(const ob__transport *tr) { return http_wants_write(tr); }

static long long http_due(const ob__transport *tr) { return ((const http_transport *)tr)->timer_at; }

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

static void start_events(http_transport *t) {
    if (t->aux.busy || t->sse_up || t->events == OB_EVENTS_NONE) return;
    if (t->aux.kind != SLOT_SSE) {
        curl_easy_setopt(t->aux.easy, CURLOPT_HTTPHEADER, t->sse_headers);
        curl_easy_setopt(t->aux.easy, CURLOPT_HEADERFUNCTION, on_sse_header);
        curl_easy_setopt(t->aux.easy, CURLOPT_HEADERDATA, t);
        curl_easy_setopt(t->aux.easy, CURLOPT_WRITEFUNCTION, on_sse_data);
        curl_easy_setopt(t->aux.easy, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(t->aux.easy, CURLOPT_TCP_KEEPALIVE, 1L);
        t->aux.kind = SLOT_SSE;
    }
    size_t nb = strlen(t->url_base), nq = strlen(t->query);
    size_t room = nb + strlen("/_events") + nq + 1;
    char *url = malloc(room);
    if (!url) return;
    snprintf(url, room, "%s/_events%s", t->url_base, t->query);
    curl_easy_setopt(t->aux.easy, CURLOPT_URL, url); /* curl keeps a copy */
    free(url);
    curl_easy_setopt(t->aux.easy, CURLOPT_HTTPGET, 1L);
    ob__sse_free(&t->sse);
    t->sse_headers_seen = false;
    slot_start(&t->aux);
}

static void http_want_events(ob__transport *tr) {
    http_transport *t = (http_transport *)tr;
    start_events(t);
    kick(t);
}

static void http_free(ob__transport *tr) {
    http_transport *t = (http_transport *)tr;
    if (!t) return;
    for (int i = 0; i <= HTTP_POOL; i++) {
        http_slot *s = i < HTTP_POOL ? &t->calls[i] : &t->aux;
        if (!s->easy) continue;
        if (s->busy) curl_multi_remove_handle(t->multi, s->easy);
        if (s->call) call_free(t, s->call);
        curl_easy_cleanup(s->easy);
        ob__buf_free(&s->body);
    }
    while (t->q_head) {
        http_call *call = t->q_head;
        t->q_head = call->next;
        call_free(t, call);
    }
    if (t->multi) curl_multi_cleanup(t->multi);
    if (t->epfd >= 0) close(t->epfd);
    curl_slist_free_all(t->post_headers);
    curl_slist_free_all(t->sse_headers);
    ob__sse_free(&t->sse);
    free(t->url_base);
    free(t);
    curl_global_cleanup();
}

/* Nothing to say goodbye with: closing is freeing. */
static void http_close(ob__transport *tr) { http_free(tr); }

static const ob__transport_ops http_ops = OB__TRANSPORT_OPS(http);

/* ------------------------------------------------------------- opening */

static bool add_header(struct curl_slist **list, const char *h) {
    struct curl_slist *l = curl_slist_append(*list, h);
    if (l) *list = l;
    return l != NULL;
}

static bool make_headers(http_transport *t, const char *token) {
    char *auth = NULL;
    if (token && token[0]) {
        size_t n = strlen(token) + sizeof "Authorization: Bearer ";
        auth = malloc(n);
        if (!auth) return false;
        snprintf(auth, n, "Authorization: Bearer %s", token);
    }
    bool ok = add_header(&t->post_headers, "Content-Type: application/json") &&
              add_header(&t->post_headers, "Expect:") /* no 100-continue round trip for big bodies */
              && (!auth || add_header(&t->post_headers, auth)) &&
              add_header(&t->sse_headers, "Accept: text/event-stream") && (!auth || add_header(&t->sse_headers, auth));
    free(auth);
    return ok;
}

/* base = the URL up to its query, without a trailing '/'; query = the rest. */
static bool split_url(http_transport *t, const char *url) {
    size_t n = strcspn(url, "?#");
    t->url_base = malloc(strlen(url) + 2);
    if (!t->url_base) return false;
    memcpy(t->url_base, url, n);
    size_t b = n;
    while (b > 0 && t->url_base[b - 1] == '/') b--;
    t->url_base[b] = '\0';
    t->query = t->url_base + b + 1;
    size_t q = strcspn(url + n, "#");
    memcpy(t->query, url + n, q);
    t->query[q] = '\0';
    return true;
}

/* Runs the transport until the probe or the event stream has answered (or
 * the connect deadline). */
static int wait_open(http_transport *t, int timeout_ms) {
    long long until = ob__now_ms() + timeout_ms;
    kick(t);
    collect(t);
    while (!t->ended && t->aux.busy && !t->sse_up) {
        long long now = ob__now_ms();
        if (now >= until) {
            end_connection(t, OB_ETIMEOUT, "no answer from the server within connect_timeout_ms (%s)",
                           t->aux.kind == SLOT_SSE ? "GET /_events" : "GET /");
            break;
        }
        long long wait = until - now;
        if (t->timer_at >= 0 && t->timer_at - now < wait) wait = t->timer_at > now ? t->timer_at - now : 0;
        struct pollfd pfd = {.fd = t->epfd, .events = POLLIN, .revents = 0};
        if (poll(&pfd, 1, (int)wait) < 0 && errno != EINTR) {
            end_connection(t, OB_EIO, "poll failed: %s", strerror(errno));
            break;
        }
        (void)http_io(&t->base, 0);
    }
    return t->ended;
}

ob__transport *ob__http_transport_open(ob_client *c, ob__transport_cfg *cfg, int *code, char *err, size_t n) {
    ob__url u;
    *code = ob__url_parse(cfg->url, &u, err, n);
    if (*code != OB_OK) return NULL;
    *code = OB_ENOMEM;
    snprintf(err, n, "out of memory");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
    http_transport *t = calloc(1, sizeof *t);
    if (!t) {
        curl_global_cleanup();
        return NULL;
    }
    t->base.ops = &http_ops;
    t->base.c = c;
    t->timer_at = -1;
    t->timeout_ms = cfg->timeout_ms;
    t->max_message = cfg->max_message;
    t->max_queued = cfg->max_queued;
    t->events = cfg->events;
    ob__sse_init(&t->sse, cfg->max_message);
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    t->multi = curl_multi_init();
    bool ok = t->epfd >= 0 && t->multi && split_url(t, cfg->url) && make_headers(t, cfg->token);
    bool sse = cfg->events == OB_EVENTS_SSE || (cfg->events == OB_EVENTS_AUTO && cfg->want_events);
    for (int i = 0; ok && i < HTTP_POOL; i++) ok = slot_init(t, &t->calls[i], SLOT_CALL, cfg);
    ok = ok && slot_init(t, &t->aux, sse ? SLOT_SSE : SLOT_PROBE, cfg);
    if (!ok) {
        http_free(&t->base);
        return NULL;
    }
    curl_multi_setopt(t->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(t->multi, CURLMOPT_SOCKETDATA, t);
    curl_multi_setopt(t->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(t->multi, CURLMOPT_TIMERDATA, t);
    curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, (long)HTTP_POOL + 2);

    if (sse) {
        start_events(t);
    } else {
        char *url = malloc(strlen(t->url_base) + strlen(t->query) + 2);
        if (!url) {
            http_free(&t->base);
            return NULL;
        }
        snprintf(url, strlen(t->url_base) + strlen(t->query) + 2, "%s/%s", t->url_base, t->query);
        curl_easy_setopt(t->aux.easy, CURLOPT_URL, url);
        free(url);
        slot_start(&t->aux);
    }
    *code = wait_open(t, cfg->connect_timeout_ms);
    cfg->retcode = 403;
    if (*code != OB_OK) {
        snprintf(err, n, "%s", t->ended_why);
        http_free(&t->base);
        return NULL;
    }
    return &t->base;
}
