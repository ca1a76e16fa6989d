/* One Redis connection on hiredis's async context, driven by the caller's
 * poll loop: hiredis asks for read/write interest through its ev hooks
 * (addRead, delWrite...), which only set two flags here; the owner polls
 * ob__redis_fd() for what the flags say and hands readiness back to
 * ob__redis_io, which calls redisAsyncHandleRead/Write. Timers (the connect
 * deadline, the reconnect backoff) are plain deadlines checked there too.
 *
 * Connecting: redisAsyncConnect (non-blocking socket), then AUTH and SELECT
 * (or a PING) pipelined at once; the connection counts as up when the last
 * of them answers OK. Any error on the way drops the socket and retries. */
#include "redis.h"
#include "net.h"
#include "text.h"

#include <onebot/client.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_INITIAL_MS 100
#define BACKOFF_MAX_MS 5000
#define CONNECT_TIMEOUT_MS 5000

struct ob__redis {
    ob__redis_url url;
    redisAsyncContext *ac;
    bool want_read, want_write;
    bool up;
    bool down_told; /* on_state(false) already ran for the current outage */
    int handshake_left;
    long long connect_deadline; /* while connecting */
    long long reconnect_at;     /* while there is no socket */
    int backoff_ms;
    uint64_t rng;
    size_t in_flight;
    bool connected; /* the non-blocking connect completed (hiredis said so) */
    int in_cb;      /* > 0 inside one of hiredis's reply callbacks: no flush then */
    char why[512];  /* why the connection went down */
    ob__redis_state_cb on_state;
    void *ud;
};

typedef struct pending_cmd {
    ob__redis *r;
    ob__redis_reply_cb cb;
    void *ud;
} pending_cmd;

/* ------------------------------------------------------------------ URLs */

/* %XX-decodes s[0..n) into out (outn bytes); -1 when it does not fit or holds %00. */
static int decode_pct(const char *s, size_t n, char *out, size_t outn) {
    if (n + 1 > outn) return -1;
    return ob__percent_decode(s, n, out, false) < 0 ? -1 : 0;
}

int ob__redis_url_parse(const char *url, ob__redis_url *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->port = 6379;
    if (!url) url = "";
    if (strncmp(url, "rediss://", 9) == 0) {
        snprintf(err, errlen,
                 "rediss:// (Redis over TLS) is not supported by this build: Debian 12's hiredis 0.14 has no TLS; "
                 "reach Redis through an stunnel or a private network (docs/scaling.md)");
        return OB_EUNSUPPORTED;
    }
    if (strncmp(url, "redis://", 8) != 0) {
        snprintf(err, errlen, "a Redis URL starts with redis://");
        return OB_EINVAL;
    }
    const char *p = url + 8;
    const char *q = strchr(p, '?');
    const char *end = q ? q : p + strlen(p);
    if (q && snprintf(out->query, sizeof out->query, "%s", q + 1) >= (int)sizeof out->query) {
        snprintf(err, errlen, "the Redis URL's query is too long");
        return OB_EINVAL;
    }
    const char *at = NULL;
    for (const char *s = p; s < end; s++)
        if (*s == '@') at = s; /* the last one: a password may hold '@' */
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        if (colon && decode_pct(p, (size_t)(colon - p), out->user, sizeof out->user) != 0) {
            snprintf(err, errlen, "the Redis URL's user name is too long or badly %%-encoded");
            return OB_EINVAL;
        }
        if (decode_pct(pw, (size_t)(at - pw), out->password, sizeof out->password) != 0) {
            snprintf(err, errlen, "the Redis URL's password is too long or badly %%-encoded");
            return OB_EINVAL;
        }
        p = at + 1;
    }
    const char *slash = memchr(p, '/', (size_t)(end - p));
    const char *hend = slash ? slash : end;
    const char *portp = NULL;
    const char *hs = p, *he = hend;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(hend - p));
        if (!rb) {
            snprintf(err, errlen, "the Redis URL has an unclosed [ in its host");
            return OB_EINVAL;
        }
        hs = p + 1;
        he = rb;
        if (rb + 1 < hend && rb[1] == ':') portp = rb + 2;
    } else {
        const char *colon = memchr(p, ':', (size_t)(hend - p));
        if (colon) {
            he = colon;
            portp = colon + 1;
        }
    }
    if (he <= hs || (size_t)(he - hs) >= sizeof out->host) {
        snprintf(err, errlen, "the Redis URL has no host (redis://HOST:PORT)");
        return OB_EINVAL;
    }
    memcpy(out->host, hs, (size_t)(he - hs));
    if (portp) {
        long v = 0;
        const char *s = portp;
        for (; s < hend && *s >= '0' && *s <= '9' && v <= 65535; s++) v = v * 10 + (*s - '0');
        if (s != hend || s == portp || v < 1 || v > 65535) {
            snprintf(err, errlen, "the Redis URL's port is not a number from 1 to 65535");
            return OB_EINVAL;
        }
        out->port = (int)v;
    }
    if (slash && slash + 1 < end) {
        long v = 0;
        const char *s = slash + 1;
        for (; s < end && *s >= '0' && *s <= '9' && v < 100000; s++) v = v * 10 + (*s - '0');
        if (s != end) {
            snprintf(err, errlen, "the Redis URL's database (after /) is not a number");
            return OB_EINVAL;
        }
        out->db = (int)v;
    }
    return OB_OK;
}

