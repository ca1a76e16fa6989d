/* ob_hub: many accounts in one loop (include/onebot/hub.h).
 *
 * The hub owns a listening socket, the connections it accepted whose first
 * request is still being read (hub_conn), and its bots (hub_bot: an
 * ob_client each, inbound or outbound). A connection's request is judged by
 * hub_http.c; a reverse WebSocket upgrade is handed, with the bytes already
 * read, to the account's inbound client (ob__client_attach_server), which
 * answers it and runs the session from then on; an HTTP POST push becomes
 * a frame queued on the account's bot (ob__client_queue_frame) and the
 * connection stays for the next push (keep-alive).
 *
 * Every bot is driven through the client's external-loop API (ob_fd,
 * ob_wants_write, ob_next_timeout_ms, ob_process), so whatever the client
 * does inside ob_process (reconnect attempts included) the hub gets for
 * free: connecting a ws:// bot does not block there (transport_ws.c), so
 * neither does the hub.
 *
 * Memory is bounded: at most HUB_MAX_CONNS connections being read, each
 * request head at most OB_HTTP_MAX_HEAD, a body at most OB_HUB_MAX_BODY, and
 * all their buffers together at most HUB_MAX_BUFFERED (past it: 503). A
 * request must arrive whole within HUB_REQUEST_MS of its first byte (408),
 * and an idle keep-alive connection is closed after HUB_IDLE_MS. */
#include "client_hub.h"
#include "hub_extra.h"
#include "hub_http.h"
#include "net.h"
#include "url.h"

#include <onebot/group.h>
#include <onebot/hub.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HUB_DEFAULT_LISTEN "127.0.0.1:0"
#define HUB_DEFAULT_TIMEOUT_MS 30000
#define HUB_MAX_CONNS 256
#define HUB_REQUEST_MS 10000
#define HUB_IDLE_MS 60000
#define HUB_MAX_BUFFERED ((size_t)64 << 20)
#define HUB_READ_CHUNK 4096

typedef struct hub_conn {
    int fd;
    char *buf;
    size_t len, cap;
    size_t limit;  /* read no further than this (the judge's room), 0 = a head's worth */
    char out[512]; /* the response being written */
    size_t out_len, out_off;
    bool close_after; /* close once out is written */
    long long deadline;
    short revents;
} hub_conn;

typedef struct hub_bot {
    ob_client *c;
    int64_t self_id; /* inbound: fixed; outbound: 0 until known */
    bool outbound;
    bool online; /* as last reported to on_bot */
    bool posted; /* inbound: an HTTP POST push arrived */
    bool asking; /* outbound: get_login_info in flight */
    int pfd;     /* index in the poll set of this step, -1 */
    int ready;   /* OB_READABLE / OB_WRITABLE from this step's poll */
} hub_bot;

struct ob_hub {
    char *listen, *token, *path; /* in one block, listen first; token and path NULL when not given */
    int timeout_ms;
    int lfd, port;
    hub_conn **conns;
    size_t nconns, conns_cap;
    hub_bot **bots;
    size_t nbots, bots_cap;
    size_t buffered; /* bytes of all hub_conn buffers */
    struct pollfd *pfd;
    size_t pfd_cap;
    ob_event_cb ev_cb;
    void *ev_ud;
    ob_bot_cb bot_cb;
    void *bot_ud;
    volatile sig_atomic_t stop;
    ob__hub_extra extra; /* more descriptors in the poll (hub_extra.h), fill NULL = none */
    int depth;           /* > 0 while ob_hub_poll runs */
    bool free_deferred;  /* ob_hub_free ran inside a callback */
    ob_error err;
    char msg[320];
};

static const ob_error no_hub_error = {OB_EINVAL, 0, "no hub (NULL)", "no hub (NULL)", ""};

static int hub_fail(ob_hub *h, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int hub_fail(ob_hub *h, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->msg, sizeof h->msg, fmt, ap);
    va_end(ap);
    h->err.code = code;
    h->err.retcode = 0;
    h->err.message = h->err.wording = h->msg;
    h->err.action = "";
    return code;
}

