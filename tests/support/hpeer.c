/* The scripted HTTP peer (see hpeer.h): one thread, poll(2) over the
 * listening socket and every connection; the test thread talks to it under
 * a mutex and wakes it through a pipe. */
#define _GNU_SOURCE 1 /* pipe2 */
#include "hpeer.h"

#include "http.h"
#include "net.h"
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64
#define MAX_REPLIES 16

typedef struct hconn {
    int fd;
    ob__stream s; /* over fd; TLS with hpeer_start_tls */
    char *in;
    size_t in_len, in_cap;
    bool sse;    /* this connection is an event stream */
    bool stuck;  /* a request for the stalled action came: nothing more is answered here */
    char **held; /* answers held back (hpeer_hold), in order; a NULL one = close instead */
    int nheld, answered;
} hconn;

typedef struct hreq {
    struct hreq *next;
    char *text;
} hreq;

struct hpeer {
    char *token, *cert, *key;
    int listen_fd, port;
    char url[64];
    int wake[2];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* guarded by mu */
    bool stopping;
    hreq *head, *tail;
    int connections, sse_opened, hold, waiting, max_waiting, max_batch, mode, close_after;
    struct {
        char *action; /* NULL = any */
        int status;
        char *body;
    } replies[MAX_REPLIES];
    int nreplies;
    char *sse_out; /* bytes for every stream, written by the thread */
    bool sse_drop;
    bool release_now;
    bool sse_stall;
    bool stall_reads, kill_calls; /* hpeer_stall_reads, hpeer_kill_calls */
    char *stall_action;           /* hpeer_stall_action */
    int stuck_conns;
    hconn conns[MAX_CONNS];
    int nconns;
};

static char *dupn(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) abort(); /* test support: out of memory is fatal */
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void wake(hpeer *p) {
    char b = 1;
    if (write(p->wake[1], &b, 1) < 0) { /* the pipe is full: the thread wakes anyway */
    }
}