bool ob__redis_query_get(const char *query, const char *key, char *out, size_t n) {
    size_t kl = strlen(key);
    for (const char *s = query; s && *s;) {
        const char *amp = strchr(s, '&');
        size_t len = amp ? (size_t)(amp - s) : strlen(s);
        if (len > kl && strncmp(s, key, kl) == 0 && s[kl] == '=')
            return decode_pct(s + kl + 1, len - kl - 1, out, n) == 0;
        s = amp ? amp + 1 : NULL;
    }
    return false;
}

/* ------------------------------------------------------------- hiredis glue */

static void hook_add_read(void *d) { ((ob__redis *)d)->want_read = true; }
static void hook_del_read(void *d) { ((ob__redis *)d)->want_read = false; }
static void hook_add_write(void *d) { ((ob__redis *)d)->want_write = true; }
static void hook_del_write(void *d) { ((ob__redis *)d)->want_write = false; }
static void hook_cleanup(void *d) {
    ob__redis *r = d;
    r->want_read = r->want_write = false;
}

/* The socket is gone (hiredis frees, or has freed, the context). */
static void went_down(ob__redis *r, const char *why) {
    bool was_up = r->up;
    r->ac = NULL;
    r->up = false;
    r->connected = false;
    r->want_read = r->want_write = false;
    r->reconnect_at = ob__now_ms() + ob__jittered(&r->rng, r->backoff_ms);
    long long next = (long long)r->backoff_ms * 2;
    r->backoff_ms = next > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : (int)next;
    if (why && why[0] && why != r->why) snprintf(r->why, sizeof r->why, "%.500s", why);
    if (was_up || !r->down_told) {
        r->down_told = true;
        if (r->on_state) r->on_state(r, false, r->why, r->ud);
    }
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
    ob__redis *r = ac->data;
    if (!r || r->ac != ac) return;
    char why[512];
    snprintf(why, sizeof why, "the connection to Redis at %.100s:%d was lost%s%s", r->url.host, r->url.port,
             status == REDIS_OK ? "" : ": ", status == REDIS_OK ? "" : (ac->errstr[0] ? ac->errstr : "I/O error"));
    went_down(r, why);
}

static void on_connect(const redisAsyncContext *ac, int status) {
    ob__redis *r = ac->data;
    if (!r || r->ac != ac) return;
    if (status == REDIS_OK) {
        r->connected = true;
        return;
    }
    char why[512];
    snprintf(why, sizeof why, "could not connect to Redis at %.100s:%d: %s", r->url.host, r->url.port,
             ac->errstr[0] ? ac->errstr : "connection failed");
    went_down(r, why); /* hiredis frees the context after this callback */
}

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    (void)ac;
    pending_cmd *p = privdata;
    ob__redis *r = p->r;
    if (r->in_flight) r->in_flight--;
    ob__redis_reply_cb cb = p->cb;
    void *ud = p->ud;
    free(p);
    r->in_cb++;
    if (cb) cb(r, reply, ud);
    r->in_cb--;
}

static int send_cmd(ob__redis *r, ob__redis_reply_cb cb, void *ud, int argc, const char **argv, const size_t *lens) {
    if (!r->ac) return OB_ECLOSED;
    pending_cmd *p = malloc(sizeof *p);
    if (!p) return OB_ENOMEM;
    p->r = r;
    p->cb = cb;
    p->ud = ud;
    if (redisAsyncCommandArgv(r->ac, on_reply, p, argc, argv, lens) != REDIS_OK) {
        free(p);
        return OB_ECLOSED;
    }
    r->in_flight++;
    return OB_OK;
}