/* Copies s (when given and not empty) to *at, moving it past the copy. */
static char *pack(char **at, const char *s) {
    if (!s || !s[0]) return NULL;
    char *p = *at;
    size_t n = strlen(s) + 1;
    memcpy(p, s, n);
    *at += n;
    return p;
}

ob_hub *ob_hub_new(const ob_hub_options *opt) {
    ob_hub_options o = {0};
    if (opt) o = *opt;
    if (!o.listen || !o.listen[0]) o.listen = HUB_DEFAULT_LISTEN;
    size_t room =
        strlen(o.listen) + 1 + (o.access_token ? strlen(o.access_token) + 1 : 0) + (o.path ? strlen(o.path) + 1 : 0);
    ob_hub *h = calloc(1, sizeof *h);
    char *at = h ? malloc(room) : NULL;
    if (!at) {
        free(h);
        return NULL;
    }
    h->listen = pack(&at, o.listen);
    h->token = pack(&at, o.access_token);
    h->path = pack(&at, o.path);
    h->timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : HUB_DEFAULT_TIMEOUT_MS;
    h->lfd = -1;
    h->port = -1;
    h->err.code = OB_OK;
    h->err.message = h->err.wording = h->err.action = "";
    return h;
}

const ob_error *ob_hub_last_error(const ob_hub *h) { return h ? &h->err : &no_hub_error; }

int ob_hub_listen(ob_hub *h) {
    if (!h) return OB_EINVAL;
    if (h->lfd >= 0) return OB_OK;
    /* host:port, [v6]:port */
    char host[256], err[256] = "";
    const char *colon = strrchr(h->listen, ':'), *bracket = strchr(h->listen, ']');
    const char *hs = h->listen;
    size_t hn = colon ? (size_t)(colon - hs) : 0;
    if (hs[0] == '[' && bracket && bracket + 1 == colon) hs++, hn -= 2;
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || hn == 0 || hn >= sizeof host || !colon[1] || *end || port < 0 || port > 65535 ||
        (bracket && colon < bracket))
        return hub_fail(h, OB_EINVAL, "bad listen address \"%.200s\": use host:port, e.g. 127.0.0.1:8080", h->listen);
    memcpy(host, hs, hn);
    host[hn] = '\0';
    if (ob__net_listen(host, (int)port, 128, &h->lfd, &h->port, err, sizeof err) != OB_OK) {
        h->lfd = -1;
        return hub_fail(h, OB_EIO, "cannot listen on %.200s: %s", h->listen, err);
    }
    return OB_OK;
}

int ob_hub_port(const ob_hub *h) { return h && h->lfd >= 0 ? h->port : -1; }

void ob_hub_on_event(ob_hub *h, ob_event_cb cb, void *userdata) {
    if (!h) return;
    h->ev_cb = cb;
    h->ev_ud = userdata;
}

void ob_hub_on_bot(ob_hub *h, ob_bot_cb cb, void *userdata) {
    if (!h) return;
    h->bot_cb = cb;
    h->bot_ud = userdata;
}

void ob_hub_stop(ob_hub *h) {
    if (h) h->stop = 1;
}

/* ------------------------------------------------------------------ bots */

static void on_bot_event(ob_client *c, const ob_event *ev, void *ud) {
    ob_hub *h = ud;
    if (h->ev_cb && !h->free_deferred) h->ev_cb(c, ev, h->ev_ud);
}

/* arr (n used of *cap elements of elem bytes) with room for one more: the
 * same block or a bigger one; NULL when out of memory (arr stays). */
static void *room_for_one(void *arr, size_t n, size_t *cap, size_t elem) {
    if (n < *cap) return arr;
    size_t more = *cap ? *cap * 2 : 16;
    void *p = realloc(arr, more * elem);
    if (p) *cap = more;
    return p;
}