static void write_all(hconn *k, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = ob__stream_write(&k->s, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pfd = {.fd = k->fd, .events = POLLIN | POLLOUT, .revents = 0};
            poll(&pfd, 1, 100);
            continue;
        }
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static char *http_message_as(int mode, bool close, int status, const char *type, const char *body) {
    size_t bl = strlen(body), n = 3 * bl + 512;
    char *m = malloc(n);
    if (!m) abort();
    int at = snprintf(m, n, "HTTP/1.%d %d %s\r\nContent-Type: %s\r\n%s", mode & HPEER_HTTP10 ? 0 : 1, status,
                      status == 200 ? "OK" : "Error", type,
                      close                 ? "Connection: close\r\n"
                      : mode & HPEER_HTTP10 ? ""
                                            : "Connection: keep-alive\r\n");
    if (!(mode & HPEER_CHUNKED)) {
        snprintf(m + at, n - (size_t)at, "Content-Length: %zu\r\n\r\n%s", bl, body);
        return m;
    }
    /* chunks of 1, 2, 3... bytes, an extension on one, a trailer at the end */
    at += snprintf(m + at, n - (size_t)at, "Transfer-Encoding: chunked\r\n\r\n");
    size_t size = 1;
    for (size_t i = 0; i < bl; i += size, size++) {
        size_t k = bl - i < size ? bl - i : size;
        at += snprintf(m + at, n - (size_t)at, "%zx%s\r\n%.*s\r\n", k, size == 3 ? ";ext=1" : "", (int)k, body + i);
    }
    snprintf(m + at, n - (size_t)at, "0\r\nX-Trailer: yes\r\n\r\n");
    return m;
}

static char *http_message(int status, const char *type, const char *body) {
    return http_message_as(0, false, status, type, body);
}

/* Writes an answer as the peer's mode says: whole, or a byte at a time. */
static void send_answer(hpeer *p, hconn *k, const char *a) {
    if (!(p->mode & HPEER_DRIP)) {
        write_all(k, a, strlen(a));
        return;
    }
    for (const char *c = a; *c; c++) {
        write_all(k, c, 1);
        struct timespec ts = {0, 20000}; /* 20 µs: most bytes arrive as reads of their own */
        nanosleep(&ts, NULL);
    }
}

static void close_conn(hpeer *p, int i) {
    hconn *k = &p->conns[i];
    p->waiting -= k->nheld;
    for (int j = 0; j < k->nheld; j++) free(k->held[j]);
    free(k->held);
    ob__stream_close(&k->s);
    free(k->in);
    p->conns[i] = p->conns[--p->nconns];
}

/* The answer to one complete request (NULL: close the connection). */
static char *answer(hpeer *p, hconn *k, const ob__http_head *h, const char *body, size_t body_len) {
    size_t alen = 0;
    const char *auth = ob__http_get(h, "Authorization", &alen);
    if (p->token && (!auth || alen != 7 + strlen(p->token) || memcmp(auth, "Bearer ", 7) != 0 ||
                     memcmp(auth + 7, p->token, strlen(p->token)) != 0))
        return http_message(403, "application/json", "{\"message\":\"token verify failed!\"}");
    char path[256];
    size_t tl = h->target_len < sizeof path - 1 ? h->target_len : sizeof path - 1;
    memcpy(path, h->target, tl);
    path[tl] = '\0';
    path[strcspn(path, "?")] = '\0';
    if (strcmp(path, "/") == 0)
        return http_message(200, "application/json",
                            "{\"status\":\"ok\",\"retcode\":0,\"data\":{},\"message\":\"NapCat4 Is Running\","
                            "\"wording\":\"NapCat4 Is Running\",\"echo\":\"x\"}");
    if (strcmp(path, "/_events") == 0) {
        if (p->sse_stall) { /* never answered: the connection stays open, silent */
            k->sse = true;
            return dupn("", 0);
        }
        k->sse = true;
        p->sse_opened++;
        pthread_cond_broadcast(&p->cv);
        return dupn("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n",
                    strlen("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n"));
    }
    const char *action = path + 1;
    if (p->stall_action && strcmp(action, p->stall_action) == 0 && !k->stuck) {
        k->stuck = true; /* as a server busy with it: answers in order, so none comes */
        p->stuck_conns++;
    }
    /* the last answer of a connection (hpeer_close_after, HTTP/1.0) */
    bool last = (p->close_after > 0 && k->answered + 1 >= p->close_after) || (p->mode & HPEER_HTTP10);
    k->answered++;
    for (int i = p->nreplies - 1; i >= 0; i--) {
        if (p->replies[i].action && strcmp(p->replies[i].action, action) != 0) continue;
        if (p->replies[i].status == 0) return NULL;
        const char *b = p->replies[i].body;
        if (p->replies[i].status < 0) return dupn(b, strlen(b)); /* raw: the whole answer */
        return http_message_as(p->mode, last, p->replies[i].status, b[0] == '{' ? "application/json" : "text/plain", b);
    }
    size_t n = body_len + strlen(action) + 200;
    char *json = malloc(n);
    if (!json) abort();
    snprintf(json, n,
             "{\"status\":\"ok\",\"retcode\":0,\"data\":{\"action\":\"%s\",\"params\":%.*s},\"message\":\"\","
             "\"wording\":\"\",\"echo\":\"r4nd0m\"}",
             action, (int)body_len, body_len ? body : "null");
    char *m = http_message_as(p->mode, last, 200, "application/json", json);
    free(json);
    return m;
}

static void release_held(hpeer *p) {
    for (int i = 0; i < p->nconns;) {
        hconn *k = &p->conns[i];
        bool closed = false;
        for (int j = 0; j < k->nheld; j++) {
            if (!k->held[j] || closed) {
                closed = true;
                continue;
            }
            send_answer(p, k, k->held[j]);
            closed = strstr(k->held[j], "Connection: close") != NULL || (p->mode & HPEER_HTTP10);
        }
        for (int j = 0; j < k->nheld; j++) free(k->held[j]);
        p->waiting -= k->nheld;
        k->nheld = 0;
        if (closed) {
            close_conn(p, i);
            continue;
        }
        i++;
    }
}

/* Reads what arrived on connection i; false when it was closed. */
static bool serve(hpeer *p, int i) {
    hconn *k = &p->conns[i];
    char buf[65536 + 16384];
    ssize_t n = ob__stream_read(&k->s, buf, 65536);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN) return true;
        close_conn(p, i);
        return false;
    }
    while (ob__stream_pending(&k->s) && (size_t)n < sizeof buf) { /* TLS: what poll() cannot see */
        ssize_t m = ob__stream_read(&k->s, buf + n, sizeof buf - (size_t)n);
        if (m <= 0) break;
        n += m;
    }
    if (k->in_len + (size_t)n + 1 > k->in_cap) {
        k->in_cap = (k->in_len + (size_t)n + 1) * 2;
        k->in = realloc(k->in, k->in_cap);
        if (!k->in) abort();
    }
    memcpy(k->in + k->in_len, buf, (size_t)n);
    k->in_len += (size_t)n;
    int batch = 0; /* requests that came in this one read */
    for (;;) {
        ob__http_head h;
        int hl = ob__http_parse(k->in, k->in_len, 1, &h);
        if (hl <= 0) return true;
        size_t cl_len = 0, body_len = 0;
        const char *cl = ob__http_get(&h, "Content-Length", &cl_len);
        if (cl) body_len = (size_t)strtoul(cl, NULL, 10);
        if (k->in_len < (size_t)hl + body_len) return true;
        hreq *r = malloc(sizeof *r);
        if (!r) abort();
        r->next = NULL;
        r->text = dupn(k->in, (size_t)hl + body_len);
        if (p->tail) p->tail->next = r;
        else p->head = r;
        p->tail = r;
        pthread_cond_broadcast(&p->cv);
        char *a = answer(p, k, &h, k->in + hl, body_len);
        memmove(k->in, k->in + hl + body_len, k->in_len - (size_t)hl - body_len);
        k->in_len -= (size_t)hl + body_len;
        if (k->stuck) { /* recorded, never answered */
            free(a);
            continue;
        }
        if (++batch > p->max_batch) p->max_batch = batch;
        if (p->hold > 0 && !k->sse) {
            k->held = realloc(k->held, sizeof *k->held * (size_t)(k->nheld + 1));
            if (!k->held) abort();
            k->held[k->nheld++] = a;
            if (++p->waiting > p->max_waiting) p->max_waiting = p->waiting;
            if (p->waiting >= p->hold) {
                int fd = k->fd;
                release_held(p); /* reorders the connections, may close this one */
                for (i = 0; i < p->nconns && p->conns[i].fd != fd; i++) {}
                if (i == p->nconns) return false;
                k = &p->conns[i];
            }
            continue;
        }
        if (!a) {
            close_conn(p, i);
            return false;
        }
        send_answer(p, k, a);
        bool closed = strstr(a, "Connection: close") != NULL || (!k->sse && (p->mode & HPEER_HTTP10));
        free(a);
        if (closed) {
            close_conn(p, i);
            return false;
        }
    }
}

