/* The scripted peer (see peer.h): our own WebSocket server side, one thread,
 * one connection at a time (a new connection replaces the old one). The
 * test thread talks to it through a mutex-guarded outbox and a wake pipe;
 * the peer thread records frames into an inbox that tests wait on. */
#include "peer.h"

#include "json.h"
#include "net.h"
#include "ws.h"
#include <onebot/types.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum out_kind { OUT_SEND, OUT_CLOSE, OUT_DROP, OUT_DEAF, OUT_FLOOD };

typedef struct pnode {
    struct pnode *next;
    int kind;
    char *text;   /* frame / reply template */
    char *action; /* scripts: NULL = any */
} pnode;

typedef struct plist {
    pnode *head, *tail;
    int n;
} plist;

struct peer {
    peer_opts opts;
    char *token;
    char *cert_file, *key_file;
    int listen_fd;
    int port;
    char url[64];
    int wake[2];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;

    /* guarded by mu */
    bool stopping;
    plist inbox, outbox, scripts;
    peer_auto_fn auto_fn;
    void *auto_ud;
    int connections;
    bool connected;
    char *last_target, *last_auth;

    /* peer thread only */
    ob__ws *conn;
    bool close_when_flushed;
    int deaf;         /* the current connection: 0 read, 1 never read, 2 never read and flood pings */
    size_t flood_odd; /* 1 when the last ping written lacks its second byte */
};

static char *dupn(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) abort(); /* test support: out of memory is fatal */
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
static char *dups(const char *s) { return dupn(s ? s : "", strlen(s ? s : "")); }

static void list_push(plist *l, pnode *n) {
    n->next = NULL;
    if (l->tail) l->tail->next = n;
    else l->head = n;
    l->tail = n;
    l->n++;
}

static pnode *list_pop(plist *l) {
    pnode *n = l->head;
    if (n) {
        l->head = n->next;
        if (!l->head) l->tail = NULL;
        l->n--;
    }
    return n;
}

static void node_free(pnode *n) {
    if (n) {
        free(n->text);
        free(n->action);
        free(n);
    }
}

static void list_clear(plist *l) {
    pnode *n;
    while ((n = list_pop(l))) node_free(n);
}

static void wake(peer *p) {
    char b = 1;
    ssize_t r = write(p->wake[1], &b, 1);
    (void)r; /* a full pipe already wakes the thread */
}

static void push_out(peer *p, int kind, char *text) {
    pnode *n = calloc(1, sizeof *n);
    if (!n) abort();
    n->kind = kind;
    n->text = text;
    pthread_mutex_lock(&p->mu);
    list_push(&p->outbox, n);
    pthread_mutex_unlock(&p->mu);
    wake(p);
}

/* ------------------------------------------------------------ frame parsing */

/* Parses frame into d (the caller frees d) and returns the token of the
 * top-level key, or -1 when frame is NULL, not an object or lacks key. */
static int top_level_key(ob__jdoc *d, const char *frame, const char *key) {
    if (!frame || ob__jdoc_parse(d, frame, strlen(frame)) != OB_OK || d->ntok == 0 || d->tok[0].type != JSMN_OBJECT)
        return -1;
    return ob__jget(d, 0, key);
}

char *peer_frame_get(const char *frame, const char *key) {
    ob__jdoc d = {0};
    char *out = NULL;
    int t = top_level_key(&d, frame, key);
    if (t >= 0) {
        const jsmntok_t *k = &d.tok[t];
        if (k->type == JSMN_STRING) out = dupn(frame + k->start - 1, (size_t)(k->end - k->start) + 2);
        else out = dupn(frame + k->start, (size_t)(k->end - k->start));
    }
    ob__jdoc_free(&d);
    return out;
}

char *peer_frame_get_string(const char *frame, const char *key) {
    ob__jdoc d = {0};
    char *out = NULL;
    int t = top_level_key(&d, frame, key);
    if (t >= 0 && d.tok[t].type == JSMN_STRING) {
        out = malloc(ob__jlen(&d, t) + 1);
        if (!out) abort();
        if (ob__junescape(&d, t, out) < 0) {
            free(out);
            out = NULL;
        }
    }
    ob__jdoc_free(&d);
    return out;
}

