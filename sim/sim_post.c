/* NapCat's HTTP client network type (network/http-client.ts): for each
 * account with --http-post URL, every event of the bot is POSTed to URL with
 *
 *   Content-Type: application/json
 *   x-self-id: <QQ>
 *   x-signature: sha1=<hex HMAC-SHA1 of the body, keyed by --token>  (with a token)
 *
 * and the body sent chunked, as node's http.request sends a body written
 * without a Content-Length (NapCat's RequestUtil). No heartbeat and no
 * lifecycle event go this way, as in NapCat. The answer is read and ignored
 * (quick operations are not simulated); any HTTP status counts as delivered.
 *
 * Our own HTTP/1.1 client, not libcurl: one keep-alive connection per bot,
 * one request at a time, driven by the main loop without blocking (connect,
 * write, read), which is all this needs; the answer's framing
 * (Content-Length, chunked, or up to the close) is read by the core's
 * response reader (http_res.c, the http:// transport's), which keeps no
 * body: only an unfinished head waits in the read buffer. An https:// URL adds the TLS handshake after the connect (the
 * certificate checked against the host name and --tls-ca or the system's
 * store), stepped the same way.
 *
 * Differences from NapCat, on purpose: NapCat posts every event at once and
 * drops the ones that fail. Here events go out one after the other, in
 * order, and a failed POST (refused, reset, no answer within
 * SIM_POST_TIMEOUT_MS) is tried again reconnect_ms later; meanwhile new
 * events wait in a queue of at most max_post_queue events (and
 * max_event_backlog bytes): past it the oldest waiting ones are dropped,
 * counted and logged. A dead receiver costs bounded memory, and one that
 * comes back gets what is still queued, in order. */
#include "sim_server_internal.h"
#include "hmac.h"
#include "http.h"
#include "http_res.h"
#include "queue.h"
#include "url.h"
#include <onebot/types.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define SIM_POST_TIMEOUT_MS 10000 /* a POST must be answered by then */

typedef struct post_item {
    struct post_item *next;
    size_t len;
    char text[];
} post_item;

typedef enum { PS_IDLE, PS_LOOKING_UP, PS_CONNECTING, PS_TLS, PS_SENDING, PS_READING, PS_PAUSED } post_state;

typedef struct sim_post {
    ob_sim *sim;
    size_t account;
    sim_endpoint to;
    post_item *head, **tail;
    size_t n, bytes;
    uint64_t dropped, dropped_said, delivered;
    post_state state;
    ob__stream st; /* the connection (st.fd, -1 none), TLS over it for https:// */
    short tls_events;
    bool reused; /* this attempt runs on a kept-alive connection */
    long long deadline, retry_at;
    char *out;
    size_t out_len, out_off;
    char *in; /* OB_HTTP_MAX_HEAD + 1 bytes: what the answer's reader has not used yet */
    size_t in_len;
    size_t heard;  /* bytes of this answer read so far (0: the receiver said nothing) */
    ob__hres res;  /* the answer being read */
    bool answered; /* res has read a whole answer */
    bool said_down;
} sim_post;

static sim_post *post_of(const ob_sim *s, size_t i) { return s->accounts[i].post; }

int sim_post_start(ob_sim *s, size_t account, char *err, size_t errlen) {
    sim_post *p = s->accounts[account].post = malloc(sizeof *p);
    if (!p) return snprintf(err, errlen, "out of memory"), -1;
    *p = (sim_post){.sim = s, .account = account, .st = {.fd = -1}};
    p->tail = &p->head;
    return sim_endpoint_init(&p->to, s, s->accounts[account].post_url, "http", err, errlen);
}

static void free_items(sim_post *p) {
    while (p->head) {
        post_item *it = p->head;
        p->head = it->next;
        free(it);
    }
    p->tail = &p->head;
    p->n = p->bytes = 0;
}

static void disconnect(sim_post *p) {
    sim_endpoint_stop(&p->to);
    ob__stream_close(&p->st);
    free(p->out);
    p->out = NULL;
    p->in_len = 0;
}

void sim_post_free(ob_sim *s, size_t account) {
    sim_post *p = post_of(s, account);
    if (!p) return;
    disconnect(p);
    free(p->in);
    free_items(p);
    free(p);
    s->accounts[account].post = NULL;
}

/* ------------------------------------------------------------------ the queue */

