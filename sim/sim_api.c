/* NapCat's HTTP server network type (network/http-server.ts and
 * http-server-sse.ts): one listener per account that has one (--http ADDR),
 * serving
 *
 *   POST /ACTION    params from the body (JSON, or a urlencoded form) and
 *                    the query; the query wins on a clash (NapCat: the
 *                    payload is {...body, ...query})
 *   GET  /ACTION    params from the query only
 *   GET  /           the banner {"status":"ok",...,"message":"NapCat4 Is Running"}
 *   GET  /_events    an SSE stream of the account's events (`data: <json>\n\n`)
 *
 * with keep-alive, NapCat's 403 {"message":"token verify failed!"} for a
 * missing or wrong token, 400 `Invalid JSON` for a body that does not parse,
 * and CORS as express's cors() answers. A request runs through the same
 * dispatcher as a WebSocket frame (sim_server_handle), as a frame
 * {"action":..,"params":..,"echo":..}; the HTTP retcodes (400 for a bad
 * param, 200 for a failure or an unknown action) are chosen there. */
#include "sim_server_internal.h"
#include "http.h"
#include "http_body.h"
#include "net.h"
#include "text.h"
#include <onebot/types.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

/* NapCat's body limit is express's 5000mb; ours is its WebSocket frame limit. */
#define SIM_API_MAX_BODY (50u << 20)
/* What one request may take: its head and its body, chunked with framing
   (http_body.c refuses more framing than that). */
#define SIM_API_MAX_REQUEST (OB_HTTP_MAX_HEAD + 2 * (size_t)SIM_API_MAX_BODY + 4096)
/* node's server.keepAliveTimeout: an idle kept-alive connection is closed then. */
#define SIM_API_IDLE_MS 5000
/* node's headersTimeout: a request must have arrived whole by then. */
#define SIM_API_REQUEST_MS 60000
/* express's qs parameterLimit: keys past it are ignored. */
#define SIM_API_MAX_PARAMS 1000

typedef struct sim_api_conn {
    struct sim_api_conn *next;
    int fd;
    size_t account;
    bool sse;         /* streaming the account's events */
    bool close_after; /* Connection: close (or HTTP/1.0): close once the answer is out */
    bool continued;   /* "100 Continue" sent for this request */
    long long deadline;
    char *in; /* request bytes read and not yet answered */
    size_t in_len, in_cap;
    size_t need; /* the request is not whole before in_len reaches this */
    ob__buf out; /* answer bytes not yet written, from out_off */
    size_t out_off;
    char peer[64];
} sim_api_conn;

typedef struct sim_api_listener {
    int fd, port;
    size_t account;
} sim_api_listener;

struct sim_api {
    sim_api_listener *ls;
    size_t nls;
    sim_api_conn *conns;
};

/* ------------------------------------------------------------------ listeners */

int sim_api_start(ob_sim *s, char *err, size_t errlen) {
    size_t n = 0;
    for (size_t i = 0; i < s->naccounts; i++) n += s->accounts[i].http_host != NULL;
    if (!n) return 0;
    s->api = calloc(1, sizeof *s->api);
    if (s->api) s->api->ls = calloc(n, sizeof *s->api->ls);
    if (!s->api || !s->api->ls) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->naccounts; i++) {
        sim_account *a = &s->accounts[i];
        if (!a->http_host) continue;
        sim_api_listener *l = &s->api->ls[s->api->nls];
        l->account = i;
        if (ob__net_listen(a->http_host, a->http_port, 64, &l->fd, &l->port, err, errlen) != OB_OK) return -1;
        s->api->nls++;
        a->http_port = l->port;
    }
    return 0;
}

int ob_sim_http_port(const ob_sim *s, size_t account) {
    return s && account < s->naccounts && s->accounts[account].http_host ? s->accounts[account].http_port : 0;
}

static void conn_free(sim_api_conn *h) {
    if (h->fd >= 0) close(h->fd);
    free(h->in);
    ob__buf_free(&h->out);
    free(h);
}