/* {"echo":E, ...rest of reply_json} */
static char *with_echo(const char *echo_json, const char *reply_json) {
    const char *e = echo_json && echo_json[0] ? echo_json : "null";
    const char *open = reply_json ? strchr(reply_json, '{') : NULL;
    const char *rest = open ? open + 1 : "}";
    while (*rest == ' ' || *rest == '\n' || *rest == '\t' || *rest == '\r') rest++;
    size_t n = strlen(e) + strlen(rest) + 16;
    char *out = malloc(n);
    if (!out) abort();
    snprintf(out, n, "{\"echo\":%s%s%s", e, *rest == '}' ? "" : ",", rest);
    return out;
}

/* -------------------------------------------------------------- ws handlers */

static bool token_ok(peer *p, const ob__http_head *req) {
    if (!p->token) return true;
    /* NapCat: the query parameter wins over the header (docs/protocol.md §1.2). */
    const char *q = memchr(req->target, '?', req->target_len);
    if (q) {
        const char *end = req->target + req->target_len;
        const char *s = q + 1;
        while (s < end) {
            const char *amp = memchr(s, '&', (size_t)(end - s));
            const char *stop = amp ? amp : end;
            if ((size_t)(stop - s) > 13 && memcmp(s, "access_token=", 13) == 0) {
                size_t n = (size_t)(stop - s) - 13;
                return n == strlen(p->token) && memcmp(s + 13, p->token, n) == 0;
            }
            s = stop + 1;
        }
    }
    size_t len = 0;
    const char *auth = ob__http_get(req, "Authorization", &len);
    if (!auth || len < 7 || strncasecmp(auth, "Bearer ", 7) != 0) return false;
    return len - 7 == strlen(p->token) && memcmp(auth + 7, p->token, len - 7) == 0;
}

static int on_upgrade(ob__ws *ws, const ob__http_head *req, void *ud) {
    peer *p = ud;
    size_t alen = 0;
    const char *auth = ob__http_get(req, "Authorization", &alen);
    pthread_mutex_lock(&p->mu);
    free(p->last_target);
    free(p->last_auth);
    p->last_target = dupn(req->target, req->target_len);
    p->last_auth = auth ? dupn(auth, alen) : dups("");
    p->connections++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);

    if (!token_ok(p, req)) {
        switch (p->opts.refuse) {
        case PEER_REFUSE_HTTP_403: return 403;
        case PEER_REFUSE_CLOSE: ob__ws_close(ws, 1000, ""); return 101;
        case PEER_REFUSE_1403:
        default: {
            static const char refusal[] =
                "{\"status\":\"failed\",\"retcode\":1403,\"data\":null,\"message\":\"token验证失败\","
                "\"wording\":\"token验证失败\",\"echo\":null,\"stream\":\"normal-action\"}";
            ob__ws_send(ws, refusal, sizeof refusal - 1);
            /* wslay sends control frames ahead of queued data, so the close
             * waits until the refusal is on the wire (see peer_main). */
            p->close_when_flushed = true;
            return 101;
        }
        }
    }
    if (p->opts.lifecycle) {
        char ev[256];
        int n = snprintf(ev, sizeof ev,
                         "{\"time\":%lld,\"self_id\":%lld,\"post_type\":\"meta_event\","
                         "\"meta_event_type\":\"lifecycle\",\"sub_type\":\"connect\"}",
                         (long long)time(NULL), (long long)(p->opts.self_id ? p->opts.self_id : 10001));
        ob__ws_send(ws, ev, (size_t)n);
    }
    return 101;
}

static void on_message(ob__ws *ws, const char *data, size_t len, bool is_text, void *ud) {
    (void)ws;
    (void)is_text;
    peer *p = ud;
    pnode *rec = calloc(1, sizeof *rec);
    if (!rec) abort();
    rec->text = dupn(data, len);
    char *action = peer_frame_get_string(rec->text, "action");
    char *echo = peer_frame_get(rec->text, "echo");

    pthread_mutex_lock(&p->mu);
    list_push(&p->inbox, rec);
    pthread_cond_broadcast(&p->cv);
    peer_auto_fn fn = p->auto_fn;
    void *fn_ud = p->auto_ud;
    pnode *script = NULL;
    if (!fn && p->scripts.head &&
        (!p->scripts.head->action || (action && strcmp(p->scripts.head->action, action) == 0)))
        script = list_pop(&p->scripts);
    const char *frame = rec->text; /* the record stays alive: only takers free it, under mu */
    char *frame_copy = fn ? dups(frame) : NULL;
    pthread_mutex_unlock(&p->mu);

    if (fn) fn(p, frame_copy, action ? action : "", echo ? echo : "null", fn_ud);
    else if (script) push_out(p, OUT_SEND, with_echo(echo, script->text));
    node_free(script);
    free(frame_copy);
    free(action);
    free(echo);
}