static void handshake_reply(ob__redis *r, redisReply *rep, void *ud) {
    (void)ud;
    if (!rep) return; /* the connection dropped: on_disconnect handles it */
    if (ob__redis_is_error(rep)) {
        char why[512];
        /* Redis's own words (WRONGPASS..., NOAUTH..., ERR DB index...) hold no secret. */
        snprintf(why, sizeof why, "Redis at %.100s:%d refused the connection: %.*s", r->url.host, r->url.port,
                 (int)(rep->len > 120 ? 120 : rep->len), rep->str ? rep->str : "");
        ob__redis_drop(r, why);
        return;
    }
    if (--r->handshake_left > 0) return;
    r->up = true;
    r->down_told = false;
    r->backoff_ms = BACKOFF_INITIAL_MS;
    if (r->on_state) r->on_state(r, true, "", r->ud);
}

static void start_connect(ob__redis *r) {
    redisAsyncContext *ac = redisAsyncConnect(r->url.host, r->url.port);
    if (!ac) {
        went_down(r, "out of memory while connecting to Redis");
        return;
    }
    if (ac->err) {
        char why[512];
        snprintf(why, sizeof why, "could not connect to Redis at %.100s:%d: %s", r->url.host, r->url.port, ac->errstr);
        redisAsyncFree(ac);
        went_down(r, why);
        return;
    }
    ac->data = r;
    ac->ev.data = r;
    ac->ev.addRead = hook_add_read;
    ac->ev.delRead = hook_del_read;
    ac->ev.addWrite = hook_add_write;
    ac->ev.delWrite = hook_del_write;
    ac->ev.cleanup = hook_cleanup;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    r->ac = ac;
    r->connect_deadline = ob__now_ms() + CONNECT_TIMEOUT_MS;
    r->handshake_left = 0;
    /* Pipelined: the first write also completes the non-blocking connect. */
    char db[16];
    snprintf(db, sizeof db, "%d", r->url.db);
    const char *auth[3] = {"AUTH", r->url.user, r->url.password};
    const char *sel[2] = {"SELECT", db};
    const char *ping[1] = {"PING"};
    int ok = OB_OK;
    if (r->url.password[0]) {
        ok = r->url.user[0] ? send_cmd(r, handshake_reply, NULL, 3, auth, NULL)
                            : send_cmd(r, handshake_reply, NULL, 2, (const char *[]){"AUTH", r->url.password}, NULL);
        r->handshake_left++;
    }
    if (ok == OB_OK && r->url.db) {
        ok = send_cmd(r, handshake_reply, NULL, 2, sel, NULL);
        r->handshake_left++;
    }
    if (ok == OB_OK && r->handshake_left == 0) {
        ok = send_cmd(r, handshake_reply, NULL, 1, ping, NULL);
        r->handshake_left++;
    }
    if (ok != OB_OK) ob__redis_drop(r, "could not queue the Redis handshake");
}

/* ------------------------------------------------------------------- API */

ob__redis *ob__redis_new(const ob__redis_url *u, ob__redis_state_cb on_state, void *ud) {
    ob__redis *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->url = *u;
    r->on_state = on_state;
    r->ud = ud;
    r->backoff_ms = BACKOFF_INITIAL_MS;
    r->rng = (uint64_t)ob__now_ms() ^ (uint64_t)(uintptr_t)r ^ 0x9e3779b97f4a7c15ULL;
    snprintf(r->why, sizeof r->why, "not connected to Redis at %.100s:%d yet", u->host, u->port);
    start_connect(r);
    return r;
}

/* A context about to be freed no longer reports to r (its hooks and its
 * disconnect callback), but its pending commands still get NULL replies. */
static void detach(redisAsyncContext *ac) {
    ac->onDisconnect = NULL;
    ac->ev.addRead = ac->ev.delRead = ac->ev.addWrite = ac->ev.delWrite = ac->ev.cleanup = NULL;
}

void ob__redis_drop(ob__redis *r, const char *why) {
    if (!r || !r->ac) return;
    redisAsyncContext *ac = r->ac;
    snprintf(r->why, sizeof r->why, "%.500s", why ? why : "the connection to Redis was closed");
    went_down(r, r->why); /* first: the callbacks redisAsyncFree runs see it down */
    detach(ac);
    redisAsyncFree(ac); /* pending callbacks run with NULL replies (deferred inside a hiredis callback) */
}

void ob__redis_free(ob__redis *r) {
    if (!r) return;
    r->on_state = NULL;
    if (r->ac) {
        redisAsyncContext *ac = r->ac;
        r->ac = NULL;
        detach(ac);
        redisAsyncFree(ac);
    }
    free(r);
}

bool ob__redis_up(const ob__redis *r) { return r && r->up; }

int ob__redis_fd(const ob__redis *r) { return r && r->ac ? r->ac->c.fd : -1; }

bool ob__redis_wants_write(const ob__redis *r) { return r && r->ac && r->want_write; }

size_t ob__redis_in_flight(const ob__redis *r) { return r ? r->in_flight : 0; }