void sim_api_free(ob_sim *s) {
    if (!s->api) return;
    while (s->api->conns) {
        sim_api_conn *h = s->api->conns;
        s->api->conns = h->next;
        conn_free(h);
    }
    for (size_t i = 0; i < s->api->nls; i++) close(s->api->ls[i].fd);
    free(s->api->ls);
    free(s->api);
    s->api = NULL;
}

/* ------------------------------------------------------------------ answers */

static const char *reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 413: return "Payload Too Large";
    default: return "Error";
    }
}

/* Queues a whole answer. type NULL: no body headers (204, 100). express adds
 * X-Powered-By, and cors() Access-Control-Allow-Origin to every answer. */
static void answer(sim_api_conn *h, int status, const char *type, const char *body, size_t len) {
    char head[512];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nX-Powered-By: Express\r\nAccess-Control-Allow-Origin: *\r\n",
                     status, reason(status));
    ob__buf_put(&h->out, head, (size_t)n);
    if (type) {
        n = snprintf(head, sizeof head, "Content-Type: %s\r\nContent-Length: %zu\r\n", type, len);
        ob__buf_put(&h->out, head, (size_t)n);
    }
    ob__buf_puts(&h->out, h->close_after ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n");
    if (len) ob__buf_put(&h->out, body, len);
}

static void answer_json(sim_api_conn *h, const char *body, size_t len) {
    answer(h, 200, "application/json; charset=utf-8", body, len);
}

/* express's res.send of a string: text/html. */
static void answer_text(sim_api_conn *h, int status, const char *text) {
    answer(h, status, "text/html; charset=utf-8", text, strlen(text));
}

/* ------------------------------------------------------------------ params */

/* One key=value pair of a query string or urlencoded form, decoded. */
typedef struct api_pair {
    char *key, *value;
    size_t klen, vlen;
} api_pair;

typedef struct api_pairs {
    api_pair p[SIM_API_MAX_PARAMS];
    size_t n;
    bool oom;
} api_pairs;

/* Adds the pairs of s[0..len) ('&'-separated, percent-encoded, '+' a space).
 * A key without '=' has the value "" (qs does the same). */
static void parse_pairs(api_pairs *ps, const char *s, size_t len) {
    const char *end = s + len;
    for (const char *p = s; p < end && ps->n < SIM_API_MAX_PARAMS;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *kend = eq ? eq : stop;
        if (kend > p) {
            api_pair *q = &ps->p[ps->n];
            const char *v = eq ? eq + 1 : stop;
            q->key = malloc((size_t)(kend - p) + 1);
            q->value = malloc((size_t)(stop - v) + 1);
            long kl = q->key ? ob__percent_decode(p, (size_t)(kend - p), q->key, true) : -1;
            long vl = q->value ? ob__percent_decode(v, (size_t)(stop - v), q->value, true) : -1;
            if (!q->key || !q->value) ps->oom = true;
            if (kl > 0 && vl >= 0) {
                q->klen = (size_t)kl;
                q->vlen = (size_t)vl;
                ps->n++;
            } else {
                free(q->key);
                free(q->value);
            }
        }
        p = stop + 1;
    }
}

static void free_pairs(api_pairs *ps) {
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->p[i].key);
        free(ps->p[i].value);
    }
    ps->n = 0;
}

static bool pair_has(const api_pairs *ps, const char *key, size_t klen) {
    for (size_t i = 0; i < ps->n; i++)
        if (ps->p[i].klen == klen && memcmp(ps->p[i].key, key, klen) == 0) return true;
    return false;
}

/* Writes the pairs as members of the open object, but not the keys that
 * `over` has: a key given more than once becomes an array of its values, as
 * qs parses it. */
