/* Plain HTTP on the WebSocket port: the download links the simulator hands
 * out (get_group_file_url, the url of received media segments), served by a
 * GET on the same port as the WebSocket (docs/simulator.md, "Download links").
 *
 * A link is a row of the `links` table (made on first use, so worlds from
 * before it need nothing): an unguessable id (128 bits from the kernel, as
 * QQ's ftn_handler ids are), the file's name, an expiry on the simulated
 * clock (0: never) and either a group file (group_id, file_id: the bytes
 * stay in `files`, so a deleted file stops downloading) or the bytes of a
 * received media item. No token is needed: whoever holds the URL may
 * download, as with QQ's URLs; an unknown, expired or deleted id is 404.
 *
 * An accepted connection is looked at before anything reads it: its first
 * bytes are peeked (not consumed), and a GET of one of the link paths is
 * answered here; everything else goes to the WebSocket server with its
 * bytes untouched. */
#include "sim_files.h"
#include "sim_server_internal.h"
#include "http.h"
#include "net.h"
#include "text.h"
#include <onebot/types.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SIM_HTTP_SNIFF_PAUSE_MS 20 /* a client that sent part of a path prefix: look again then */
#define SIM_HTTP_DEADLINE_MS 10000 /* a request head must arrive, and the answer leave, by then */
#define SIM_LINK_FILE_TTL 3600     /* a group file's link: seconds of simulated time */

/* The two link paths: QQ's group-file ftn_handler URLs and its media
   download URLs. "GET " + path prefix: only these are served here. */
#define SIM_FTN_PATH "/ftn_handler/"
#define SIM_MEDIA_PATH "/download?"
static const char *const served[] = {"GET " SIM_FTN_PATH, "GET " SIM_MEDIA_PATH, "GET /console"};

typedef struct sim_http_conn {
    struct sim_http_conn *next;
    int fd;
    bool decided; /* the request is ours: reading its head, then writing */
    long long deadline, retry_at;
    char *in; /* the head read so far (OB_HTTP_MAX_HEAD bytes) */
    size_t in_len;
    char *out; /* the response, head and body */
    size_t out_len, out_off;
} sim_http_conn;

/* ------------------------------------------------------------------ URLs */

long sim_http_query_param(const char *target, size_t tlen, const char *key, char *out) {
    const char *q = memchr(target, '?', tlen);
    if (!q) return -1;
    size_t kl = strlen(key);
    const char *end = target + tlen;
    for (const char *p = q + 1; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > kl && memcmp(p, key, kl) == 0 && p[kl] == '=') {
            const char *v = p + kl + 1;
            long n = ob__percent_decode(v, (size_t)(stop - v), out, true);
            return n < 0 ? -2 : n;
        }
        p = stop + 1;
    }
    return -1;
}

bool sim_server_token_ok(const ob_sim *s, const ob__http_head *req, bool *control) {
    /* The token is compared whole, however long: a fixed buffer would cut a
       long one and then accept anything that starts with the real token. */
    char *query = malloc(req->target_len + 1);
    const char *presented = NULL;
    size_t plen_tok = 0;
    /* NapCat: a query access_token that is missing or empty falls back to
       the Authorization header. One with a %00 in it is a wrong token. */
    long qlen = query ? sim_http_query_param(req->target, req->target_len, "access_token", query) : -1;
    if (qlen > 0) {
        presented = query;
        plen_tok = (size_t)qlen;
    } else if (qlen == -1 || qlen == 0) {
        plen_tok = 0;
        const char *auth = ob__http_get(req, "Authorization", &plen_tok);
        if (auth) {
            /* "Bearer <t>" (NapCat also takes the bare token) */
            if (plen_tok >= 7 && strncasecmp(auth, "Bearer ", 7) == 0) {
                auth += 7;
                plen_tok -= 7;
            } else if (plen_tok >= 6 && strncasecmp(auth, "Token ", 6) == 0) {
                auth += 6;
                plen_tok -= 6;
            }
            presented = auth;
        }
    }
    /* Each configured token is compared in constant time (ob__secret_equal),
       both of them every time: how long the check takes tells a client
       nothing about either token (NULL here means none configured). */
    bool is_control = false, is_access = false;
    if (presented && s->control_token)
        is_control = ob__secret_equal(presented, plen_tok, s->control_token, strlen(s->control_token));
    if (presented && s->token) is_access = ob__secret_equal(presented, plen_tok, s->token, strlen(s->token));
    bool ok = !s->token || is_control || is_access;
    free(query);
    *control = is_control;
    return ok;
}