static void sse_write_all(hpeer *p) {
    for (int i = 0; i < p->nconns;) {
        hconn *k = &p->conns[i];
        if (!k->sse) {
            i++;
            continue;
        }
        if (p->sse_drop) {
            close_conn(p, i);
            continue;
        }
        if (p->sse_out) {
            char head[32];
            int hn = snprintf(head, sizeof head, "%zx\r\n", strlen(p->sse_out));
            write_all(k, head, (size_t)hn);
            write_all(k, p->sse_out, strlen(p->sse_out));
            write_all(k, "\r\n", 2);
        }
        i++;
    }
    free(p->sse_out);
    p->sse_out = NULL;
    p->sse_drop = false;
}

static void *hpeer_main(void *arg) {
    hpeer *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stopping) {
        struct pollfd pfd[MAX_CONNS + 2];
        int n = 0;
        pfd[n++] = (struct pollfd){.fd = p->wake[0], .events = POLLIN, .revents = 0};
        pfd[n++] = (struct pollfd){.fd = p->listen_fd, .events = POLLIN, .revents = 0};
        int nc = p->nconns;
        for (int i = 0; i < nc; i++) {
            short ev = p->stall_reads && !p->conns[i].sse ? 0 : POLLIN;
            pfd[n++] = (struct pollfd){.fd = p->conns[i].fd, .events = ev, .revents = 0};
        }
        pthread_mutex_unlock(&p->mu);
        poll(pfd, (nfds_t)n, 1000);
        pthread_mutex_lock(&p->mu);
        if (pfd[0].revents) {
            char b[64];
            while (read(p->wake[0], b, sizeof b) > 0) {}
        }
        sse_write_all(p);
        if (p->kill_calls) { /* unread bytes make close() a reset */
            p->kill_calls = false;
            for (int i = 0; i < p->nconns;)
                if (!p->conns[i].sse) close_conn(p, i);
                else i++;
            nc = 0;
        }
        if (p->release_now) {
            p->release_now = false;
            release_held(p);
            nc = 0; /* the connections moved: read them next round */
        }
        /* connections by fd: closing one reorders the array */
        for (int j = 0; j < nc; j++) {
            if (!pfd[2 + j].revents) continue;
            for (int i = 0; i < p->nconns; i++)
                if (p->conns[i].fd == pfd[2 + j].fd) {
                    serve(p, i);
                    break;
                }
        }
        if (pfd[1].revents & POLLIN) {
            int fd;
            while (p->nconns < MAX_CONNS && ob__net_accept(p->listen_fd, &fd) == 0) {
                hconn k = {.fd = fd, .s = {.fd = fd}};
                char err[200];
                if (p->cert && ob__tls_server(&k.s, p->cert, p->key, 2000, err, sizeof err) != 0) {
                    ob__stream_close(&k.s);
                    continue;
                }
                p->conns[p->nconns++] = k;
                p->connections++;
            }
        }
    }
    while (p->nconns) close_conn(p, 0);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

hpeer *hpeer_start(const char *token) { return hpeer_start_tls(token, NULL, NULL); }