static void write_pairs(ob__jw *w, const api_pairs *ps, const api_pairs *over) {
    for (size_t i = 0; i < ps->n; i++) {
        const api_pair *a = &ps->p[i];
        size_t count = 0;
        if (over && pair_has(over, a->key, a->klen)) continue;
        for (size_t j = 0; j < ps->n; j++) {
            if (ps->p[j].klen != a->klen || memcmp(ps->p[j].key, a->key, a->klen) != 0) continue;
            if (j < i) goto seen;
            count++;
        }
        ob__jw_key(w, a->key);
        if (count > 1) ob__jw_arr(w);
        for (size_t j = i; j < ps->n; j++)
            if (ps->p[j].klen == a->klen && memcmp(ps->p[j].key, a->key, a->klen) == 0)
                ob__jw_strn(w, ps->p[j].value, ps->p[j].vlen);
        if (count > 1) ob__jw_arr_end(w);
    seen:;
    }
}

/* The request frame {"action":name,"params":{body..., query...},"echo":...}
 * into w. body: a JSON document (or NULL) whose top-level object members
 * come first unless the query (or form) has the key. False when out of memory. */
static bool build_frame(ob__jw *w, const char *name, size_t nlen, const ob__jdoc *body, const api_pairs *q,
                        const api_pairs *form) {
    ob__jw_obj(w);
    ob__jw_key(w, "action");
    ob__jw_strn(w, name, nlen);
    ob__jw_key(w, "params");
    ob__jw_obj(w);
    size_t echo_start = 0, echo_len = 0;
    bool echo_raw = false;
    const char *echo_str = NULL;
    size_t echo_slen = 0;
    if (body && body->ntok > 0 && body->tok[0].type == JSMN_OBJECT) {
        char *key = malloc(body->len + 1);
        if (!key) return false;
        for (int t = 1; t < body->ntok && body->tok[t].parent == 0; t = ob__jskip(body, t + 1)) {
            long kl = ob__junescape(body, t, key);
            if (kl < 0 || pair_has(q, key, (size_t)kl) || pair_has(form, key, (size_t)kl)) continue;
            ob__jw_key(w, key);
            const char *p = ob__jstart(body, t + 1);
            size_t n = ob__jlen(body, t + 1);
            if (body->tok[t + 1].type == JSMN_STRING) {
                p--;
                n += 2;
            }
            ob__jw_raw(w, p, n);
            if (strcmp(key, "echo") == 0) {
                echo_raw = true;
                echo_start = (size_t)(p - body->js);
                echo_len = n;
            }
        }
        free(key);
    }
    write_pairs(w, form, q);
    write_pairs(w, q, NULL);
    ob__jw_obj_end(w);
    /* NapCat's echo: the payload's echo, else a random base-36 string. */
    for (const api_pairs *ps = q; ps && !echo_str; ps = ps == q ? form : NULL)
        for (size_t i = ps->n; i-- > 0;)
            if (ps->p[i].klen == 4 && memcmp(ps->p[i].key, "echo", 4) == 0) {
                echo_str = ps->p[i].value;
                echo_slen = ps->p[i].vlen;
                break;
            }
    ob__jw_key(w, "echo");
    if (echo_str) ob__jw_strn(w, echo_str, echo_slen);
    else if (echo_raw) ob__jw_raw(w, body->js + echo_start, echo_len);
    else {
        static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
        char rnd[12];
        unsigned char r[11] = {0};
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) memset(r, 7, sizeof r);
        for (size_t i = 0; i < sizeof r; i++) rnd[i] = digits[r[i] % 36];
        rnd[11] = '\0';
        ob__jw_str(w, rnd);
    }
    ob__jw_obj_end(w);
    return !w->b.oom;
}

/* ------------------------------------------------------------------ requests */

static void take_reply(void *ud, const char *text, size_t len, bool is_event) {
    if (is_event) return; /* the events reach the account's adapters anyway */
    ob__buf *b = ud;
    if (!b->len) ob__buf_put(b, text, len);
}

static void run_action(ob_sim *s, sim_api_conn *h, const char *name, size_t nlen, const ob__jdoc *body,
                       const api_pairs *q, const api_pairs *form, bool control) {
    ob__jw w = {0};
    ob__buf reply = {0};
    if (build_frame(&w, name, nlen, body, q, form)) {
        sim_conn k = {.sim = s,
                      .upgraded = true,
                      .control = control,
                      .http = true,
                      .account = h->account,
                      .transport = "http",
                      .frame_fn = take_reply,
                      .frame_ud = &reply};
        snprintf(k.addr, sizeof k.addr, "%s", h->peer);
        snprintf(k.peer_path, sizeof k.peer_path, "http://%.50s", h->peer);
        sim_server_handle(&k, w.b.p, w.b.len);
    }
    ob__buf_free(&w.b);
    if (reply.len && !reply.oom) answer_json(h, reply.p, reply.len);
    else answer_text(h, 500, "out of memory");
    ob__buf_free(&reply);
}