/* The host part of the simulator's URLs: where it listens (a wildcard
   address means this host: the loopback one). */
static void url_base(const ob_sim *s, ob__buf *b) {
    const char *h = s->host;
    if (strcmp(h, "0.0.0.0") == 0 || !h[0]) h = "127.0.0.1";
    else if (strcmp(h, "::") == 0) h = "::1";
    bool v6 = strchr(h, ':') != NULL;
    char port[16];
    snprintf(port, sizeof port, ":%d", s->port);
    ob__buf_puts(b, "http://");
    if (v6) ob__buf_putc(b, '[');
    ob__buf_puts(b, h);
    if (v6) ob__buf_putc(b, ']');
    ob__buf_puts(b, port);
}

static void put_pct(ob__buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
            ob__buf_putc(b, (char)ch);
        } else {
            ob__buf_putc(b, '%');
            ob__buf_putc(b, hex[ch >> 4]);
            ob__buf_putc(b, hex[ch & 15]);
        }
    }
}

static void new_link_id(sim_ctx *c, char id[33]) {
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        sim_random_hex(c, id, 32); /* no kernel randomness: still unique enough for a test world */
        return;
    }
    for (int i = 0; i < 16; i++) snprintf(id + 2 * i, 3, "%02x", r[i]);
}

static const char *new_link(sim_ctx *c, int64_t gid, const char *file_id, const unsigned char *data, size_t len,
                            const char *name, int64_t ttl) {
    int64_t now = sim_now(c);
    if (!sim_sql_exec(c, "DELETE FROM links WHERE expires<>0 AND expires<=?", "i", now)) return sim_db_fail(c), NULL;
    char id[33];
    new_link_id(c, id);
    if (!sim_sql_exec(c, "INSERT INTO links(id,name,expires,group_id,file_id,content) VALUES(?,?,?,?,?,?)", "ssiisb",
                      id, name, ttl ? now + ttl : 0, gid, file_id, (const void *)data, data ? len : 0))
        return sim_db_fail(c), NULL;
    ob__buf url = {0};
    url_base(c->sim, &url);
    if (file_id) {
        ob__buf_puts(&url, SIM_FTN_PATH);
        ob__buf_puts(&url, id);
        ob__buf_puts(&url, "/?fname=");
        put_pct(&url, name);
    } else {
        ob__buf_puts(&url, SIM_MEDIA_PATH "appid=1407&fileid=");
        ob__buf_puts(&url, id);
        ob__buf_puts(&url, "&spec=0");
    }
    char *out = url.oom ? NULL : sim_ctx_alloc(c, url.len + 1);
    if (out) {
        memcpy(out, url.p, url.len);
        out[url.len] = '\0';
    }
    ob__buf_free(&url);
    if (!out) sim_fail(c, SIM_RC_REFUSED, "out of memory");
    return out;
}

const char *sim_link_group_file(sim_ctx *c, int64_t gid, const char *file_id, const char *name) {
    return new_link(c, gid, file_id, NULL, 0, name, SIM_LINK_FILE_TTL);
}

const char *sim_link_media(sim_ctx *c, const unsigned char *data, size_t len, const char *name) {
    return new_link(c, 0, NULL, data ? data : (const unsigned char *)"", len, name, 0);
}

/* The link id in a request target, into id (33 bytes); false when none. */
static bool target_id(const char *t, size_t tl, char id[33]);