static void on_close(ob__ws *ws, int code, const char *reason, void *ud) {
    (void)ws;
    (void)code;
    (void)reason;
    (void)ud;
}

static const ob__ws_handlers handlers = {on_message, on_close, on_upgrade};

/* ---------------------------------------------------------------- the thread */

static void set_connected(peer *p, bool up) {
    pthread_mutex_lock(&p->mu);
    p->connected = up;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void drop_conn(peer *p) {
    if (p->conn) {
        ob__ws_free(p->conn);
        p->conn = NULL;
        set_connected(p, false);
    }
}

/* Writes empty ping frames (0x89 0x00) while the socket takes them, a
 * bounded amount per call so the thread still hears the test. False when
 * the connection broke. */
static bool flood_pings(peer *p) {
    static unsigned char pings[16384];
    if (pings[0] == 0)
        for (size_t i = 0; i < sizeof pings; i += 2) pings[i] = 0x89;
    int fd = ob__ws_fd(p->conn);
    for (int k = 0; k < 64; k++) {
        /* a short write may have ended inside a frame: its rest goes first */
        ssize_t r = send(fd, pings + p->flood_odd, sizeof pings - p->flood_odd, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r < 0) return errno == EAGAIN || errno == EINTR;
        p->flood_odd = (p->flood_odd + (size_t)r) % 2;
    }
    return true;
}

static void *peer_main(void *arg) {
    peer *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        bool stopping = p->stopping;
        pthread_mutex_unlock(&p->mu);
        if (stopping) break;

        struct pollfd fds[3] = {
            {.fd = p->wake[0], .events = POLLIN, .revents = 0},
            {.fd = p->listen_fd, .events = POLLIN, .revents = 0},
            {.fd = p->conn ? ob__ws_fd(p->conn) : -1, .events = p->deaf ? 0 : POLLIN, .revents = 0},
        };
        if (p->conn && (ob__ws_wants_write(p->conn) || p->deaf == 2)) fds[2].events |= POLLOUT;
        bool buffered = p->conn && ob__ws_pending(p->conn);
        int n = poll(fds, 3, buffered ? 0 : 200);
        if (n < 0 && errno != EINTR) break;
        if (fds[0].revents & POLLIN) {
            char buf[64];
            while (read(p->wake[0], buf, sizeof buf) > 0) {}
        }
        if (fds[1].revents & POLLIN) {
            int fd;
            while (ob__net_accept(p->listen_fd, &fd) == OB_OK) {
                drop_conn(p);
                p->close_when_flushed = false;
                p->deaf = 0;
                p->flood_odd = 0;
                if (p->cert_file) {
                    /* Blocking handshake: the peer serves one client at a time anyway. */
                    ob__stream st = {.fd = fd, .ssl = NULL, .want_write = false};
                    char err[256];
                    if (ob__tls_server(&st, p->cert_file, p->key_file, 5000, err, sizeof err) != OB_OK) {
                        ob__stream_close(&st);
                        continue;
                    }
                    p->conn = ob__ws_server_stream(&st, 0, &handlers, p);
                    if (!p->conn) ob__stream_close(&st);
                } else {
                    p->conn = ob__ws_server(fd, 0, &handlers, p);
                    if (!p->conn) close(fd);
                }
                if (p->conn) set_connected(p, true);
            }
        }
        int rc = OB_OK;
        if (p->conn && p->deaf) {
            /* never read again: only what was queued before, then pings */
            if (fds[2].revents & (POLLHUP | POLLERR)) rc = OB_ECLOSED;
            else if (ob__ws_wants_write(p->conn)) rc = ob__ws_flush(p->conn);
            else if (p->deaf == 2 && (fds[2].revents & POLLOUT) && !flood_pings(p)) rc = OB_ECLOSED;
        } else if (p->conn) {
            int flags = 0;
            if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) flags |= 1;
            if (fds[2].revents & POLLOUT) flags |= 2;
            if (flags || buffered) rc = ob__ws_io(p->conn, flags | (buffered ? 1 : 0));
        }

        pthread_mutex_lock(&p->mu);
        plist out = p->outbox;
        memset(&p->outbox, 0, sizeof p->outbox);
        pthread_mutex_unlock(&p->mu);
        pnode *cmd;
        while ((cmd = list_pop(&out))) {
            if (p->conn && rc == OB_OK) {
                if (cmd->kind == OUT_SEND) ob__ws_send(p->conn, cmd->text, strlen(cmd->text));
                else if (cmd->kind == OUT_CLOSE) p->close_when_flushed = true; /* after the frames queued before it */
                else if (cmd->kind == OUT_DROP) drop_conn(p);
                else if (cmd->kind == OUT_DEAF || cmd->kind == OUT_FLOOD) {
                    if (p->cert_file) abort(); /* raw pings cannot go through TLS */
                    p->deaf = cmd->kind == OUT_FLOOD ? 2 : 1;
                }
            }
            node_free(cmd);
        }
        if (p->conn && rc == OB_OK) rc = ob__ws_flush(p->conn);
        if (p->conn && rc == OB_OK && p->close_when_flushed && !ob__ws_wants_write(p->conn)) {
            p->close_when_flushed = false;
            ob__ws_close(p->conn, 1000, "");
            rc = ob__ws_flush(p->conn);
        }
        if (p->conn && (rc != OB_OK || ob__ws_is_closed(p->conn))) drop_conn(p);
    }
    drop_conn(p);
    return NULL;
}