static void start_sse(ob_sim *s, sim_api_conn *h) {
    /* --verbose names it as it names a WebSocket client */
    if (s->verbose) sim_log_line(s, "client connected to /_events (SSE, events only) from %s", h->peer);
    /* node sends a response without Content-Length chunked; each write is a chunk. */
    ob__buf_puts(&h->out, "HTTP/1.1 200 OK\r\nX-Powered-By: Express\r\nAccess-Control-Allow-Origin: *\r\n"
                          "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n");
    h->sse = true;
    h->deadline = 0;
}

void sim_api_event(ob_sim *s, size_t account, const char *text, size_t len) {
    if (!s->api) return;
    for (sim_api_conn *h = s->api->conns; h; h = h->next) {
        if (!h->sse || h->account != account || h->fd < 0) continue;
        if (h->out.len - h->out_off + len > s->max_event_backlog) {
            sim_log_line(s, "dropping the SSE stream to %s that does not read its events (over %zu bytes unsent)",
                         h->peer, s->max_event_backlog);
            close(h->fd);
            h->fd = -1;
            continue;
        }
        char size[24];
        int n = snprintf(size, sizeof size, "%zx\r\n", len + 8);
        ob__buf_put(&h->out, size, (size_t)n);
        ob__buf_puts(&h->out, "data: ");
        ob__buf_put(&h->out, text, len);
        ob__buf_puts(&h->out, "\n\n\r\n");
    }
}

/* Answers the request in h->in (head complete, body whole). */
static void serve(ob_sim *s, sim_api_conn *h, const ob__http_head *req, const char *body, size_t blen) {
    bool get = req->method_len == 3 && memcmp(req->method, "GET", 3) == 0;
    const char *qmark = memchr(req->target, '?', req->target_len);
    size_t plen = qmark ? (size_t)(qmark - req->target) : req->target_len;
    if (req->method_len == 7 && memcmp(req->method, "OPTIONS", 7) == 0) {
        /* cors()'s preflight answer, before any token check */
        answer(h, 204, NULL, NULL, 0);
        return;
    }
    api_pairs *q = calloc(1, sizeof *q), *form = calloc(1, sizeof *form);
    ob__jdoc doc = {0};
    bool has_doc = false;
    if (!q || !form) {
        answer_text(h, 500, "out of memory");
        goto done;
    }
    if (plen < req->target_len) parse_pairs(q, req->target + plen + 1, req->target_len - plen - 1);
    /* NapCat parses the body before the token check: a bad body is 400 even
       without a token. A urlencoded form is read as one; every other body as
       JSON (JSON5 in NapCat) whatever its Content-Type. GET ignores it. */
    size_t tlen = 0;
    const char *type = ob__http_get(req, "Content-Type", &tlen);
    if (type && tlen >= 33 && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0) {
        parse_pairs(form, body, blen);
    } else if (blen) {
        if (ob__jdoc_parse(&doc, body, blen) != OB_OK) {
            answer_text(h, 400, "Invalid JSON");
            goto done;
        }
        has_doc = true;
    }
    if (q->oom || form->oom) {
        answer_text(h, 500, "out of memory");
        goto done;
    }
    bool control = false;
    if (!sim_server_token_ok(s, req, &control)) {
        answer_text(h, 403, "{\"message\":\"token verify failed!\"}");
        goto done;
    }
    if (plen == 8 && memcmp(req->target, "/_events", 8) == 0) {
        start_sse(s, h);
        goto done;
    }
    if (plen <= 1) {
        static const char banner[] = "{\"status\":\"ok\",\"retcode\":0,\"data\":{},\"message\":\"NapCat4 Is "
                                     "Running\",\"wording\":\"\",\"echo\":null,\"stream\":\"normal-action\"}";
        answer_json(h, banner, sizeof banner - 1);
        goto done;
    }
    /* The action is the first path segment (NapCat: the second item of req.path split at slashes). */
    const char *name = req->target + 1;
    const char *slash = memchr(name, '/', plen - 1);
    size_t nlen = slash ? (size_t)(slash - name) : plen - 1;
    api_pairs none = {.n = 0};
    run_action(s, h, name, nlen, get || !has_doc ? NULL : &doc, q, get ? &none : form, control);
done:
    if (q) free_pairs(q);
    if (form) free_pairs(form);
    free(q);
    free(form);
    ob__jdoc_free(&doc);
}

