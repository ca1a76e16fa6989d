/* NapCat's WebSocket client network type (network/websocket-client.ts):
 * for each account with --reverse-ws URL, one Universal connection out to
 * URL with NapCat's headers
 *
 *   X-Self-ID: <QQ>
 *   Authorization: Bearer <token>   (sent even when the token is empty, as NapCat)
 *   x-client-role: Universal
 *   User-Agent: OneBot/11
 *
 * and, once open, a lifecycle connect event, then actions served and events
 * pushed exactly as on a forward connection (it is one: sim_server_add_open_ws).
 * Refused, failed or dropped, it tries again reconnect_ms later (NapCat's
 * reconnectInterval, 5000 by default).
 *
 * Nothing here blocks the simulator: the TCP connect is non-blocking, the
 * upgrade request is written and the 101 read as the socket allows, all
 * from the main loop, and an attempt that has not opened within
 * SIM_REVERSE_HANDSHAKE_MS (NapCat's handshakeTimeout), lookup included,
 * is abandoned. The name lookup (c-ares through the core's resolve.c, its
 * fd polled with the rest) is done once, at the first attempt, and again
 * only while it keeps failing; an IP literal or localhost needs none. A
 * wss:// URL adds the TLS handshake (the certificate checked against the
 * host name and --tls-ca or the system's store, as Node checks it for
 * NapCat) between the connect and the upgrade, stepped the same way; the
 * session then runs over TLS. */
#include "sim_server_internal.h"
#include "http.h"
#include "text.h"
#include "url.h"
#include "ws_handshake.h"
#include <onebot/types.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define SIM_REVERSE_HANDSHAKE_MS 2000

typedef enum { RV_WAIT, RV_LOOKING_UP, RV_CONNECTING, RV_TLS, RV_UPGRADING, RV_OPEN } rv_state;
typedef struct sim_reverse sim_reverse;

struct sim_reverse {
    ob_sim *sim;
    size_t account;
    sim_endpoint to;
    rv_state state;
    ob__stream st; /* the socket (st.fd, -1 none), TLS over it for wss:// */
    short tls_events;
    long long next_at;  /* RV_WAIT: when to try again */
    long long deadline; /* connecting or upgrading: give up then */
    char key[25];
    char *req; /* the upgrade request, written from req_off */
    size_t req_len, req_off;
    bool said_down; /* the failure was logged: once until it opens again */
};

int sim_reverse_start(ob_sim *s, size_t account, char *err, size_t errlen) {
    sim_account *a = &s->accounts[account];
    sim_reverse *r = calloc(1, sizeof *r);
    if (!r) return snprintf(err, errlen, "out of memory"), -1;
    a->reverse = r;
    r->sim = s;
    r->account = account;
    r->st.fd = -1;
    if (sim_endpoint_init(&r->to, s, a->reverse_url, "ws", err, errlen) != 0) return -1;
    r->state = RV_WAIT;
    r->next_at = 0; /* now */
    return 0;
}

static void close_attempt(sim_reverse *r) {
    sim_endpoint_stop(&r->to);
    ob__stream_close(&r->st);
    free(r->req);
    r->req = NULL;
}

/* The attempt failed (or the connection went): try again later. */
static void retry_later(sim_reverse *r, const char *why) {
    ob_sim *s = r->sim;
    close_attempt(r);
    if (!r->said_down)
        sim_log_line(s, "reverse WebSocket %s (bot %lld): %s; trying again every %d ms",
                     s->accounts[r->account].reverse_url, (long long)s->accounts[r->account].id, why, s->reconnect_ms);
    r->said_down = true;
    r->state = RV_WAIT;
    r->next_at = ob__now_ms() + s->reconnect_ms;
}

void sim_reverse_gone(sim_reverse *r) {
    r->said_down = false; /* it was open: say that it went */
    retry_later(r, "the connection closed");
}