int sim_link_resolve(sim_ctx *c, const char *url, int64_t *gid, char file_id[SIM_ID_LEN + 1]) {
    const char *path = strncasecmp(url, "http://", 7) == 0 ? strchr(url + 7, '/') : NULL;
    char id[33];
    if (!path || !target_id(path, strlen(path), id)) return 0;
    sqlite3_stmt *st = sim_sql_query(c,
                                     "SELECT group_id, file_id FROM links WHERE id=? AND file_id IS NOT NULL"
                                     " AND (expires=0 OR expires>?)",
                                     "si", id, sim_now(c));
    if (!st) return -1;
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        *gid = sqlite3_column_int64(st, 0);
        snprintf(file_id, SIM_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return found;
}

/* ------------------------------------------------------------------ answers */

static const char *content_type(const char *name) {
    static const char *const types[][2] = {
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".bmp", "image/bmp"},
        {".mp4", "video/mp4"},
        {".amr", "audio/amr"},
        {".mp3", "audio/mpeg"},
        {".silk", "audio/silk"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(dot, types[i][0]) == 0) return types[i][1];
    return "application/octet-stream";
}

/* headers: more header lines, each ending in CRLF (the console's); NULL
   for the downloads' Cache-Control: no-store. */
static void set_answer(sim_http_conn *h, int status, const char *type, const char *headers, const void *body,
                       size_t len) {
    const char *reason = status == 200   ? "OK"
                         : status == 404 ? "Not Found"
                         : status == 403 ? "Forbidden"
                                         : "Bad Request";
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n", status,
                     reason, type, len, headers ? headers : "Cache-Control: no-store\r\n");
    free(h->out);
    h->out = n > 0 && (size_t)n < sizeof head ? malloc((size_t)n + len) : NULL;
    h->out_len = h->out_off = 0;
    if (!h->out) return; /* nothing to send: the connection is closed */
    memcpy(h->out, head, (size_t)n);
    if (len) memcpy(h->out + n, body, len);
    h->out_len = (size_t)n + len;
}

static void not_found(sim_http_conn *h) {
    static const char msg[] = "404 no such file: the link is unknown or has expired\n";
    set_answer(h, 404, "text/plain; charset=utf-8", NULL, msg, sizeof msg - 1);
}

static bool target_id(const char *t, size_t tl, char id[33]) {
    size_t fl = strlen(SIM_FTN_PATH);
    if (tl > fl && memcmp(t, SIM_FTN_PATH, fl) == 0) {
        size_t n = strcspn(t + fl, "/?");
        if (n != 32 || fl + n > tl) return false;
        memcpy(id, t + fl, 32);
        id[32] = '\0';
        return true;
    }
    char buf[OB_HTTP_MAX_HEAD];
    if (tl >= sizeof buf || sim_http_query_param(t, tl, "fileid", buf) != 32) return false;
    memcpy(id, buf, 33);
    return true;
}

static void answer(ob_sim *s, sim_http_conn *h, const ob__http_head *req) {
    sim_console_answer page;
    if (sim_console_http(s, h->fd, req, &page))
        return set_answer(h, page.status, page.type, page.headers, page.body, page.len);
    char id[33];
    if (!target_id(req->target, req->target_len, id)) return not_found(h);
    for (int i = 0; i < 32; i++)
        if (!strchr("0123456789abcdef", id[i])) return not_found(h);
    sim_ctx c = {.sim = s, .params = -1};
    sqlite3_stmt *st = sim_sql_query(
        &c,
        "SELECT l.name, l.expires, CASE WHEN l.file_id IS NULL THEN l.content ELSE f.content END FROM links l"
        " LEFT JOIN files f ON f.group_id=l.group_id AND f.file_id=l.file_id"
        " WHERE l.id=?",
        "s", id);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        int64_t expires = sqlite3_column_int64(st, 1);
        bool live = expires == 0 || expires > (int64_t)time(NULL) + s->clock_offset;
        const void *body = sqlite3_column_blob(st, 2);
        size_t len = (size_t)sqlite3_column_bytes(st, 2);
        if (live && sqlite3_column_type(st, 2) != SQLITE_NULL)
            set_answer(h, 200, content_type((const char *)sqlite3_column_text(st, 0)), NULL, body, len);
        else not_found(h);
    } else {
        not_found(h); /* also: no links table yet */
    }
    sqlite3_finalize(st);
    sim_ctx_release(&c);
}

/* ------------------------------------------------------------------ connections */

void sim_http_adopt(ob_sim *s, int fd) {
    sim_http_conn *h = sim_conn_alloc(fd, sizeof *h);
    if (!h) return;
    h->fd = fd;
    h->deadline = ob__now_ms() + SIM_HTTP_DEADLINE_MS;
    h->next = s->http;
    s->http = h;
}

