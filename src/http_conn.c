/* One keep-alive connection of the http:// transport (see http_conn.h):
 * dialed without blocking by dial.c's machine (lookup, TCP, TLS: every
 * step driven by the client's loop), watched through the transport's epoll
 * fd, written in batches (every request it holds leaves in one write),
 * read into one buffer that http_res.c parses. */
#include "http_conn.h"

#include "client_core.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

void ob__hconn_init(http_transport *t, hconn *k, int idx, bool sse) {
    memset(k, 0, sizeof *k);
    k->t = t;
    k->idx = idx;
    k->sse = sse;
    k->reg_fd = -1;
    k->s.fd = -1;
    ob__hres_init(&k->res, sse ? 0 : t->max_message); /* the stream's events are bounded by sse.c */
}

/* Makes epoll watch what k waits for. */
static void watch(http_transport *t, hconn *k) {
    int fd = -1;
    uint32_t ev = 0;
    if (k->st == HC_DIAL) {
        const ob__wait *w = ob__dial_wait(k->dial);
        fd = w->fd;
        ev = (w->events & POLLIN ? EPOLLIN : 0) | (w->events & POLLOUT ? EPOLLOUT : 0);
    } else if (k->st == HC_OPEN) {
        fd = k->s.fd;
        ev = EPOLLIN | (k->blocked || k->s.want_write ? EPOLLOUT : 0);
    }
    if (fd == k->reg_fd && ev == k->reg_ev) return;
    struct epoll_event e = {.events = ev, .data.u32 = (uint32_t)k->idx};
    if (fd != k->reg_fd && k->reg_fd >= 0) epoll_ctl(t->epfd, EPOLL_CTL_DEL, k->reg_fd, NULL); /* may be gone: fine */
    if (fd >= 0) {
        int op = fd == k->reg_fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(t->epfd, op, fd, &e) != 0 && errno == EEXIST) /* the resolver's fd, shared by two dials */
            epoll_ctl(t->epfd, EPOLL_CTL_MOD, fd, &e);
    }
    k->reg_fd = fd;
    k->reg_ev = ev;
}

static void unwatch(http_transport *t, hconn *k) {
    if (k->reg_fd >= 0) epoll_ctl(t->epfd, EPOLL_CTL_DEL, k->reg_fd, NULL);
    k->reg_fd = -1;
    k->reg_ev = 0;
}

bool ob__hconn_dial(http_transport *t, hconn *k, char *err, size_t n) {
    int code = OB_EIO;
    k->dial = ob__dial_start(&t->dial_opts, &code, err, n);
    if (!k->dial) {
        ob__http_end(t, code == OB_OK ? OB_EIO : code, "%s", err);
        return false;
    }
    k->st = HC_DIAL;
    watch(t, k);
    /* An IP literal may connect at once: step now (a failure is reported). */
    k->ev = EPOLLIN | EPOLLOUT;
    ob__hconn_step(t, k);
    return true;
}

void ob__hconn_put(http_transport *t, hconn *k, hcall *call) {
    ob__buf *b = &k->out;
    if (b->len == 0) k->out_at = 0;
    size_t before = b->len;
    if (call->kind == HC_CALL) {
        char num[24];
        int nl = snprintf(num, sizeof num, "%zu\r\n\r\n", call->params_len);
        ob__buf_put(b, "POST ", 5);
        ob__buf_puts(b, call->target);
        ob__buf_put(b, t->post_head, t->post_head_len);
        ob__buf_put(b, "Content-Length: ", 16);
        ob__buf_put(b, num, (size_t)nl);
        ob__buf_put(b, call->frame + call->params_at, call->params_len);
    } else {
        ob__buf_put(b, "GET ", 4);
        ob__buf_puts(b, call->target);
        ob__buf_puts(b, t->get_head);
        if (call->kind == HC_EVENTS) ob__buf_puts(b, "Accept: text/event-stream\r\n");
        ob__buf_put(b, "\r\n", 2);
    }
    k->out_total += b->len - before;
    call->end = k->out_total;
    call->put_at = ob__now_ms();
    call->next = NULL;
    if (k->fifo_tail) k->fifo_tail->next = call;
    else k->fifo = call;
    k->fifo_tail = call;
    k->inflight++;
}