/* Handles what h has read: answers one whole request (the next waits until
 * this answer is out). False when h must be closed now. */
static bool consume(ob_sim *s, sim_api_conn *h) {
    if (h->out.len > h->out_off || h->sse || !h->in_len || h->in_len < h->need) return true;
    ob__http_head *req = malloc(sizeof *req);
    if (!req) return false;
    int p = ob__http_parse(h->in, h->in_len, 1, req);
    if (p == 0 && h->in_len < OB_HTTP_MAX_HEAD) {
        free(req);
        return true;
    }
    if (p <= 0) {
        h->close_after = true;
        answer_text(h, 400, "Bad Request");
        h->in_len = 0;
        free(req);
        return true;
    }
    h->close_after = req->minor_version == 0 ? !ob__http_has_token(req, "Connection", "keep-alive")
                                             : ob__http_has_token(req, "Connection", "close");
    /* By Content-Length or chunked (Node takes both; none: an empty body),
       bounded like express's body limit; a chunked one is decoded in place. */
    ob__http_body body = {0};
    enum ob__http_body_verdict b = ob__http_body_of(h->in, h->in_len, req, SIM_API_MAX_BODY, false, &body);
    if (b == OB_HTTP_BODY_MORE) {
        /* node answers Expect: 100-continue at once (libcurl waits for it) */
        if (!h->continued && ob__http_has_token(req, "Expect", "100-continue")) {
            ob__buf_puts(&h->out, "HTTP/1.1 100 Continue\r\n\r\n");
            h->continued = true;
        }
        h->need = body.need; /* no walk over a chunked body again before then */
        free(req);
        return true;
    }
    if (b == OB_HTTP_BODY_REFUSE) {
        h->close_after = true;
        h->need = 0;
        answer_text(h, body.status,
                    body.status == 413   ? "Payload Too Large"
                    : body.status == 501 ? "Not Implemented"
                                         : "Bad Request");
        h->in_len = 0;
        free(req);
        return true;
    }
    serve(s, h, req, h->in + req->head_len, body.len);
    size_t used = body.used;
    h->need = 0;
    memmove(h->in, h->in + used, h->in_len - used);
    h->in_len -= used;
    h->continued = false;
    if (!h->sse) h->deadline = ob__now_ms() + (h->in_len ? SIM_API_REQUEST_MS : SIM_API_IDLE_MS);
    free(req);
    return true;
}

/* ------------------------------------------------------------------ the loop */

static void accept_on(ob_sim *s, const sim_api_listener *l) {
    for (;;) {
        int fd = -1;
        if (ob__net_accept(l->fd, &fd) != OB_OK) return;
        sim_api_conn *h = sim_conn_alloc(fd, sizeof *h);
        if (!h) return;
        h->fd = fd;
        h->account = l->account;
        h->deadline = ob__now_ms() + SIM_API_REQUEST_MS;
        sim_peer_name(fd, h->peer, sizeof h->peer);
        h->next = s->api->conns;
        s->api->conns = h;
    }
}

size_t sim_api_count(const ob_sim *s) {
    if (!s->api) return 0;
    size_t n = s->api->nls;
    for (const sim_api_conn *h = s->api->conns; h; h = h->next) n++;
    return n;
}