static hub_bot *bot_append(ob_hub *h, ob_client *c, int64_t self_id, bool outbound) {
    hub_bot **bots = room_for_one(h->bots, h->nbots, &h->bots_cap, sizeof *bots);
    if (!bots) return NULL;
    h->bots = bots;
    hub_bot *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->c = c;
    b->self_id = self_id;
    b->outbound = outbound;
    b->pfd = -1;
    h->bots[h->nbots++] = b;
    ob_on_event(c, on_bot_event, h);
    return b;
}

ob_client *ob_hub_add(ob_hub *h, const ob_options *opt) {
    if (!h) return NULL;
    const char *url = opt && opt->url && opt->url[0] ? opt->url : "ws://127.0.0.1:3001";
    ob__url u;
    char err[256] = "";
    if (ob__url_parse(url, &u, err, sizeof err) != OB_OK) {
        hub_fail(h, OB_EINVAL, "ob_hub_add: %s", err);
        return NULL;
    }
    ob_client *c = ob_client_new(opt);
    hub_bot *b = c ? bot_append(h, c, 0, true) : NULL;
    if (!b) {
        ob_client_free(c);
        hub_fail(h, OB_ENOMEM, "ob_hub_add: out of memory");
        return NULL;
    }
    ob__client_dial_soon(c);
    return c;
}

static hub_bot *find_bot(const ob_hub *h, int64_t self_id, bool outbound) {
    for (size_t i = 0; i < h->nbots; i++)
        if (h->bots[i]->outbound == outbound && h->bots[i]->self_id == self_id) return h->bots[i];
    return NULL;
}

ob_client *ob_hub_bot(ob_hub *h, int64_t self_id) {
    if (!h || self_id <= 0) return NULL;
    hub_bot *b = find_bot(h, self_id, true);
    if (b && b->online) return b->c;
    b = find_bot(h, self_id, false);
    return b && b->online ? b->c : NULL;
}

/* The account's inbound bot, made on first sight. */
static hub_bot *inbound_bot(ob_hub *h, int64_t self_id) {
    hub_bot *b = find_bot(h, self_id, false);
    if (b) return b;
    ob_client *c = ob__client_new_inbound(self_id, h->timeout_ms);
    b = c ? bot_append(h, c, self_id, false) : NULL;
    if (!b) ob_client_free(c);
    return b;
}

static void on_login(ob_client *c, const ob_reply *r, void *ud) {
    hub_bot *b = ud;
    b->asking = false;
    ob_login_info *li = NULL;
    if (r->code == OB_OK && ob_login_info_decode(r, &li) == OB_OK && li && li->user_id > 0 &&
        ob__client_self_id(c) == 0)
        ob__client_set_self_id(c, li->user_id);
    ob_free(li);
}

/* Reports a bot coming or going, and asks an outbound bot who it is. */
static void bot_update(ob_hub *h, hub_bot *b) {
    bool up = ob__client_connected(b->c);
    if (b->outbound) {
        int64_t id = ob__client_self_id(b->c);
        if (up && id == 0 && !b->asking && ob_get_login_info_async(b->c, on_login, b) == OB_OK) b->asking = true;
        if (id != 0) b->self_id = id;
        up = up && id != 0;
    } else {
        up = up || b->posted;
    }
    if (up == b->online) return;
    b->online = up;
    if (h->bot_cb && !h->free_deferred) h->bot_cb(h, b->c, b->self_id, up, h->bot_ud);
}

/* ----------------------------------------------------------- connections */

static void conn_close(ob_hub *h, size_t i) {
    hub_conn *k = h->conns[i];
    if (k->fd >= 0) close(k->fd);
    h->buffered -= k->cap;
    free(k->buf);
    free(k);
    h->conns[i] = h->conns[--h->nconns];
}