/* ---------------------------------------------------------------- public */

peer *peer_start(const peer_opts *opts) {
    peer *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (opts) p->opts = *opts;
    p->token = opts && opts->token ? dups(opts->token) : NULL;
    if (opts && opts->cert_file && opts->key_file) {
        p->cert_file = dups(opts->cert_file);
        p->key_file = dups(opts->key_file);
    }
    char err[128];
    if (ob__net_listen("127.0.0.1", p->opts.port, 16, &p->listen_fd, &p->port, err, sizeof err) != OB_OK) {
        free(p->token);
        free(p->cert_file);
        free(p->key_file);
        free(p);
        return NULL;
    }
    if (p->cert_file) snprintf(p->url, sizeof p->url, "wss://localhost:%d/", p->port);
    else snprintf(p->url, sizeof p->url, "ws://127.0.0.1:%d/", p->port);
    if (pipe(p->wake) != 0) {
        close(p->listen_fd);
        free(p->token);
        free(p->cert_file);
        free(p->key_file);
        free(p);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(p->wake[i], F_SETFL, fcntl(p->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(p->wake[i], F_SETFD, FD_CLOEXEC);
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&p->mu, NULL);
    if (pthread_create(&p->thread, NULL, peer_main, p) != 0) {
        close(p->listen_fd);
        close(p->wake[0]);
        close(p->wake[1]);
        free(p->token);
        free(p->cert_file);
        free(p->key_file);
        free(p);
        return NULL;
    }
    return p;
}

void peer_stop(peer *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_mutex_unlock(&p->mu);
    wake(p);
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    close(p->wake[0]);
    close(p->wake[1]);
    list_clear(&p->inbox);
    list_clear(&p->outbox);
    list_clear(&p->scripts);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->last_target);
    free(p->last_auth);
    free(p->token);
    free(p->cert_file);
    free(p->key_file);
    free(p);
}

int peer_port(const peer *p) { return p->port; }
const char *peer_url(const peer *p) { return p->url; }

static struct timespec deadline_in(int ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

bool peer_wait_connections(peer *p, int n, int timeout_ms) {
    struct timespec until = deadline_in(timeout_ms);
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    while (p->connections < n && rc == 0) rc = pthread_cond_timedwait(&p->cv, &p->mu, &until);
    bool ok = p->connections >= n;
    pthread_mutex_unlock(&p->mu);
    return ok;
}

bool peer_wait_disconnected(peer *p, int timeout_ms) {
    struct timespec until = deadline_in(timeout_ms);
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    while (p->connected && rc == 0) rc = pthread_cond_timedwait(&p->cv, &p->mu, &until);
    bool ok = !p->connected;
    pthread_mutex_unlock(&p->mu);
    return ok;
}

int peer_connections(peer *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->connections;
    pthread_mutex_unlock(&p->mu);
    return n;
}

char *peer_last_target(peer *p) {
    pthread_mutex_lock(&p->mu);
    char *s = dups(p->last_target);
    pthread_mutex_unlock(&p->mu);
    return s;
}

char *peer_last_authorization(peer *p) {
    pthread_mutex_lock(&p->mu);
    char *s = dups(p->last_auth);
    pthread_mutex_unlock(&p->mu);
    return s;
}

char *peer_next_frame(peer *p, int timeout_ms) {
    struct timespec until = deadline_in(timeout_ms);
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    while (!p->inbox.head && rc == 0) rc = pthread_cond_timedwait(&p->cv, &p->mu, &until);
    pnode *n = list_pop(&p->inbox);
    pthread_mutex_unlock(&p->mu);
    if (!n) return NULL;
    char *text = n->text;
    n->text = NULL;
    node_free(n);
    return text;
}

char *peer_expect_action(peer *p, const char *action, int timeout_ms) {
    char *frame = peer_next_frame(p, timeout_ms);
    if (!frame) return NULL;
    char *got = peer_frame_get_string(frame, "action");
    bool match = got && action && strcmp(got, action) == 0;
    free(got);
    if (!match) {
        free(frame);
        return NULL;
    }
    return frame;
}

int peer_pending_frames(peer *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->inbox.n;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void peer_reply(peer *p, const char *echo_json, const char *reply_json) {
    push_out(p, OUT_SEND, with_echo(echo_json, reply_json));
}

void peer_reply_ok(peer *p, const char *echo_json, const char *data_json) {
    size_t n = strlen(data_json ? data_json : "null") + 96;
    char *body = malloc(n);
    if (!body) abort();
    snprintf(body, n, "{\"status\":\"ok\",\"retcode\":0,\"data\":%s,\"message\":\"\",\"wording\":\"\"}",
             data_json ? data_json : "null");
    peer_reply(p, echo_json, body);
    free(body);
}

void peer_reply_failed(peer *p, const char *echo_json, int retcode, const char *message) {
    ob__buf q = {0};
    ob__json_quote(&q, message ? message : "", strlen(message ? message : ""));
    char *quoted = ob__buf_take(&q);
    if (!quoted) abort();
    size_t n = 2 * strlen(quoted) + 96;
    char *body = malloc(n);
    if (!body) abort();
    snprintf(body, n, "{\"status\":\"failed\",\"retcode\":%d,\"data\":null,\"message\":%s,\"wording\":%s}", retcode,
             quoted, quoted);
    peer_reply(p, echo_json, body);
    free(body);
    free(quoted);
}

void peer_script(peer *p, const char *action, const char *reply_json) {
    pnode *n = calloc(1, sizeof *n);
    if (!n) abort();
    n->text = dups(reply_json);
    n->action = action ? dups(action) : NULL;
    pthread_mutex_lock(&p->mu);
    list_push(&p->scripts, n);
    pthread_mutex_unlock(&p->mu);
}

void peer_set_auto(peer *p, peer_auto_fn fn, void *ud) {
    pthread_mutex_lock(&p->mu);
    p->auto_fn = fn;
    p->auto_ud = ud;
    pthread_mutex_unlock(&p->mu);
}

void peer_send(peer *p, const char *text) { push_out(p, OUT_SEND, dups(text)); }
void peer_close(peer *p) { push_out(p, OUT_CLOSE, NULL); }
void peer_drop(peer *p) { push_out(p, OUT_DROP, NULL); }
void peer_stop_reading(peer *p, bool ping_flood) { push_out(p, ping_flood ? OUT_FLOOD : OUT_DEAF, NULL); }

/* ---------------------------------------------------------- certificates */

bool peer_make_cert(char *dir, char *cert, char *key) {
    snprintf(dir, 128, "/tmp/ob-peer-XXXXXX");
    if (!mkdtemp(dir)) return false;
    snprintf(cert, 128, "%s/cert.pem", dir);
    snprintf(key, 128, "%s/key.pem", dir);
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    bool ok = pkey && x;
    if (ok) {
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), -60);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, pkey);
        X509_NAME *name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
        X509_set_issuer_name(x, name);
        X509V3_CTX v3;
        X509V3_set_ctx_nodb(&v3);
        X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
        const char *exts[][2] = {{"subjectAltName", "DNS:localhost"}, {"basicConstraints", "critical,CA:TRUE"}};
        for (size_t i = 0; i < 2 && ok; i++) {
            X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, exts[i][0], exts[i][1]);
            ok = e && X509_add_ext(x, e, -1);
            X509_EXTENSION_free(e);
        }
        ok = ok && X509_sign(x, pkey, EVP_sha256()) > 0;
    }
    FILE *f = ok ? fopen(cert, "w") : NULL;
    ok = f && PEM_write_X509(f, x);
    if (f) fclose(f);
    f = ok ? fopen(key, "w") : NULL;
    ok = f && PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
    if (f) fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
    if (!ok) peer_drop_cert(dir, cert, key);
    return ok;
}

void peer_drop_cert(const char *dir, const char *cert, const char *key) {
    unlink(cert);
    unlink(key);
    rmdir(dir);
}