hpeer *hpeer_start_tls(const char *token, const char *cert, const char *key) {
    hpeer *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->token = token ? dupn(token, strlen(token)) : NULL;
    p->cert = cert ? dupn(cert, strlen(cert)) : NULL;
    p->key = key ? dupn(key, strlen(key)) : NULL;
    char err[128];
    if (ob__net_listen("127.0.0.1", 0, 64, &p->listen_fd, &p->port, err, sizeof err) != 0 ||
        pipe2(p->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        free(p->token);
        free(p);
        return NULL;
    }
    if (cert) snprintf(p->url, sizeof p->url, "https://localhost:%d", p->port);
    else snprintf(p->url, sizeof p->url, "http://127.0.0.1:%d", p->port);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_create(&p->thread, NULL, hpeer_main, p);
    return p;
}

void hpeer_stop(hpeer *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_mutex_unlock(&p->mu);
    wake(p);
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    close(p->wake[0]);
    close(p->wake[1]);
    while (p->head) {
        hreq *r = p->head;
        p->head = r->next;
        free(r->text);
        free(r);
    }
    for (int i = 0; i < p->nreplies; i++) {
        free(p->replies[i].action);
        free(p->replies[i].body);
    }
    free(p->sse_out);
    free(p->token);
    free(p->stall_action);
    free(p->cert);
    free(p->key);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

const char *hpeer_url(const hpeer *p) { return p->url; }
int hpeer_port(const hpeer *p) { return p->port; }

static struct timespec deadline_in(int ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

char *hpeer_next_request(hpeer *p, int timeout_ms) {
    struct timespec until = deadline_in(timeout_ms);
    pthread_mutex_lock(&p->mu);
    while (!p->head && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0) {}
    hreq *r = p->head;
    if (r) {
        p->head = r->next;
        if (!p->head) p->tail = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    if (!r) return NULL;
    char *t = r->text;
    free(r);
    return t;
}

int hpeer_connections(hpeer *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->connections;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void hpeer_reply(hpeer *p, const char *action, int status, const char *body) {
    pthread_mutex_lock(&p->mu);
    if (p->nreplies < MAX_REPLIES) {
        p->replies[p->nreplies].action = action ? dupn(action, strlen(action)) : NULL;
        p->replies[p->nreplies].status = status;
        p->replies[p->nreplies].body = dupn(body ? body : "", strlen(body ? body : ""));
        p->nreplies++;
    }
    pthread_mutex_unlock(&p->mu);
}

void hpeer_hold(hpeer *p, int n) {
    pthread_mutex_lock(&p->mu);
    p->hold = n;
    if (n == 0) p->release_now = true;
    pthread_mutex_unlock(&p->mu);
    wake(p);
}

int hpeer_max_waiting(hpeer *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->max_waiting;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void hpeer_sse_send(hpeer *p, const char *raw) {
    pthread_mutex_lock(&p->mu);
    size_t old = p->sse_out ? strlen(p->sse_out) : 0, n = strlen(raw);
    p->sse_out = realloc(p->sse_out, old + n + 1);
    if (!p->sse_out) abort();
    memcpy(p->sse_out + old, raw, n + 1);
    pthread_mutex_unlock(&p->mu);
    wake(p);
}

void hpeer_sse_drop(hpeer *p) {
    pthread_mutex_lock(&p->mu);
    p->sse_drop = true;
    pthread_mutex_unlock(&p->mu);
    wake(p);
}

bool hpeer_wait_sse(hpeer *p, int n, int timeout_ms) {
    struct timespec until = deadline_in(timeout_ms);
    pthread_mutex_lock(&p->mu);
    while (p->sse_opened < n && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0) {}
    bool ok = p->sse_opened >= n;
    pthread_mutex_unlock(&p->mu);
    return ok;
}

void hpeer_mode(hpeer *p, int mode, int close_after) {
    pthread_mutex_lock(&p->mu);
    p->mode = mode;
    p->close_after = close_after;
    pthread_mutex_unlock(&p->mu);
}

int hpeer_max_batch(hpeer *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->max_batch;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void hpeer_stall_action(hpeer *p, const char *action) {
    pthread_mutex_lock(&p->mu);
    free(p->stall_action);
    p->stall_action = action ? dupn(action, strlen(action)) : NULL;
    pthread_mutex_unlock(&p->mu);
}

int hpeer_stuck_connections(hpeer *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->stuck_conns;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void hpeer_sse_stall(hpeer *p, bool on) {
    pthread_mutex_lock(&p->mu);
    p->sse_stall = on;
    pthread_mutex_unlock(&p->mu);
}

void hpeer_stall_reads(hpeer *p, bool on) {
    pthread_mutex_lock(&p->mu);
    p->stall_reads = on;
    pthread_mutex_unlock(&p->mu);
    wake(p);
}

void hpeer_kill_calls(hpeer *p) {
    pthread_mutex_lock(&p->mu);
    p->kill_calls = true;
    pthread_mutex_unlock(&p->mu);
    wake(p);
}