int ob__redis_next_ms(const ob__redis *r) {
    if (!r) return -1;
    long long due = r->ac ? (r->up ? -1 : r->connect_deadline) : r->reconnect_at;
    if (due < 0) return -1;
    long long left = due - ob__now_ms();
    return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

void ob__redis_flush(ob__redis *r) {
    /* Not inside a reply callback: a failed write frees the context at once
       (hiredis 0.14's __redisAsyncDisconnect), under the callback's feet. */
    if (r && r->ac && r->connected && r->want_write && r->in_cb == 0) redisAsyncHandleWrite(r->ac);
}

void ob__redis_io(ob__redis *r, int ready_flags) {
    if (!r) return;
    if (r->ac && (ready_flags & OB_READABLE)) redisAsyncHandleRead(r->ac);
    if (r->ac && (ready_flags & OB_WRITABLE) && r->want_write) redisAsyncHandleWrite(r->ac);
    long long now = ob__now_ms();
    if (r->ac && !r->up && now >= r->connect_deadline) {
        char why[512];
        snprintf(why, sizeof why, "Redis at %.100s:%d did not answer within %d ms", r->url.host, r->url.port,
                 CONNECT_TIMEOUT_MS);
        ob__redis_drop(r, why);
    } else if (!r->ac && now >= r->reconnect_at) {
        start_connect(r);
    }
}

int ob__redis_cmd(ob__redis *r, ob__redis_reply_cb cb, void *ud, int argc, const char **argv, const size_t *lens) {
    if (!r) return OB_EINVAL;
    if (!r->up) return OB_ECLOSED;
    return send_cmd(r, cb, ud, argc, argv, lens);
}

int ob__redis_cmd_noreply(ob__redis *r, int argc, const char **argv, const size_t *lens) {
    if (!r) return OB_EINVAL;
    if (!r->up || !r->ac) return OB_ECLOSED;
    static const char skip[] = "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n";
    char *cmd = NULL;
    int len = redisFormatCommandArgv(&cmd, argc, argv, lens);
    if (len < 0 || !cmd) return OB_ENOMEM;
    /* Straight into the output buffer: hiredis expects no reply, and Redis
       sends none (CLIENT REPLY SKIP covers the next command; it answers
       nothing itself). */
    int ok = redisAppendFormattedCommand(&r->ac->c, skip, sizeof skip - 1) == REDIS_OK &&
             redisAppendFormattedCommand(&r->ac->c, cmd, (size_t)len) == REDIS_OK;
    free(cmd);
    if (!ok) return OB_ENOMEM;
    r->want_write = true;
    return OB_OK;
}

int ob__redis_cmd_any(ob__redis *r, ob__redis_reply_cb cb, void *ud, int argc, const char **argv, const size_t *lens) {
    return r ? send_cmd(r, cb, ud, argc, argv, lens) : OB_EINVAL;
}

bool ob__redis_key(char *out, size_t n, const char *stream, const char *suffix) {
    int w = snprintf(out, n, "%s:%s", stream, suffix);
    return w > 0 && (size_t)w < n;
}

bool ob__redis_is_error(const redisReply *rep) { return !rep || rep->type == REDIS_REPLY_ERROR; }

void ob__redis_poll(ob__redis **rs, int n, int timeout_ms) {
    struct pollfd pfd[8];
    int map[8], np = 0;
    int wait = timeout_ms;
    for (int i = 0; i < n && i < 8; i++) {
        if (!rs[i]) continue;
        ob__redis_flush(rs[i]); /* what is buffered goes out before the wait, not after a POLLOUT */
        int t = ob__redis_next_ms(rs[i]);
        if (t >= 0 && (wait < 0 || t < wait)) wait = t;
        int fd = ob__redis_fd(rs[i]);
        if (fd < 0) continue;
        pfd[np].fd = fd;
        pfd[np].events = (short)(POLLIN | (ob__redis_wants_write(rs[i]) ? POLLOUT : 0));
        pfd[np].revents = 0;
        map[np++] = i;
    }
    int got = poll(pfd, (nfds_t)np, wait);
    if (got < 0 && errno != EINTR) got = 0;
    for (int k = 0; k < np; k++) {
        int flags = 0;
        if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) flags |= OB_READABLE;
        if (pfd[k].revents & POLLOUT) flags |= OB_WRITABLE;
        ob__redis_io(rs[map[k]], flags);
    }
    for (int i = 0; i < n && i < 8; i++) {
        bool polled = false;
        for (int k = 0; k < np; k++) polled |= map[k] == i;
        if (rs[i] && !polled) ob__redis_io(rs[i], 0);
    }
}