static void respond(hub_conn *k, int status, const char *why, bool close_after) {
    k->deadline = ob__now_ms() + HUB_REQUEST_MS; /* to write it */
    if (status == 204)
        k->out_len = (size_t)snprintf(k->out, sizeof k->out, "HTTP/1.1 204 No Content\r\nConnection: %s\r\n\r\n",
                                      close_after ? "close" : "keep-alive");
    else k->out_len = ob__hub_refusal(status, why, k->out, sizeof k->out);
    k->out_off = 0;
    k->close_after = close_after;
}

/* k's buffer grown to cap bytes, within the hub's budget. */
static bool conn_reserve(ob_hub *h, hub_conn *k, size_t cap) {
    if (cap <= k->cap) return true;
    if (h->buffered - k->cap + cap > HUB_MAX_BUFFERED) return false;
    char *p = realloc(k->buf, cap);
    if (!p) return false;
    h->buffered = h->buffered - k->cap + cap;
    k->buf = p;
    k->cap = cap;
    return true;
}

static void consume(hub_conn *k, size_t n) {
    memmove(k->buf, k->buf + n, k->len - n);
    k->len -= n;
}

static void push_event(ob_hub *h, int64_t self_id, const char *body, size_t n) {
    hub_bot *b = find_bot(h, self_id, true);
    if (!b) {
        b = inbound_bot(h, self_id);
        if (!b) return; /* out of memory: the event is lost, as NapCat's would be */
        b->posted = true;
    }
    ob__client_queue_frame(b->c, body, n);
}

/* Acts on what k has read so far. Returns false when k was closed or
 * handed over (k is gone then). */
static bool conn_judge(ob_hub *h, size_t i) {
    hub_conn *k = h->conns[i];
    ob__hub_rules rules = {h->path, h->token, 0};
    ob__hub_request rq;
    enum ob__hub_verdict v = ob__hub_judge(k->buf, k->len, &rules, &rq);
    if (v == OB_HUB_MORE) {
        k->limit = rq.room; /* bounded by the judge: a head, or a head and a body under max_body */
        return true;
    }
    if (v == OB_HUB_REFUSE) {
        respond(k, rq.status, rq.why, true);
        return true;
    }
    if (v == OB_HUB_EVENT) {
        push_event(h, rq.self_id, k->buf + rq.head_len, rq.body_len);
        consume(k, rq.used);
        k->limit = 0;
        respond(k, 204, NULL, !rq.keep_alive);
        return true;
    }
    hub_bot *b = inbound_bot(h, rq.self_id);
    if (!b || ob__client_attach_server(b->c, k->fd, k->buf, k->len) != OB_OK) {
        respond(k, 503, "out of memory", true);
        return true;
    }
    k->fd = -1; /* the bot's now */
    conn_close(h, i);
    bot_update(h, b);
    return false;
}