static bool build_request(sim_reverse *r) {
    ob_sim *s = r->sim;
    unsigned char nonce[16];
    if (getrandom(nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce) memset(nonce, 0x5a, sizeof nonce);
    ob__base64_encode(nonce, sizeof nonce, r->key);
    bool v6 = strchr(r->to.url.host, ':') != NULL;
    const char *token = s->token ? s->token : "";
    size_t cap = strlen(r->to.url.path) + strlen(r->to.url.host) + strlen(token) + 400;
    r->req = malloc(cap);
    if (!r->req) return false;
    int n = snprintf(r->req, cap,
                     "GET %s HTTP/1.1\r\nHost: %s%s%s:%d\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\nX-Self-ID: %lld\r\n"
                     "Authorization: Bearer %s\r\nx-client-role: Universal\r\nUser-Agent: OneBot/11\r\n\r\n",
                     r->to.url.path, v6 ? "[" : "", r->to.url.host, v6 ? "]" : "", r->to.url.port, r->key,
                     (long long)s->accounts[r->account].id, token);
    r->req_len = (size_t)n;
    r->req_off = 0;
    return true;
}

/* TCP is up: the TLS handshake for wss:// (one step per readiness), then the upgrade. */
static void secure(sim_reverse *r, int ready) {
    char why[256];
    r->state = RV_TLS;
    int rc = sim_endpoint_tls(&r->to, &r->st, ready, &r->tls_events, why, sizeof why);
    if (rc == OB_OK) r->state = RV_UPGRADING;
    else if (rc != OB__MORE) retry_later(r, why);
}

/* Connects (first, or once the lookup is done). */
static void dial(sim_reverse *r) {
    char why[256];
    int c = sim_endpoint_connect(&r->to, &r->st.fd, why, sizeof why);
    if (c < 0) return retry_later(r, why);
    if (c == 1) return secure(r, 0);
    r->state = c == SIM_LOOKING_UP ? RV_LOOKING_UP : RV_CONNECTING;
}

static void begin(sim_reverse *r, long long now) {
    if (!build_request(r)) return retry_later(r, "out of memory");
    r->deadline = now + SIM_REVERSE_HANDSHAKE_MS;
    dial(r);
}

/* Reads the 101 without taking a byte past its head (frames may follow). */
static void read_answer(sim_reverse *r) {
    char buf[OB_HTTP_MAX_HEAD];
    ssize_t n = ob__stream_peek(&r->st, buf, sizeof buf);
    if (n == 0) return retry_later(r, "the server closed the connection during the upgrade");
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) retry_later(r, strerror(errno));
        return;
    }
    ob__http_head *head = malloc(sizeof *head);
    if (!head) return retry_later(r, "out of memory");
    int p = ob__http_parse(buf, (size_t)n, 0, head);
    if (p == 0 && (size_t)n < sizeof buf) {
        free(head);
        return; /* more to come */
    }
    char why[256] = "the server did not answer with an HTTP response";
    if (p > 0 && ob__ws_client_check_response(head, r->key, why, sizeof why) == OB_OK &&
        ob__stream_read(&r->st, buf, (size_t)p) == p) {
        if (sim_server_add_open_ws(r->sim, &r->st, r->account, r)) {
            free(r->req);
            r->req = NULL;
            r->st = (ob__stream){.fd = -1}; /* the session owns it (and its TLS) */
            r->state = RV_OPEN;
            if (r->said_down || r->sim->verbose)
                sim_log_line(r->sim, "reverse WebSocket %s (bot %lld) connected",
                             r->sim->accounts[r->account].reverse_url, (long long)r->sim->accounts[r->account].id);
            r->said_down = false;
            free(head);
            return;
        }
        snprintf(why, sizeof why, "out of memory");
    }
    free(head);
    retry_later(r, why);
}

static void io(sim_reverse *r, short rev) {
    if (r->state == RV_LOOKING_UP) return dial(r);
    if (r->state == RV_CONNECTING && (rev & (POLLOUT | POLLERR | POLLHUP))) {
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(r->st.fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0) e = errno;
        if (e) return retry_later(r, strerror(e));
        return secure(r, 0);
    }
    if (r->state == RV_TLS) return secure(r, sim_poll_ready(rev));
    if (r->state != RV_UPGRADING) return;
    if (r->req_off < r->req_len) {
        ssize_t w = ob__stream_write(&r->st, r->req + r->req_off, r->req_len - r->req_off);
        if (w < 0 && errno != EAGAIN && errno != EINTR) return retry_later(r, strerror(errno));
        if (w > 0) r->req_off += (size_t)w;
    }
    if (r->req_off == r->req_len && ((rev & (POLLIN | POLLHUP | POLLERR)) || ob__stream_pending(&r->st)))
        read_answer(r);
}

/* ------------------------------------------------------------------ the loop */

static sim_reverse *rev_of(const ob_sim *s, size_t i) { return s->accounts[i].reverse; }

/* r's pollfd: the socket while connecting or upgrading; the timers. */
static void slot(const sim_reverse *r, struct pollfd *pfd, long long now, int *timeout) {
    short ev = 0;
    if (r->state == RV_CONNECTING || (r->state == RV_UPGRADING && r->req_off < r->req_len)) ev = POLLOUT;
    else if (r->state == RV_UPGRADING || r->state == RV_LOOKING_UP) ev = POLLIN;
    else if (r->state == RV_TLS) ev = r->tls_events;
    long long until = r->state == RV_WAIT ? r->next_at : r->state == RV_OPEN ? 0 : r->deadline;
    if (r->state == RV_UPGRADING && ob__stream_pending(&r->st)) until = now; /* TLS has the answer already */
    sim_poll_slot(pfd, sim_endpoint_fd(&r->to, r->st.fd), ev, sim_endpoint_due(&r->to, until), now, timeout);
}

void sim_reverse_fill(ob_sim *s, struct pollfd *pfd, long long now, int *timeout) {
    size_t j = 0;
    for (size_t i = 0; i < s->naccounts; i++)
        if (rev_of(s, i)) slot(rev_of(s, i), &pfd[j++], now, timeout);
}

/* One round of r: its I/O, its deadline, its next attempt. */
static void step(sim_reverse *r, short rev, long long now) {
    /* the lookup also steps for its own timers */
    if (rev || (r->state == RV_LOOKING_UP && sim_endpoint_due(&r->to, 0) <= now) ||
        (r->state == RV_UPGRADING && ob__stream_pending(&r->st)))
        io(r, rev);
    if (r->state == RV_LOOKING_UP && now >= r->deadline)
        retry_later(r, "the name lookup did not answer within 2000 ms");
    if ((r->state == RV_CONNECTING || r->state == RV_TLS || r->state == RV_UPGRADING) && now >= r->deadline)
        retry_later(r, "no WebSocket upgrade within 2000 ms");
    if (r->state == RV_WAIT && now >= r->next_at) begin(r, now);
}

void sim_reverse_after_poll(ob_sim *s, const struct pollfd *pfd, size_t n) {
    long long now = ob__now_ms();
    size_t j = 0;
    for (size_t i = 0; i < s->naccounts; i++)
        if (rev_of(s, i))
            step(rev_of(s, i), sim_poll_revents(pfd, j++, n, sim_endpoint_fd(&rev_of(s, i)->to, rev_of(s, i)->st.fd)),
                 now);
}

void sim_reverse_free(ob_sim *s, size_t account) {
    sim_reverse *r = rev_of(s, account);
    if (!r) return;
    close_attempt(r);
    free(r);
    s->accounts[account].reverse = NULL;
}