void ob__hconn_write(http_transport *t, hconn *k) {
    if (k->st != HC_OPEN) return;
    if (k->out.oom) {
        ob__hconn_drop(t, k, OB_ENOMEM, "out of memory while writing the request");
        return;
    }
    while (k->out_at < k->out.len) {
        ssize_t w = ob__stream_write(&k->s, k->out.p + k->out_at, k->out.len - k->out_at);
        if (w > 0) {
            k->out_at += (size_t)w;
            k->out_written += (uint64_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (errno == EINTR) continue;
            k->blocked = true;
            watch(t, k);
            return;
        }
        char why[200];
        snprintf(why, sizeof why, "the connection was lost: %s", w == 0 ? "the server closed it" : strerror(errno));
        ob__hconn_drop(t, k, 0, why);
        return;
    }
    k->out.len = 0;
    k->out_at = 0;
    if (k->out.p) k->out.p[0] = '\0';
    k->blocked = false;
    watch(t, k);
}

/* ------------------------------------------------------------- reading */

static bool cb_head(void *ud, ob__hres *p, const ob__http_head *h) {
    (void)h;
    hconn *k = ud;
    if (!k->fifo) return false;
    return ob__http_on_head(k->t, k, p);
}

static void cb_body(void *ud, ob__hres *p, const char *data, size_t n) {
    hconn *k = ud;
    ob__http_on_body(k->t, k, p, data, n);
}

static void cb_done(void *ud, ob__hres *p) {
    hconn *k = ud;
    if (p->close) {
        k->closing = true;
        /* A peer that closes after an answer to a call does not keep
         * connections: no more pipelining on any connection (HTTP/1.0,
         * Connection: close). */
        if (!k->sse) k->t->no_pipeline = true;
    } else if (p->minor == 1) {
        k->proven = true;
    }
    ob__http_on_done(k->t, k, p);
    ob__buf_free(&k->body);
    k->body = (ob__buf){0};
}

static const ob__hres_cb hres_cb = {cb_head, cb_body, cb_done};

/* After a response that said Connection: close, or at the end of the
 * stream: k is over. */
static void ended_by_peer(http_transport *t, hconn *k, const char *why) {
    if (k->fifo) ob__hconn_drop(t, k, 0, why);
    else ob__hconn_drop(t, k, 0, NULL);
}

void ob__hconn_read(http_transport *t, hconn *k) {
    if (k->st != HC_OPEN) return;
    if (!k->in) {
        k->in = malloc(HTTP_IN_CAP);
        if (!k->in) {
            ob__hconn_drop(t, k, OB_ENOMEM, "out of memory while reading the reply");
            return;
        }
    }
    for (int rounds = 0; rounds < 64 && k->st == HC_OPEN; rounds++) {
        size_t room = HTTP_IN_CAP - k->in_len;
        ssize_t r = ob__stream_read(&k->s, k->in + k->in_len, room);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (k->s.want_write != (k->reg_ev & EPOLLOUT ? true : false)) watch(t, k);
            return;
        }
        if (r < 0) {
            char why[200];
            snprintf(why, sizeof why, "the connection was lost: %s", strerror(errno));
            ob__hconn_drop(t, k, 0, why);
            return;
        }
        if (r == 0) {
            /* A body read to the close ends here; anything else was cut. */
            int rc = k->in_len == 0 ? ob__hres_eof(&k->res, &hres_cb, k) : OB_EPROTO;
            if (k->st != HC_OPEN) return;
            ended_by_peer(t, k,
                          rc == OB_OK ? "the connection was lost: the server closed it"
                                      : "the connection was lost: the server closed it in the middle of a reply");
            return;
        }
        /* Proof of life for the heartbeat watchdog: the stream's bytes, and
           answers to calls (while the stream reopens, answers show the
           server is there). */
        t->rx += (uint64_t)r;
        k->in_len += (size_t)r;
        int code = OB_OK;
        long used = ob__hres_feed(&k->res, k->in, k->in_len, &hres_cb, k, &code);
        if (k->st != HC_OPEN) return;
        if (k->fail) {
            char why[200];
            snprintf(why, sizeof why, "%s", k->fail_why);
            ob__hconn_drop(t, k, k->fail, why);
            return;
        }
        if (used < 0) {
            char why[240];
            snprintf(why, sizeof why, "the server's reply could not be read (%s)", k->res.why);
            ob__hconn_drop(t, k, code, why);
            return;
        }
        memmove(k->in, k->in + used, k->in_len - (size_t)used);
        k->in_len -= (size_t)used;
        if (k->closing) {
            ended_by_peer(t, k, "the server closed the connection (Connection: close) before answering");
            return;
        }
        if ((size_t)r < room && ob__stream_pending(&k->s) == 0) return; /* drained */
    }
}