static void conn_read(ob_hub *h, size_t i) {
    hub_conn *k = h->conns[i];
    size_t limit = k->limit > OB_HTTP_MAX_HEAD ? k->limit : OB_HTTP_MAX_HEAD;
    while (k->len < limit) {
        if (k->len == k->cap) {
            size_t cap = k->cap ? k->cap * 2 : HUB_READ_CHUNK;
            if (!conn_reserve(h, k, cap < limit ? cap : limit)) {
                respond(k, 503, "the hub holds too many unfinished requests; try again", true);
                return;
            }
        }
        ssize_t r = read(k->fd, k->buf + k->len, k->cap - k->len);
        if (r > 0) {
            if (k->len == 0) k->deadline = ob__now_ms() + HUB_REQUEST_MS;
            k->len += (size_t)r;
            if (k->len < k->cap) break;
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
        conn_close(h, i); /* the peer left (or the socket failed) */
        return;
    }
    (void)conn_judge(h, i);
}

static void conn_write(ob_hub *h, size_t i) {
    hub_conn *k = h->conns[i];
    while (k->out_off < k->out_len) {
        ssize_t r = write(k->fd, k->out + k->out_off, k->out_len - k->out_off);
        if (r > 0) {
            k->out_off += (size_t)r;
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
        conn_close(h, i);
        return;
    }
    k->out_len = k->out_off = 0;
    if (k->close_after) {
        conn_close(h, i);
        return;
    }
    k->deadline = ob__now_ms() + (k->len ? HUB_REQUEST_MS : HUB_IDLE_MS);
    if (k->len) (void)conn_judge(h, i); /* a request that came right behind */
}

static void conn_step(ob_hub *h, size_t i, long long now) {
    hub_conn *k = h->conns[i];
    if (k->out_len) {
        if (k->revents & (POLLOUT | POLLERR | POLLHUP)) conn_write(h, i);
        else if (now >= k->deadline) conn_close(h, i); /* it does not read our answer */
        return;
    }
    if (k->revents & (POLLIN | POLLERR | POLLHUP)) {
        conn_read(h, i);
        return;
    }
    if (now < k->deadline) return;
    if (k->len == 0) conn_close(h, i); /* idle keep-alive */
    else respond(k, 408, "the request did not arrive in time", true);
}

static void accept_all(ob_hub *h) {
    while (h->nconns < HUB_MAX_CONNS) {
        int fd;
        if (ob__net_accept(h->lfd, &fd) != OB_OK) return;
        hub_conn **conns = room_for_one(h->conns, h->nconns, &h->conns_cap, sizeof *conns);
        if (conns) h->conns = conns;
        hub_conn *k = conns ? calloc(1, sizeof *k) : NULL;
        if (!k) {
            close(fd);
            return;
        }
        k->fd = fd;
        k->deadline = ob__now_ms() + HUB_REQUEST_MS;
        h->conns[h->nconns++] = k;
    }
}

/* ------------------------------------------------------------------ loop */

static int min_wait(int a, long long b) {
    if (b < 0) return a;
    if (b > INT_MAX) b = INT_MAX;
    return a < 0 || b < a ? (int)b : a;
}

static struct pollfd *pfd_add(ob_hub *h, size_t *n, int fd, short events) {
    struct pollfd *p = &h->pfd[(*n)++];
    p->fd = fd;
    p->events = events;
    p->revents = 0;
    return p;
}

static int ready_flags(short revents) {
    int f = 0;
    if (revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) f |= OB_READABLE;
    if (revents & POLLOUT) f |= OB_WRITABLE;
    return f;
}

void ob__hub_set_extra(ob_hub *h, const ob__hub_extra *x) {
    if (!h) return;
    if (x) h->extra = *x;
    else memset(&h->extra, 0, sizeof h->extra);
}

static int hub_step(ob_hub *h, int timeout_ms) {
    size_t want = 1 + h->nconns + h->nbots + OB__HUB_EXTRA_MAX;
    if (want > h->pfd_cap) {
        struct pollfd *p = realloc(h->pfd, want * sizeof *p);
        if (!p) return hub_fail(h, OB_ENOMEM, "out of memory");
        h->pfd = p;
        h->pfd_cap = want;
    }
    size_t n = 0;
    long long now = ob__now_ms();
    int wait = timeout_ms;
    bool listening = h->lfd >= 0 && h->nconns < HUB_MAX_CONNS;
    if (listening) pfd_add(h, &n, h->lfd, POLLIN);
    size_t conn0 = n, nconns = h->nconns;
    for (size_t i = 0; i < nconns; i++) {
        hub_conn *k = h->conns[i];
        pfd_add(h, &n, k->fd, k->out_len ? POLLOUT : POLLIN);
        wait = min_wait(wait, k->deadline > now ? k->deadline - now : 0);
    }
    for (size_t i = 0; i < h->nbots; i++) {
        hub_bot *b = h->bots[i];
        int fd = ob_fd(b->c);
        b->pfd = -1;
        if (fd >= 0) {
            b->pfd = (int)n;
            pfd_add(h, &n, fd, (short)(POLLIN | (ob_wants_write(b->c) ? POLLOUT : 0)));
        }
        wait = min_wait(wait, ob_next_timeout_ms(b->c));
    }
    size_t extra0 = n, nextra = 0;
    if (h->extra.fill) {
        int k = h->extra.fill(h->extra.ud, &h->pfd[n], OB__HUB_EXTRA_MAX, &wait);
        nextra = k > 0 && k <= OB__HUB_EXTRA_MAX ? (size_t)k : 0;
        n += nextra;
    }
    if (n == 0 && wait < 0)
        return hub_fail(h, OB_EINVAL, "nothing to wait for: the hub does not listen (ob_hub_listen) and has no bot");
    int r = poll(h->pfd, n, wait);
    if (r < 0 && errno != EINTR) return hub_fail(h, OB_EIO, "poll failed: %s", strerror(errno));
    size_t nbots = h->nbots;
    for (size_t i = 0; i < nbots; i++)
        h->bots[i]->ready = r > 0 && h->bots[i]->pfd >= 0 ? ready_flags(h->pfd[h->bots[i]->pfd].revents) : 0;
    for (size_t i = 0; i < nconns; i++) h->conns[i]->revents = r > 0 ? h->pfd[conn0 + i].revents : 0;

    /* Bots first: accepting below may hand a connection to one of them. */
    for (size_t i = 0; i < nbots && !h->free_deferred; i++) {
        hub_bot *b = h->bots[i];
        (void)ob_process(b->c, b->ready); /* a bot's own troubles are its ob_last_error */
        bot_update(h, b);
    }
    if (h->free_deferred) return OB_ECLOSED;
    now = ob__now_ms();
    /* Backwards: conn_close moves the last connection into the hole. */
    for (size_t i = nconns; i-- > 0;)
        if (i < h->nconns) conn_step(h, i, now);
    if (listening && r > 0 && (h->pfd[0].revents & POLLIN)) accept_all(h);
    if (h->extra.ready && !h->free_deferred) {
        if (r <= 0)
            for (size_t i = 0; i < nextra; i++) h->pfd[extra0 + i].revents = 0;
        h->extra.ready(h->extra.ud, &h->pfd[extra0], (int)nextra);
    }
    return h->free_deferred ? OB_ECLOSED : OB_OK;
}

static void hub_destroy(ob_hub *h);

int ob_hub_poll(ob_hub *h, int timeout_ms) {
    if (!h) return OB_EINVAL;
    if (h->free_deferred) return OB_ECLOSED;
    if (h->depth > 0) return hub_fail(h, OB_EINVAL, "ob_hub_poll was called from inside one of the hub's callbacks");
    h->depth++;
    int rc = hub_step(h, timeout_ms);
    h->depth--;
    if (h->free_deferred) {
        hub_destroy(h);
        return OB_ECLOSED;
    }
    return rc;
}

int ob_hub_run(ob_hub *h) {
    if (!h) return OB_EINVAL;
    h->stop = 0;
    for (;;) {
        int rc = ob_hub_poll(h, -1);
        if (rc == OB_ECLOSED) return rc; /* freed from a callback: h is gone */
        if (h->stop) {
            h->stop = 0;
            return OB_OK;
        }
        if (rc != OB_OK && rc != OB_ENOMEM) return rc;
    }
}

static void hub_destroy(ob_hub *h) {
    /* Clients first: their pending callbacks (on_login among them) still
       see their hub_bot. */
    for (size_t i = 0; i < h->nbots; i++) ob_client_free(h->bots[i]->c);
    for (size_t i = 0; i < h->nbots; i++) free(h->bots[i]);
    while (h->nconns) conn_close(h, h->nconns - 1);
    if (h->lfd >= 0) close(h->lfd);
    void *blocks[] = {h->bots, h->conns, h->pfd, h->listen /* the strings' block */, h};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) free(blocks[i]);
}

void ob_hub_free(ob_hub *h) {
    if (!h || h->free_deferred) return;
    if (h->depth > 0) {
        h->free_deferred = true;
        return;
    }
    hub_destroy(h);
}