void sim_api_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout) {
    if (!s->api) return;
    for (size_t i = 0; i < s->api->nls; i++) *pfd++ = (struct pollfd){.fd = s->api->ls[i].fd, .events = POLLIN};
    for (sim_api_conn *h = s->api->conns; h; h = h->next, pfd++) {
        bool writing = h->out.len > h->out_off;
        /* A request waits while its answer is written; SSE streams are not read. */
        short ev = writing ? POLLOUT : 0;
        if (!writing && !h->sse && h->in_len < SIM_API_MAX_REQUEST) ev |= POLLIN;
        *pfd = (struct pollfd){.fd = h->fd, .events = ev};
        if (h->deadline) {
            long long left = h->deadline > now ? h->deadline - now : 0;
            if (left < *timeout) *timeout = (int)left;
        }
    }
}

/* One round of h's I/O; false when it is over. */
static bool step(ob_sim *s, sim_api_conn *h, short rev, long long now) {
    if (h->fd < 0) return false;
    if (h->deadline && now >= h->deadline && h->out.len == h->out_off) return false;
    if (rev & (POLLIN | POLLHUP | POLLERR)) {
        if (h->sse) {
            char tmp[256]; /* an SSE client has nothing to say: EOF ends it */
            ssize_t r = recv(h->fd, tmp, sizeof tmp, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) return false;
        } else {
            size_t want = h->in_len + 65536;
            if (want > h->in_cap) {
                char *n = realloc(h->in, want);
                if (!n) return false;
                h->in = n;
                h->in_cap = want;
            }
            ssize_t r = recv(h->fd, h->in + h->in_len, h->in_cap - h->in_len, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) return false;
            if (r > 0) h->in_len += (size_t)r;
        }
    }
    if (!consume(s, h) || h->out.oom) return false;
    if (h->out.len > h->out_off) {
        ssize_t r = send(h->fd, h->out.p + h->out_off, h->out.len - h->out_off, MSG_NOSIGNAL);
        if (r < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (r > 0) h->out_off += (size_t)r;
        if (h->out_off == h->out.len) {
            h->out.len = h->out_off = 0;
            if (h->close_after && !h->sse) return false;
            if (!consume(s, h)) return false; /* a pipelined request waiting */
        }
    }
    return true;
}

void sim_api_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n) {
    if (!s->api) return;
    long long now = ob__now_ms();
    size_t nls = s->api->nls;
    /* The connections first (their pollfds follow the listeners'), then the
       new ones: an accepted connection is polled from the next round. */
    sim_api_conn **pp = &s->api->conns;
    for (size_t i = nls; *pp; i++) {
        sim_api_conn *h = *pp;
        if (!step(s, h, i < n ? pfd[i].revents : 0, now)) {
            *pp = h->next; /* over: unlinked and freed */
            conn_free(h);
        } else {
            pp = &h->next;
        }
    }
    for (size_t j = 0; j < nls && j < n; j++)
        if (pfd[j].revents & POLLIN) accept_on(s, &s->api->ls[j]);
}

/* ------------------------------------------------------------------ no socket */

void ob_sim_http_feed(ob_sim *s, size_t account, const char *data, size_t len, ob_sim_frame_fn fn, void *ud) {
    if (!s || account >= s->naccounts || (!data && len)) return;
    sim_api_conn h = {.fd = -1, .account = account};
    snprintf(h.peer, sizeof h.peer, "feed");
    h.in = malloc(len + 1);
    if (!h.in) return;
    if (len) memcpy(h.in, data, len);
    h.in_len = h.in_cap = len;
    /* Answers every whole request in data, in order, as a connection would
       (each answer is taken before the next request is looked at). */
    for (;;) {
        size_t before = h.in_len;
        if (!consume(s, &h) || h.out.oom) break;
        if (h.out.len) fn(ud, h.out.p, h.out.len, false);
        bool answered = h.out.len != 0;
        h.out.len = h.out_off = 0;
        if (h.sse || h.close_after || !h.in_len || (!answered && h.in_len == before)) break;
    }
    free(h.in);
    ob__buf_free(&h.out);
}