void sim_post_event(ob_sim *s, size_t account, const char *text, size_t len) {
    sim_post *p = post_of(s, account);
    if (!p) return;
    post_item *it = malloc(sizeof *it + len + 1);
    if (!it) {
        p->dropped++;
        return;
    }
    it->next = NULL;
    it->len = len;
    ob__text_copy(it->text, text, len);
    *p->tail = it;
    p->tail = &it->next;
    p->n++;
    p->bytes += len;
    /* Over the bounds: the oldest waiting event goes, never the one being sent. */
    bool busy = p->state != PS_IDLE && p->state != PS_PAUSED;
    while ((p->n > s->max_post_queue || p->bytes > s->max_event_backlog) && p->n > (busy ? 2u : 1u)) {
        post_item **victim = busy ? &p->head->next : &p->head;
        post_item *v = *victim;
        *victim = v->next;
        if (p->tail == &v->next) p->tail = victim;
        p->n--;
        p->bytes -= v->len;
        free(v);
        if (p->dropped++ == p->dropped_said)
            sim_log_line(s,
                         "HTTP POST %s (bot %lld): the receiver is not keeping up; dropping the oldest events "
                         "(more than %zu waiting)",
                         s->accounts[account].post_url, (long long)s->accounts[account].id, s->max_post_queue);
    }
}

/* ------------------------------------------------------------------ one POST */

static bool build_request(sim_post *p) {
    ob_sim *s = p->sim;
    post_item *it = p->head;
    char sig[OB_SIGNATURE_LEN + 1] = "";
    if (s->token) ob__hmac_sha1_signature(s->token, strlen(s->token), it->text, it->len, sig);
    bool v6 = strchr(p->to.url.host, ':') != NULL;
    size_t cap = strlen(p->to.url.path) + strlen(p->to.url.host) + it->len + 512;
    free(p->out);
    p->out = malloc(cap);
    if (!p->out) return false;
    int n = snprintf(p->out, cap,
                     "POST %s HTTP/1.1\r\nContent-Type: application/json\r\nx-self-id: %lld\r\n%s%s%s"
                     "Host: %s%s%s:%d\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n",
                     p->to.url.path, (long long)s->accounts[p->account].id, sig[0] ? "x-signature: " : "", sig,
                     sig[0] ? "\r\n" : "", v6 ? "[" : "", p->to.url.host, v6 ? "]" : "", p->to.url.port, it->len);
    memcpy(p->out + n, it->text, it->len);
    memcpy(p->out + n + it->len, "\r\n0\r\n\r\n", 7);
    p->out_len = (size_t)n + it->len + 7;
    p->out_off = 0;
    return true;
}

/* The attempt failed: a kept-alive connection the receiver had closed is
   tried again at once on a new one; anything else after a pause. */
static void failed(sim_post *p, const char *why, long long now) {
    ob_sim *s = p->sim;
    bool stale = p->reused && p->heard == 0;
    disconnect(p);
    if (stale) {
        p->state = PS_IDLE;
        p->reused = false;
        return;
    }
    if (!p->said_down)
        sim_log_line(s, "HTTP POST %s (bot %lld): %s; events wait (at most %zu) and it is tried again every %d ms",
                     s->accounts[p->account].post_url, (long long)s->accounts[p->account].id, why, s->max_post_queue,
                     s->reconnect_ms);
    p->said_down = true;
    p->state = PS_PAUSED;
    p->retry_at = now + s->reconnect_ms;
}

/* TCP is up: the TLS handshake for https:// (one step per readiness), then the request. */
static void secure(sim_post *p, int ready, long long now) {
    char why[256];
    p->state = PS_TLS;
    int rc = sim_endpoint_tls(&p->to, &p->st, ready, &p->tls_events, why, sizeof why);
    if (rc == OB_OK) p->state = PS_SENDING;
    else if (rc != OB__MORE) failed(p, why, now);
}

/* Connects (first, or once the name's lookup is done: it never blocks). */
static void dial(sim_post *p, long long now) {
    char why[256];
    int c = sim_endpoint_connect(&p->to, &p->st.fd, why, sizeof why);
    if (c < 0) return failed(p, why, now);
    if (c == 1) return secure(p, 0, now);
    p->state = c == SIM_LOOKING_UP ? PS_LOOKING_UP : PS_CONNECTING;
}

static void begin(sim_post *p, long long now) {
    if (!p->head) return;
    if (!build_request(p)) return failed(p, "out of memory", now);
    p->deadline = now + SIM_POST_TIMEOUT_MS;
    p->in_len = p->heard = 0;
    p->answered = false;
    ob__hres_init(&p->res, 0); /* the body is not kept: any length */
    p->reused = p->st.fd >= 0;
    if (p->reused) {
        p->state = PS_SENDING;
        return;
    }
    dial(p, now);
}

/* The answer's reader: any final status counts as delivered (its body is
   skipped as it comes); 1xx answers are skipped by the reader itself. */
static bool answer_head(void *ud, ob__hres *r, const ob__http_head *h) {
    (void)ud, (void)r, (void)h;
    return true;
}
static void answer_body(void *ud, ob__hres *r, const char *data, size_t n) { (void)ud, (void)r, (void)data, (void)n; }
static void answer_done(void *ud, ob__hres *r) {
    (void)r;
    ((sim_post *)ud)->answered = true;
}
static const ob__hres_cb answer_cb = {answer_head, answer_body, answer_done};