size_t sim_http_count(const ob_sim *s) {
    size_t n = 0;
    for (const sim_http_conn *h = s->http; h; h = h->next) n++;
    return n;
}

void sim_http_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout) {
    for (sim_http_conn *h = s->http; h; h = h->next, pfd++) {
        bool waiting = !h->decided && now < h->retry_at;
        *pfd = (struct pollfd){.fd = h->fd, .events = h->out ? POLLOUT : waiting ? 0 : POLLIN};
        long long until = waiting ? h->retry_at : h->deadline;
        long long left = until > now ? until - now : 0;
        if (left < *timeout) *timeout = (int)left;
    }
}

/* Before a decision: 1 ours, 0 the WebSocket's, -1 not yet (more bytes
   needed), -2 the peer left. */
static int sniff(sim_http_conn *h) {
    char buf[32];
    ssize_t n = recv(h->fd, buf, sizeof buf, MSG_PEEK);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return -2;
    if (n < 0) return -1;
    /* The console's socket (GET /console/ws...) is the WebSocket server's. */
    size_t wl = strlen("GET " SIM_CONSOLE_WS_PATH), wm = (size_t)n < wl ? (size_t)n : wl;
    if (memcmp(buf, "GET " SIM_CONSOLE_WS_PATH, wm) == 0) return wm == wl ? 0 : -1;
    bool partial = false;
    for (size_t i = 0; i < sizeof served / sizeof served[0]; i++) {
        size_t pl = strlen(served[i]), m = (size_t)n < pl ? (size_t)n : pl;
        if (memcmp(buf, served[i], m) != 0) continue;
        if (m == pl) return 1;
        partial = true;
    }
    return partial ? -1 : 0;
}

/* One step of h's work; false when it is over (the caller frees it). */
static bool step(ob_sim *s, sim_http_conn *h, short revents, long long now) {
    if (!h->decided) {
        if (!revents) return now < h->deadline;
        int r = sniff(h);
        if (r == -2) return false;
        if (r == -1) {
            h->retry_at = now + SIM_HTTP_SNIFF_PAUSE_MS;
            return now < h->deadline;
        }
        if (r == 0) {
            sim_server_adopt_ws(s, h->fd);
            h->fd = -1;
            return false;
        }
        h->decided = true;
        h->in = malloc(OB_HTTP_MAX_HEAD);
        if (!h->in) return false;
    }
    if (now >= h->deadline) return false;
    if (!h->out && (revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = read(h->fd, h->in + h->in_len, OB_HTTP_MAX_HEAD - h->in_len);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
        if (n > 0) h->in_len += (size_t)n;
        ob__http_head req;
        int p = ob__http_parse(h->in, h->in_len, 1, &req);
        if (p > 0) answer(s, h, &req);
        else if (p < 0 || h->in_len == OB_HTTP_MAX_HEAD) set_answer(h, 400, "text/plain", NULL, "bad request\n", 12);
        if (h->decided && !h->out && p != 0) return false; /* out of memory */
    }
    if (h->out && (revents & POLLOUT)) {
        ssize_t n = write(h->fd, h->out + h->out_off, h->out_len - h->out_off);
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (n > 0) h->out_off += (size_t)n;
        if (h->out_off == h->out_len) return false; /* answered: Connection: close */
    }
    return true;
}

static void conn_free(sim_http_conn *h) {
    if (h->fd >= 0) close(h->fd);
    free(h->in);
    free(h->out);
    free(h);
}

void sim_http_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n) {
    long long now = ob__now_ms();
    size_t i = 0;
    for (sim_http_conn **pp = &s->http; *pp;) {
        sim_http_conn *h = *pp;
        short rev = i < n ? pfd[i].revents : 0;
        i++;
        if (step(s, h, rev, now)) {
            pp = &h->next;
            continue;
        }
        *pp = h->next;
        conn_free(h);
    }
}

void sim_http_free_all(ob_sim *s) {
    while (s->http) {
        sim_http_conn *h = s->http;
        s->http = h->next;
        conn_free(h);
    }
}