/* --------------------------------------------------------------- dying */

void ob__hconn_drop(http_transport *t, hconn *k, int first_code, const char *why) {
    /* Actions are not idempotent (a message sent twice is two messages):
     * a request written whole may have been acted on, so it is never sent
     * again: it fails with OB_ECLOSED. One not written whole cannot have
     * been read by the server (it lacks its end), so it goes back to the
     * front of the queue, in order, for another connection. */
    hcall *back = NULL, *back_last = NULL;
    hcall *call = k->fifo;
    k->fifo = k->fifo_tail = NULL;
    k->inflight = 0;
    bool first = true;
    while (call) {
        hcall *next = call->next;
        call->next = NULL;
        if (call->end <= k->out_written || call->kind != HC_CALL) {
            int code = first && first_code ? first_code : OB_ECLOSED;
            ob__http_call_failed(t, call, code, why ? why : "the connection was lost");
        } else {
            if (back_last) back_last->next = call;
            else back = call;
            back_last = call;
        }
        first = false;
        call = next;
    }
    if (back) {
        back_last->next = t->q_head;
        if (!t->q_head) t->q_tail = back_last;
        t->q_head = back;
    }
    unwatch(t, k);
    ob__hconn_free(k);
    http_transport *owner = k->t;
    int idx = k->idx;
    bool sse = k->sse;
    ob__hconn_init(owner, k, idx, sse);
}

void ob__hconn_free(hconn *k) {
    ob__dial_free(k->dial);
    k->dial = NULL;
    ob__stream_close(&k->s);
    ob__buf_free(&k->out);
    ob__buf_free(&k->body);
    free(k->in);
    k->in = NULL;
    while (k->fifo) {
        hcall *c = k->fifo;
        k->fifo = c->next;
        ob__http_call_free(k->t, c);
    }
}

/* --------------------------------------------------------------- steps */

void ob__hconn_step(http_transport *t, hconn *k) {
    uint32_t ev = k->ev;
    k->ev = 0;
    if (k->st == HC_DIAL) {
        const ob__wait *w = ob__dial_wait(k->dial);
        if (!ev && w->due > ob__now_ms()) return;
        int ready = (ev & (EPOLLIN | EPOLLHUP | EPOLLERR) ? OB_READABLE : 0) | (ev & EPOLLOUT ? OB_WRITABLE : 0);
        char err[300] = "";
        int rc = ob__dial_step(k->dial, ready, err, sizeof err);
        if (rc == OB__MORE) {
            watch(t, k);
            return;
        }
        if (rc == OB_OK) {
            ob__stream s;
            ob__dial_take_stream(k->dial, &s);
            ob__dial_free(k->dial);
            k->dial = NULL;
            k->s = s;
            k->st = HC_OPEN;
            k->idle_since = ob__now_ms();
            watch(t, k);
            ob__http_dialed(t, k, OB_OK, NULL);
            if (k->st == HC_OPEN) ob__hconn_write(t, k);
            return;
        }
        ob__dial_free(k->dial);
        k->dial = NULL;
        unwatch(t, k);
        k->st = HC_FREE;
        ob__http_dialed(t, k, rc, err[0] ? err : "could not connect");
        return;
    }
    if (k->st != HC_OPEN) return;
    if ((ev & EPOLLOUT) && k->out_at < k->out.len) ob__hconn_write(t, k);
    if (k->st == HC_OPEN &&
        ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) || ob__stream_pending(&k->s) || ((ev & EPOLLOUT) && k->s.want_write)))
        ob__hconn_read(t, k);
}

long long ob__hconn_due(const http_transport *t, const hconn *k) {
    if (k->st == HC_DIAL) return ob__dial_wait(k->dial)->due;
    if (k->st != HC_OPEN) return -1;
    if (ob__stream_pending(&k->s)) return ob__now_ms();
    if (k->sse) return k->fifo && !t->sse_up ? k->fifo->deadline : -1; /* the stream's head, when reopening */
    if (k->fifo) return k->fifo->deadline + HTTP_STALL_SLACK_MS;
    if (!k->sse) return k->idle_since + HTTP_IDLE_MS;
    return -1;
}