static void delivered(sim_post *p, bool keep) {
    ob_sim *s = p->sim;
    post_item *it = p->head;
    p->head = it->next;
    if (!p->head) p->tail = &p->head;
    p->n--;
    p->bytes -= it->len;
    free(it);
    p->delivered++;
    if (p->said_down || p->dropped != p->dropped_said) {
        sim_log_line(s, "HTTP POST %s (bot %lld): delivering again (%llu events dropped so far)",
                     s->accounts[p->account].post_url, (long long)s->accounts[p->account].id,
                     (unsigned long long)p->dropped);
        p->dropped_said = p->dropped;
    }
    p->said_down = false;
    free(p->out);
    p->out = NULL;
    if (!keep) disconnect(p);
    p->in_len = 0;
    p->state = PS_IDLE;
}

static void io(sim_post *p, short rev, long long now) {
    if (p->state == PS_LOOKING_UP) return dial(p, now);
    if (p->state == PS_CONNECTING && (rev & (POLLOUT | POLLERR | POLLHUP))) {
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(p->st.fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0) e = errno;
        if (e) return failed(p, strerror(e), now);
        return secure(p, 0, now);
    }
    if (p->state == PS_TLS) return secure(p, sim_poll_ready(rev), now);
    if (p->state == PS_SENDING && (rev & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t w = ob__stream_write(&p->st, p->out + p->out_off, p->out_len - p->out_off);
        if (w < 0 && errno != EAGAIN && errno != EINTR) return failed(p, strerror(errno), now);
        if (w > 0) p->out_off += (size_t)w;
        if (p->out_off == p->out_len) p->state = PS_READING;
        return;
    }
    if ((p->state == PS_READING || p->state == PS_IDLE) &&
        ((rev & (POLLIN | POLLHUP | POLLERR)) || ob__stream_pending(&p->st))) {
        if (p->state == PS_IDLE) { /* the receiver closed a kept-alive connection (or chatters) */
            disconnect(p);
            return;
        }
        if (!p->in && !(p->in = malloc(OB_HTTP_MAX_HEAD + 1))) return failed(p, "out of memory", now);
        ssize_t r = ob__stream_read(&p->st, p->in + p->in_len, OB_HTTP_MAX_HEAD + 1 - p->in_len);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
        int code = OB_OK;
        if (r > 0) {
            p->in_len += (size_t)r;
            p->heard += (size_t)r;
            long used = ob__hres_feed(&p->res, p->in, p->in_len, &answer_cb, p, &code);
            if (used < 0) return failed(p, p->res.why, now);
            memmove(p->in, p->in + used, p->in_len - (size_t)used);
            p->in_len -= (size_t)used;
        } else if (r == 0 && ob__hres_eof(&p->res, &answer_cb, p) != OB_OK && p->heard) {
            return failed(p, p->res.why, now);
        }
        if (p->answered) return delivered(p, !p->res.close && r != 0);
        if (r <= 0) failed(p, r == 0 ? "the receiver closed the connection" : strerror(errno), now);
    }
}

/* ------------------------------------------------------------------ the loop */

void sim_post_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout) {
    for (size_t i = 0; i < s->naccounts; i++) {
        sim_post *p = post_of(s, i);
        if (!p) continue;
        if (p->state == PS_IDLE && p->head) *timeout = 0; /* start at once */
        short ev = p->state == PS_CONNECTING || p->state == PS_SENDING ? POLLOUT
                   : p->state == PS_TLS                                ? p->tls_events
                   : p->state == PS_READING || p->state == PS_LOOKING_UP || (p->state == PS_IDLE && p->st.fd >= 0)
                       ? POLLIN
                       : 0;
        long long until = p->state == PS_PAUSED ? p->retry_at : p->state == PS_IDLE ? 0 : p->deadline;
        if (p->state == PS_READING && ob__stream_pending(&p->st)) until = now; /* TLS holds answer bytes */
        sim_poll_slot(pfd++, sim_endpoint_fd(&p->to, p->st.fd), ev, sim_endpoint_due(&p->to, until), now, timeout);
    }
}

void sim_post_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n) {
    long long now = ob__now_ms();
    size_t j = 0;
    for (size_t i = 0; i < s->naccounts; i++) {
        sim_post *p = post_of(s, i);
        if (!p) continue;
        short rev = sim_poll_revents(pfd, j++, n, sim_endpoint_fd(&p->to, p->st.fd));
        /* the lookup also steps for its own timers; TLS may hold bytes poll cannot see */
        if (rev || (p->state == PS_LOOKING_UP && sim_endpoint_due(&p->to, 0) <= now) ||
            (p->state == PS_READING && ob__stream_pending(&p->st)))
            io(p, rev, now);
        if (p->state != PS_IDLE && p->state != PS_PAUSED && now >= p->deadline) failed(p, "no answer in time", now);
        if (p->state == PS_PAUSED && now >= p->retry_at) p->state = PS_IDLE;
        if (p->state == PS_IDLE && p->head) begin(p, now);
    }
}
